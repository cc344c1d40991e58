"""Idempotent loading of the Bắc Kạn units, the campaign configuration and demo accounts.

Rows are matched on their codes: running the loader again updates names and adds what is
missing, and never duplicates or deletes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
import yaml

from webapp.auth.models import Role, RoleAssignment, User
from webapp.campaign.models import (
    AppliesTo,
    Campaign,
    Content,
    Deadline,
    DeadlineKind,
    MemberOrganization,
    ModelType,
    Requirement,
    RequirementKind,
)
from webapp.extensions import db
from webapp.text import clean
from webapp.units.models import Unit
from webapp.units.queries import active_on
from webapp.units.reorganize import UNIT_TYPES

DATA = Path(__file__).resolve().parent / "data"
# The plan's date: the first structure (2017) is the one of that day.
FIRST_STRUCTURE_DAY = date(2017, 6, 21)

DEADLINE_PERIODS = {
    "half_year": DeadlineKind.REPORT_HALF_YEAR,
    "year": DeadlineKind.REPORT_YEAR,
}


@dataclass
class Counts:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def load_units(
    path: Path = DATA / "bac_kan_units_2017.csv",
    counts: Counts | None = None,
    *,
    as_of: date = FIRST_STRUCTURE_DAY,
) -> int:
    """Units of one structure, parents before children, matched by code among the units that
    existed on `as_of` (codes are reused in later periods)."""
    counts = counts or Counts()
    by_code = {
        u.code: u
        for u in db.session.scalars(sa.select(Unit).where(active_on(as_of), Unit.code.isnot(None)))
    }
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        kind, level = UNIT_TYPES[row["type"]]
        unit = by_code.get(row["code"])
        if unit is None:
            unit = Unit(code=row["code"])
            db.session.add(unit)
            by_code[row["code"]] = unit
            counts.add("units")
        unit.name = clean(row["name"])
        unit.kind = kind
        unit.level = level
        unit.parent = by_code[row["parent_code"]] if row["parent_code"] else None
    db.session.flush()
    return len(rows)


def _upsert(model, code: str, counts: Counts, what: str, **values):
    obj = db.session.scalar(sa.select(model).where(model.code == code))
    if obj is None:
        obj = model(code=code)
        db.session.add(obj)
        counts.add(what)
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


def load_campaign(path: Path = DATA / "campaign.yaml", counts: Counts | None = None) -> Campaign:
    counts = counts or Counts()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    info = data["campaign"]
    campaign = _upsert(
        Campaign,
        info["code"],
        counts,
        "campaigns",
        name_vi=info["name_vi"],
        name_en=info["name_en"],
        plan_vi=info["plan"],
        based_on_vi=info["based_on"],
        form_reference_vi=info["form_reference"],
        launched=str(info["launched"]),
    )
    db.session.flush()

    existing = {c.number: c for c in campaign.contents}
    for row in data["contents"]:
        content = existing.get(row["number"])
        if content is None:
            content = Content(campaign=campaign, number=row["number"])
            db.session.add(content)
            counts.add("contents")
        content.short_vi = row["short_vi"]
        content.short_en = row["short_en"]
        content.text_vi = row["text_vi"]
    db.session.flush()
    contents = {c.number: c for c in campaign.contents}

    organizations = {}
    for order, row in enumerate(data["member_organizations"], start=1):
        organizations[row["code"]] = _upsert(
            MemberOrganization,
            row["code"],
            counts,
            "organizations",
            name_vi=row["vi"],
            name_en=row["en"],
            at_province="province" in row["levels"],
            at_district="district" in row["levels"],
            at_commune="commune" in row["levels"],
            is_coordinator=bool(row.get("coordinator")),
            sort_order=order,
        )
    db.session.flush()

    model_types = {}
    for row in data["model_types"]:
        model = _upsert(
            ModelType,
            row["code"],
            counts,
            "model types",
            name_vi=row["vi"],
            organization=organizations[row["org"]],
        )
        model.contents = [contents[n] for n in row["contents"]]
        model_types[row["code"]] = model
    db.session.flush()

    by_code = {r.code: r for r in campaign.requirements}
    for row in data["requirements"]:
        requirement = by_code.get(row["code"])
        if requirement is None:
            requirement = Requirement(campaign=campaign, code=row["code"])
            db.session.add(requirement)
            counts.add("requirements")
        requirement.kind = (
            RequirementKind.MODEL_TYPES if row.get("any_of") else RequirementKind.EVERY_CONTENT
        )
        requirement.organization = organizations[row["org"]] if row.get("org") else None
        requirement.min_count = row.get("min", 1)
        requirement.applies_to = (
            AppliesTo.NEW_RURAL_COMMUNES
            if row.get("applies_to") == "new_rural_communes"
            else AppliesTo.ALL_COMMUNES
        )
        requirement.rule_vi = row.get("rule")
        requirement.source_vi = row.get("source")
        requirement.model_types = [model_types[c] for c in row.get("any_of", [])]
        requirement.partners = [organizations[c] for c in row.get("partners", [])]
    db.session.flush()

    _load_deadlines(campaign, data["deadlines"], counts)
    load_figures(data.get("report_figures", []), counts)
    return campaign


def load_figures(rows: list[dict], counts: Counts) -> None:
    """The report figures; only missing ones are added (admins may have renamed one)."""
    from webapp.reports.models import FigureMeasure, ReportFigure

    existing = set(db.session.scalars(sa.select(ReportFigure.code)))
    for order, row in enumerate(rows, start=1):
        if row["code"] in existing:
            continue
        db.session.add(
            ReportFigure(
                code=row["code"],
                name_vi=row["vi"],
                name_en=row.get("en"),
                measure=FigureMeasure(row["measure"]),
                sort_order=order * 10,
            )
        )
        counts.add("report figures")
    db.session.flush()


def _load_deadlines(campaign: Campaign, data: dict, counts: Counts) -> None:
    wanted: list[dict] = []
    registration = data["registration"]
    wanted.append(
        {
            "kind": DeadlineKind.REGISTRATION,
            "year": None,
            "day": registration["day"],
            "month": registration["month"],
            "source_vi": registration.get("source"),
            "is_assumption": False,
        }
    )
    for row in data.get("registration_overrides", []):
        due = row["date"]
        wanted.append(
            {
                "kind": DeadlineKind.REGISTRATION,
                "year": row["year"],
                "day": due.day,
                "month": due.month,
                "source_vi": row.get("source"),
                "is_assumption": False,
            }
        )
    for row in data.get("reports", []):
        wanted.append(
            {
                "kind": DEADLINE_PERIODS[row["period"]],
                "year": None,
                "day": row["due"]["day"],
                "month": row["due"]["month"],
                "source_vi": row.get("source"),
                "is_assumption": bool(row.get("assumption")),
            }
        )
    existing = {(d.kind, d.year): d for d in campaign.deadlines}
    for values in wanted:
        # Administrators may have changed a date: only missing deadlines are added.
        if (values["kind"], values["year"]) not in existing:
            db.session.add(Deadline(campaign=campaign, **values))
            counts.add("deadlines")
    db.session.flush()


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    full_name: str
    role: Role
    unit_codes: tuple[str, ...]
    organization: str | None = None
    language: str | None = None

    @property
    def home_code(self) -> str:
        return self.unit_codes[0]


# Pác Nặm district (060) and two of its communes: Bằng Thành (01858) and Nhạn Môn (01861), in
# the 2017 structure whatever structure is in force (the demo season is of 2017).
DEMO_ACCOUNTS = (
    DemoAccount("admin", "admin-bac-kan", "Quản trị tỉnh Bắc Kạn", Role.ADMIN, ("06",)),
    DemoAccount(
        "reviewer.pacnam", "review-pac-nam", "Cán bộ duyệt huyện Pác Nặm", Role.REVIEWER, ("060",)
    ),
    DemoAccount("mttq.pacnam", "mttq-pac-nam", "Cán bộ MTTQ huyện Pác Nặm", Role.EDITOR, ("060",)),
    DemoAccount(
        "editor.pacnam",
        "edit-bang-thanh",
        "Cán bộ MTTQ xã Bằng Thành, Nhạn Môn",
        Role.EDITOR,
        ("01858", "01861"),
    ),
    DemoAccount(
        "phunu.pacnam",
        "phu-nu-pac-nam",
        "Cán bộ Hội Phụ nữ huyện Pác Nặm",
        Role.EDITOR,
        ("060",),
        organization="phu_nu",
    ),
    DemoAccount(
        "publisher.backan",
        "dang-bai-bac-kan",
        "Cán bộ Ban Tuyên giáo MTTQ tỉnh",
        Role.PUBLISHER,
        ("06",),
    ),
    DemoAccount(
        "translator.tay",
        "dich-tieng-tay",
        "Người dịch tiếng Tày",
        Role.TRANSLATOR,
        ("06",),
        language="tyz",
    ),
    # Approves what translator.tay writes: a translation is served once another person
    # approved it.
    DemoAccount(
        "reviewer.tay",
        "duyet-tieng-tay",
        "Người duyệt bản dịch tiếng Tày",
        Role.TRANSLATION_REVIEWER,
        ("06",),
        language="tyz",
    ),
)


def load_demo_accounts(accounts=DEMO_ACCOUNTS) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that do not exist yet; existing ones are left as they are."""
    result = []
    for account in accounts:
        user = db.session.scalar(sa.select(User).where(User.username == account.username))
        if user is not None:
            result.append((account, False))
            continue
        units = [
            db.session.scalar(
                sa.select(Unit).where(Unit.code == code, active_on(FIRST_STRUCTURE_DAY))
            )
            for code in account.unit_codes
        ]
        if any(unit is None for unit in units):
            raise LookupError("load the units before the demo accounts")
        organization = (
            db.session.scalar(
                sa.select(MemberOrganization).where(MemberOrganization.code == account.organization)
            )
            if account.organization
            else None
        )
        user = User(username=account.username, full_name=account.full_name, home_unit=units[0])
        user.set_password(account.password)
        for unit in units:
            user.roles.append(
                RoleAssignment(
                    role=account.role,
                    unit=unit,
                    organization=organization,
                    language=account.language,
                )
            )
        db.session.add(user)
        result.append((account, True))
    db.session.flush()
    return result
