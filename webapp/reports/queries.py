"""Reports over a unit's subtree, in a fixed number of aggregate queries whatever its size: the
roll-up (sums over accepted reports) and completeness and timeliness (expected, submitted, on
time, late, missing), as DHIS2 reports them; and the reports waiting for a reviewer's decision.

Which reports are expected is decided by `expected_pairs` alone (on `services.approved_pairs`,
which starting a report asks too); which units count by `units_in_year` alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql import Select

from webapp import policy
from webapp.campaign.models import Content, MemberOrganization
from webapp.extensions import db
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.reports.models import (
    LineStatus,
    Period,
    ProgressLine,
    ProgressReport,
    ReportFigure,
    ReportFigureValue,
    ReportState,
)
from webapp.reports.services import approved_pairs, figures_shown
from webapp.review.chain import routed_among
from webapp.units.models import Level, Unit
from webapp.units.queries import active_on, subtree_ids, year_day

# The line measures summed, in the order the pages and the spreadsheet show them.
MEASURES = ("money_people", "money_state", "money_other", "workdays", "land_m2", "beneficiaries")
STATUSES = tuple(LineStatus)


def units_in_year(unit_id: int, year: int) -> Select:
    """SELECT of the ids of the units that report under `unit_id` in `year`: the unit and every
    committee below it (province, district, commune; not residential areas), in the year's
    structure — the one in force on the year's day, as for registrations."""
    return sa.select(Unit.id).where(
        Unit.id.in_(subtree_ids([unit_id], name="report_tree")),
        Unit.level != Level.AREA,
        active_on(year_day(year)),
    )


def expected_pairs(user, units: Select, year: int) -> Select:
    """SELECT (unit_id, organization_id) of the reports expected for `year`, among those the
    user may read: an organization reports at a unit for both periods when its list there for
    the year has at least one approved entry — the entries a report gives progress on. An
    organization that registered nothing approved has nothing to report and is not counted
    missing. Built on `services.approved_pairs`, which starting a report asks too."""
    stmt = approved_pairs(year).where(RegistrationList.unit_id.in_(units))
    return policy.visible(user, Action.LIST_VIEW, stmt)


# The reviewer's worklist


def awaiting_decision(user) -> list[ProgressReport]:
    """Sent reports whose decision falls to the user, oldest first: the same reviewing unit
    as the lists, never the user's own submission. A fixed number of queries however many
    reports, units and submitters."""
    parent = selectinload(ProgressReport.unit).selectinload(Unit.parent)
    stmt = policy.visible(
        user,
        Action.REPORT_DECIDE,
        sa.select(ProgressReport)
        .where(ProgressReport.state == ReportState.SUBMITTED)
        .options(
            parent.selectinload(Unit.parent),
            selectinload(ProgressReport.organization),
            selectinload(ProgressReport.submitted_by),
        )
        .order_by(ProgressReport.submitted_at, ProgressReport.id),
    )
    return routed_among(user, db.session.scalars(stmt))


# Completeness and timeliness


