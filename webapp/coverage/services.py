"""What the coverage pages say about the rules, and the gap list ("what is missing where")
built from an evaluated Coverage, as pages and as a spreadsheet."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import xlsxwriter
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.campaign.models import AppliesTo, Requirement, RequirementKind
from webapp.coverage.queries import CommuneCoverage, Coverage, RuleResult


def rule_label(requirement: Requirement) -> str:
    """The rule in words, from its data (admins add rules without touching code)."""
    if requirement.kind == RequirementKind.EVERY_CONTENT:
        text = ngettext(
            "each content has at least %(num)d entry",
            "each content has at least %(num)d entries",
            requirement.min_count,
        )
    else:
        models = " / ".join(m.tr("name") for m in requirement.model_types)
        text = ngettext(
            "at least %(num)d entry of: %(models)s",
            "at least %(num)d entries of: %(models)s",
            requirement.min_count,
            models=models,
        )
    if requirement.organization is not None:
        names = [requirement.organization, *requirement.partners]
        text = _(
            "%(organizations)s: %(rule)s",
            organizations=", ".join(o.tr("name") for o in names),
            rule=text,
        )
    if requirement.applies_to == AppliesTo.NEW_RURAL_COMMUNES:
        text = _("%(rule)s (new-rural communes only)", rule=text)
    return text


def organization_name(requirement: Requirement) -> str:
    if requirement.organization is None:
        return _("All organizations")
    return requirement.organization.tr("name")


def gap_text(result: RuleResult) -> str:
    """What is missing for one rule in one commune."""
    if result.requirement.kind == RequirementKind.EVERY_CONTENT:
        return _(
            "No entries for content %(contents)s",
            contents=", ".join(f"{c.number}. {c.tr('short')}" for c in result.missing_contents),
        )
    return rule_label(result.requirement)


@dataclass
class OrganizationGaps:
    name: str
    rules: list[tuple[Requirement, list[CommuneCoverage]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(communes) for _, communes in self.rules)


def gaps_by_organization(coverage: Coverage) -> list[OrganizationGaps]:
    """Per organization, per rule of theirs, the communes that miss it."""
    groups: dict[int | None, OrganizationGaps] = {}
    for requirement in coverage.requirements:
        missing = [
            commune
            for commune in coverage.communes
            for result in commune.gaps
            if result.requirement.id == requirement.id
        ]
        if not missing:
            continue
        group = groups.setdefault(
            requirement.organization_id, OrganizationGaps(organization_name(requirement))
        )
        group.rules.append((requirement, missing))
    return list(groups.values())


def gaps_xlsx(coverage: Coverage, title: str) -> bytes:
    """The gap list as a workbook: one sheet per commune, one per organization."""
    buffer = io.BytesIO()
    # Unit and rule names are data: text that starts with "=" or looks like a link stays text.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format(
        {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#EEEEEE"}
    )
    cell = workbook.add_format({"text_wrap": True, "border": 1, "valign": "top"})
    heading = workbook.add_format({"bold": True, "font_size": 13})

    def sheet(name: str, headings: list[str], widths: list[int], rows: list[list[str]]) -> None:
        ws = workbook.add_worksheet(name[:31])
        ws.write_string(0, 0, title, heading)
        for index, (text, width) in enumerate(zip(headings, widths, strict=True)):
            ws.set_column(index, index, width)
            ws.write_string(2, index, text, bold)
        for offset, row in enumerate(rows, start=3):
            for index, value in enumerate(row):
                ws.write_string(offset, index, value, cell)
        ws.repeat_rows(2)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    unit_heading, commune_heading = _("Unit above"), _("Commune")
    sheet(
        _("By commune"),
        [unit_heading, commune_heading, _("Organization"), _("What is missing")],
        [24, 24, 30, 70],
        [
            [c.parent_name or "", c.name, organization_name(r.requirement), gap_text(r)]
            for c in coverage.communes
            for r in c.gaps
        ],
    )
    sheet(
        _("By organization"),
        [_("Organization"), _("Rule"), unit_heading, commune_heading],
        [30, 70, 24, 24],
        [
            [group.name, rule_label(requirement), c.parent_name or "", c.name]
            for group in gaps_by_organization(coverage)
            for requirement, communes in group.rules
            for c in communes
        ],
    )
    workbook.close()
    return buffer.getvalue()
