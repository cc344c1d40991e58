"""What the coverage pages say about the rules, and the gap list ("what is missing where")
built from an evaluated Coverage, as pages and as a spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from webapp.campaign.display import rule_label
from webapp.campaign.models import Content, Requirement, RequirementKind
from webapp.coverage.queries import CommuneCoverage, Coverage, RuleResult
from webapp.coverage.summary import Amounts, EntryLine, Summary
from webapp.registrations.models import EntryState
from webapp.xlsx import cell_text

# progress(rows written, rows in all): how a background job follows the writing.
Progress = Callable[[int, int], None]
# How often a sheet reports the rows it has written.
PROGRESS_ROWS = 1000


def organization_name(requirement: Requirement) -> str:
    if requirement.organization is None:
        return _("All organizations")
    return requirement.organization.tr("name")


def gap_text(result: RuleResult) -> str:
    """What is missing for one rule in one commune."""
    if result.requirement.kind == RequirementKind.EVERY_CONTENT:
        return _(
            "No entries for content %(contents)s",
            contents=", ".join(content_label(c) for c in result.missing_contents),
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


class Workbook:
    """An in-memory workbook of A4 landscape sheets: title lines, a heading row repeated on
    every printed page, then rows of text and numbers (numbers stay numbers)."""

    def __init__(self, rows_on_disk: bool = False) -> None:
        """`rows_on_disk`: each row goes to a temporary file as soon as it is written (XlsxWriter's
        constant_memory), for a background job's large sheets: a national aggregated list
        peaked at 212 MiB instead of 426, for a file 18 % larger (no shared strings)."""
        self.buffer = io.BytesIO()
        # Unit, rule and entry names are data: text that starts with "=" or looks like a link
        # stays text.
        import xlsxwriter  # loaded by the download that asks, not by every worker

        self.workbook = xlsxwriter.Workbook(
            self.buffer,
            {
                "in_memory": not rows_on_disk,
                "constant_memory": rows_on_disk,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        add = self.workbook.add_format
        self.heading = add({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#EEEEEE"})
        self.title = add({"bold": True, "font_size": 13})
        self.text = add({"text_wrap": True, "border": 1, "valign": "top"})
        self.number = add({"border": 1, "valign": "top", "num_format": "#,##0"})
        self.total_text = add({"bold": True, "text_wrap": True, "border": 1, "valign": "top"})
        self.total_number = add({"bold": True, "border": 1, "num_format": "#,##0"})

    def sheet(
        self,
        name: str,
        titles: list[str],
        headings: list[str],
        widths: list[int],
        rows: list[list[str | int | None]],
        totals: frozenset[int] = frozenset(),
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """`totals`: indexes of the rows to set in bold (subtotals and the grand total);
        `progress(rows written)` is called every PROGRESS_ROWS rows and at the end."""
        ws = self.workbook.add_worksheet(name[:31])
        for line, text in enumerate(titles):
            ws.write_string(line, 0, text, self.title if line == 0 else None)
        top = len(titles) + 1
        for index, (text, width) in enumerate(zip(headings, widths, strict=True)):
            ws.set_column(index, index, width)
            ws.write_string(top, index, text, self.heading)
        for offset, row in enumerate(rows):
            bold = offset in totals
            for index, value in enumerate(row):
                if isinstance(value, int):
                    ws.write_number(
                        top + 1 + offset, index, value, self.total_number if bold else self.number
                    )
                else:
                    style = self.total_text if bold else self.text
                    ws.write_string(top + 1 + offset, index, cell_text(value or ""), style)
            if progress is not None and (offset + 1) % PROGRESS_ROWS == 0:
                progress(offset + 1)
        if progress is not None:
            progress(len(rows))
        ws.repeat_rows(top)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    def close(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def gaps_xlsx(coverage: Coverage, title: str, progress: Progress | None = None) -> bytes:
    """The gap list as a workbook: one sheet per commune, one per organization.
    `progress(rows written, rows in all)` follows the writing (a background job's page)."""
    book = Workbook(rows_on_disk=progress is not None)
    unit_heading, commune_heading = _("Unit above"), _("Commune")
    by_commune = [
        [c.parent_name or "", c.name, organization_name(r.requirement), gap_text(r)]
        for c in coverage.communes
        for r in c.gaps
    ]
    by_organization = [
        [group.name, rule_label(requirement), c.parent_name or "", c.name]
        for group in gaps_by_organization(coverage)
        for requirement, communes in group.rules
        for c in communes
    ]
    total = len(by_commune) + len(by_organization)
    book.sheet(
        _("By commune"),
        [title],
        [unit_heading, commune_heading, _("Organization"), _("What is missing")],
        [24, 24, 30, 70],
        by_commune,
        progress=progress and (lambda done: progress(done, total)),
    )
    book.sheet(
        _("By organization"),
        [title],
        [_("Organization"), _("Rule"), unit_heading, commune_heading],
        [30, 70, 24, 24],
        by_organization,
        progress=progress and (lambda done: progress(len(by_commune) + done, total)),
    )
    return book.close()


def _amounts(amounts: Amounts, include_submitted: bool) -> list[int]:
    counted = [amounts.entries.total(include_submitted)]
    if include_submitted:
        counted.append(amounts.entries.submitted)
    return [*counted, amounts.people, amounts.state, amounts.other, amounts.budget]


def _name(row) -> str:
    return row.tr("name")


def summary_xlsx(
    summary: Summary,
    lines: list[EntryLine],
    titles: list[str],
    include_submitted: bool,
    progress: Progress | None = None,
) -> bytes:
    """The aggregated list as a workbook: the totals per organization and content, and every
    entry counted. Every sum is the page's sum. `progress(entries written, entries)` follows
    the writing of the entries (a background job's page), whose rows go to disk as written."""
    book = Workbook(rows_on_disk=progress is not None)
    sources = [
        _("People's contributions (đồng)"),
        _("State budget (đồng)"),
        _("Other sources (đồng)"),
    ]
    counted = [_("Number of entries")]
    if include_submitted:
        counted.append(_("Of which submitted, not yet approved"))
    # A province has some 10,000 entries and a handful of organizations, contents, model
    # types and states: label each of those once, not once per row (translation lookups).
    shown: dict[object, str] = {}

    def once(value, label) -> str:
        if value not in shown:
            shown[value] = label(value)
        return shown[value]

    rows: list[list[str | int | None]] = []
    totals: set[int] = set()
    for block in summary.organizations:
        name = block.organization.tr("name")
        for line in block.lines:
            rows.append(
                [name, content_label(line.content), *_amounts(line.amounts, include_submitted)]
            )
        totals.add(len(rows))
        rows.append(
            [
                name,
                _("All contents"),
                *_amounts(block.amounts, include_submitted),
            ]
        )
    totals.add(len(rows))
    rows.append([_("Total"), "", *_amounts(summary.total, include_submitted)])
    number_widths = [12] * (len(counted) + 4)
    book.sheet(
        _("Totals"),
        titles,
        [_("Organization"), _("Content"), *counted, *sources, _("Total (đồng)")],
        [30, 36, *number_widths],
        rows,
        frozenset(totals),
    )
    book.sheet(
        _("Entries"),
        titles,
        [
            _("Unit above"),
            _("Commune"),
            _("Organization"),
            _("Content"),
            _("Name"),
            _("Model type"),
            _("State"),
            *sources,
            _("Total (đồng)"),
        ],
        [20, 20, 26, 24, 40, 30, 14, 14, 14, 14, 14],
        [
            [
                line.unit_above,
                line.commune,
                once(line.organization, _name),
                once(line.content, content_label),
                line.name,
                once(line.model_type, _name) if line.model_type else "",
                once(line.state, lambda state: EntryState(state).label),
                line.people,
                line.state_budget,
                line.other,
                line.budget,
            ]
            for line in lines
        ],
        progress=progress and (lambda done: progress(done, len(lines))),
    )
    return book.close()


def content_label(content: Content) -> str:
    return f"{content.number}. {content.tr('short')}"