@dataclass
class Counts:
    expected: int = 0
    submitted: int = 0  # ever sent: submitted, accepted, or returned after sending
    on_time: int = 0  # first sent on or before the due date (local time)
    late: int = 0
    accepted: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    def percent(self, part: int) -> int | None:
        return round(100 * part / self.expected) if self.expected else None

    def add(self, other: Counts) -> None:
        for name in ("expected", "submitted", "on_time", "late", "accepted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class UnitRow:
    id: int
    name: str
    level: str
    parent_id: int | None
    parent_name: str | None
    counts: Counts = field(default_factory=Counts)
    code: str | None = None


@dataclass
class Group:
    """A district (or the unit itself) with its communes' totals."""

    id: int
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Missing:
    unit_id: int
    unit_name: str
    parent_name: str | None
    organization_id: int
    organization_name: str
    report_id: int | None  # started but not sent


@dataclass
class Completeness:
    year: int
    period: Period
    due: date | None
    overdue: bool  # the due date has passed: missing reports are overdue
    total: Counts
    units: list[UnitRow]
    groups: list[Group]
    organizations: list[tuple[MemberOrganization, Counts]]
    missing: list[Missing]
    # Every unit counted with the province it is in (the national root's page shows these).
    provinces: list[Group] = field(default_factory=list)


def _count_columns(report) -> list:
    sent = report.submitted_at.isnot(None)

    def tally(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return [
        sa.func.count().label("expected"),
        tally(sent).label("submitted"),
        tally(sa.and_(sent, sa.not_(report.is_late))).label("on_time"),
        tally(sa.and_(sent, report.is_late)).label("late"),
        tally(report.state == ReportState.ACCEPTED).label("accepted"),
    ]


def _counts(row) -> Counts:
    return Counts(
        int(row.expected), int(row.submitted), int(row.on_time), int(row.late), int(row.accepted)
    )


def missing_count(user, unit: Unit, year: int, period: Period) -> int:
    """How many of the reports `completeness` expects are not sent: its total's `missing`, in
    one statement, for a home page that shows only the number."""
    expected = expected_pairs(user, units_in_year(unit.id, year), year).subquery("expected")
    sent = sa.select(ProgressReport.id).where(
        ProgressReport.unit_id == expected.c.unit_id,
        ProgressReport.organization_id == expected.c.organization_id,
        ProgressReport.year == year,
        ProgressReport.period == period,
        ProgressReport.submitted_at.isnot(None),
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(expected).where(~sent.exists()))


def completeness(
    user, unit: Unit, year: int, period: Period, due: date | None, today: date
) -> Completeness:
    """Expected reports of the unit's subtree for the period and how they stand; per unit, per
    district, per organization, and the missing ones."""
    units = units_in_year(unit.id, year)
    expected = expected_pairs(user, units, year).subquery("expected")
    report = aliased(ProgressReport, name="report")
    joined = sa.outerjoin(
        expected,
        report,
        sa.and_(
            report.unit_id == expected.c.unit_id,
            report.organization_id == expected.c.organization_id,
            report.year == year,
            report.period == period,
        ),
    )
    by_unit = {
        row.unit_id: _counts(row)
        for row in db.session.execute(
            sa.select(expected.c.unit_id, *_count_columns(report))
            .select_from(joined)
            .group_by(expected.c.unit_id)
        )
    }
    by_organization = {
        row.organization_id: _counts(row)
        for row in db.session.execute(
            sa.select(expected.c.organization_id, *_count_columns(report))
            .select_from(joined)
            .group_by(expected.c.organization_id)
        )
    }
    parent = aliased(Unit, name="parent")
    unit_rows = [
        UnitRow(row.id, row.name, row.level, row.parent_id, row.parent_name, code=row.code)
        for row in db.session.execute(
            sa.select(
                Unit.id,
                Unit.name,
                Unit.code,
                Unit.level,
                Unit.parent_id,
                parent.name.label("parent_name"),
            )
            .outerjoin(parent, parent.id == Unit.parent_id)
            .where(Unit.id.in_(units))
            .order_by(Unit.level, parent.name, Unit.name, Unit.id)
        )
    ]
    names = {row.id: row for row in unit_rows}
    total = Counts()
    groups: dict[int, Group] = {}
    for row in unit_rows:
        row.counts = by_unit.get(row.id, Counts())
        total.add(row.counts)
        # A commune counts with the committee above it; other units with themselves.
        key = row.parent_id if row.level == Level.COMMUNE and row.parent_id in names else row.id
        group = groups.setdefault(key, Group(key, names[key].name))
        group.counts.add(row.counts)
    provinces = _by_province(unit_rows, names)
    organizations = _organizations(by_organization)
    missing_rows = db.session.execute(
        sa.select(expected.c.unit_id, expected.c.organization_id, report.id.label("report_id"))
        .select_from(joined)
        .where(report.submitted_at.is_(None))
    ).all()
    by_id = {o.id: o for o, _ in organizations}
    missing = sorted(
        (
            Missing(
                row.unit_id,
                names[row.unit_id].name,
                names[row.unit_id].parent_name,
                row.organization_id,
                by_id[row.organization_id].tr("name"),
                row.report_id,
            )
            for row in missing_rows
        ),
        key=lambda m: (m.parent_name or "", m.unit_name, by_id[m.organization_id].sort_order),
    )
    return Completeness(
        year=year,
        period=period,
        due=due,
        overdue=due is not None and today > due,
        total=total,
        units=[row for row in unit_rows if row.counts.expected],
        groups=[g for g in groups.values() if g.counts.expected],
        organizations=organizations,
        missing=missing,
        provinces=provinces,
    )


def _by_province(unit_rows: list[UnitRow], names: dict[int, UnitRow]) -> list[Group]:
    """The units' counts added up per province above them (in the subtree's rows), in code
    order as the coverage matrix lists them; units above every province (the national root)
    stay out."""
    province_of: dict[int, int | None] = {}

    def province(row: UnitRow) -> int | None:
        if row.id not in province_of:
            if row.level == Level.PROVINCE:
                province_of[row.id] = row.id
            else:
                parent = names.get(row.parent_id)
                province_of[row.id] = province(parent) if parent is not None else None
        return province_of[row.id]

    groups: dict[int, Group] = {}
    for row in unit_rows:
        key = province(row)
        if key is not None and row.counts.expected:
            groups.setdefault(key, Group(key, names[key].name)).counts.add(row.counts)
    return sorted(groups.values(), key=lambda g: (names[g.id].code or "~", g.name))


def _organizations(counts: dict[int, Counts]) -> list[tuple[MemberOrganization, Counts]]:
    if not counts:
        return []
    found = db.session.scalars(
        sa.select(MemberOrganization)
        .where(MemberOrganization.id.in_(list(counts)))
        .order_by(MemberOrganization.sort_order, MemberOrganization.id)
    )
    return [(organization, counts[organization.id]) for organization in found]


# Roll-up


@dataclass
class Measures:
    """Sums of the line measures and the entries by status."""

    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    registered: int = 0  # approved entries of the included reports' lists

    @property
    def money_total(self) -> int:
        return self.sums["money_people"] + self.sums["money_state"] + self.sums["money_other"]

    @property
    def completed(self) -> int:
        return self.statuses[LineStatus.COMPLETED]

    @property
    def not_reported(self) -> int:
        """Approved entries the reports have no line for (approved after they were started)."""
        return max(0, self.registered - sum(self.statuses.values()))

    def add(self, other: Measures) -> None:
        for name in MEASURES:
            self.sums[name] += other.sums[name]
        for status in STATUSES:
            self.statuses[status] += other.statuses[status]
        self.registered += other.registered


@dataclass
class Rollup:
    reports: int  # accepted reports included
    figures: list[tuple[ReportFigure, int | None]]
    figures_by_organization: list[tuple[MemberOrganization, dict[int, int]]]
    total: Measures
    by_organization: list[tuple[MemberOrganization, Measures]]
    by_content: list[tuple[Content, Measures]]


def accepted_reports(user, units: Select, year: int, period: Period) -> Select:
    """SELECT of the ids of the accepted reports of the units the user may read."""
    return policy.visible(
        user,
        Action.REPORT_VIEW,
        sa.select(ProgressReport.id).where(
            ProgressReport.unit_id.in_(units),
            ProgressReport.year == year,
            ProgressReport.period == period,
            ProgressReport.state == ReportState.ACCEPTED,
        ),
    )


def rollup(user, unit: Unit, year: int, period: Period) -> Rollup:
    """Sums over the accepted reports of the unit's subtree, by organization and by content."""
    accepted = accepted_reports(user, units_in_year(unit.id, year), year, period).subquery(
        "accepted"
    )
    included = sa.select(accepted.c.id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(accepted))

    figure_rows = db.session.execute(
        sa.select(
            ProgressReport.organization_id,
            ReportFigureValue.figure_id,
            sa.func.sum(ReportFigureValue.value).label("value"),
        )
        .join(ProgressReport, ProgressReport.id == ReportFigureValue.report_id)
        .where(ReportFigureValue.report_id.in_(included), ReportFigureValue.value.isnot(None))
        .group_by(ProgressReport.organization_id, ReportFigureValue.figure_id)
    ).all()

    status_columns = [
        sa.func.coalesce(
            sa.func.sum(sa.case((ProgressLine.status == status, 1), else_=0)), 0
        ).label(f"status_{status}")
        for status in STATUSES
    ]
    line_rows = db.session.execute(
        sa.select(
            ProgressReport.organization_id,
            Entry.content_id,
            *[
                sa.func.coalesce(sa.func.sum(getattr(ProgressLine, m)), 0).label(m)
                for m in MEASURES
            ],
            *status_columns,
        )
        .join(ProgressReport, ProgressReport.id == ProgressLine.report_id)
        .join(Entry, Entry.id == ProgressLine.entry_id)
        .where(ProgressLine.report_id.in_(included))
        .group_by(ProgressReport.organization_id, Entry.content_id)
    ).all()

    registered_rows = db.session.execute(
        sa.select(
            RegistrationList.organization_id,
            Entry.content_id,
            sa.func.count(Entry.id).label("registered"),
        )
        .join(RegistrationList, RegistrationList.id == Entry.list_id)
        .join(
            ProgressReport,
            sa.and_(
                ProgressReport.unit_id == RegistrationList.unit_id,
                ProgressReport.organization_id == RegistrationList.organization_id,
                ProgressReport.year == RegistrationList.year,
            ),
        )
        .where(ProgressReport.id.in_(included), Entry.state == EntryState.APPROVED)
        .group_by(RegistrationList.organization_id, Entry.content_id)
    ).all()

    cells: dict[tuple[int, int], Measures] = {}
    for row in line_rows:
        cell = cells.setdefault((row.organization_id, row.content_id), Measures())
        for name in MEASURES:
            cell.sums[name] += int(getattr(row, name))
        for status in STATUSES:
            cell.statuses[status] += int(getattr(row, f"status_{status}"))
    for row in registered_rows:
        cells.setdefault((row.organization_id, row.content_id), Measures()).registered += int(
            row.registered
        )

    organization_ids = {key[0] for key in cells} | {row.organization_id for row in figure_rows}
    organizations = _organizations(dict.fromkeys(organization_ids)) if organization_ids else []
    contents = _contents({key[1] for key in cells})

    total = Measures()
    by_organization = {o.id: Measures() for o, _ in organizations}
    by_content = {c.id: Measures() for c in contents}
    for (organization_id, content_id), cell in cells.items():
        total.add(cell)
        by_organization[organization_id].add(cell)
        by_content[content_id].add(cell)

    figure_sums: dict[int, int] = {}
    per_organization: dict[int, dict[int, int]] = {o.id: {} for o, _ in organizations}
    for row in figure_rows:
        value = int(row.value)
        figure_sums[row.figure_id] = figure_sums.get(row.figure_id, 0) + value
        per_organization[row.organization_id][row.figure_id] = value
    # A figure retired since still shows where accepted reports gave it.
    figures = figures_shown(set(figure_sums))

    return Rollup(
        reports=count,
        figures=[(figure, figure_sums.get(figure.id)) for figure in figures],
        figures_by_organization=[(o, per_organization[o.id]) for o, _ in organizations],
        total=total,
        by_organization=[(o, by_organization[o.id]) for o, _ in organizations],
        by_content=[(c, by_content[c.id]) for c in contents],
    )


def _contents(ids: set[int]) -> list[Content]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Content).where(Content.id.in_(list(ids))).order_by(Content.number)
        )
    )
