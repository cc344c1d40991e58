"""Changes to progress reports; callers commit.

As for registration lists: every change checks the policy, locks the report row, compares the
version the user saw, writes an audit event and flushes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import events, policy
from webapp.audit.services import record
from webapp.campaign.deadlines import current_campaign, due_date
from webapp.campaign.models import MemberOrganization
from webapp.concurrency import check_version, flush_or_stale, lock_current
from webapp.db import local_zone, utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.notifications.models import NotificationKind
from webapp.notifications.services import editors_at, notify
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.registrations.services import organizations_at
from webapp.reports.models import (
    PERIOD_DEADLINES,
    LineStatus,
    Period,
    ProgressLine,
    ProgressReport,
    ReportFigure,
    ReportFigureValue,
    ReportState,
)
from webapp.text import clean
from webapp.units.models import Unit


class ReportError(Refused):
    """A change that cannot be made; the message is shown to the user, next to `field` if any."""


@dataclass
class LineValues:
    """What an editor fills in for one entry's progress."""

    status: LineStatus = LineStatus.NOT_STARTED
    percent_done: int = 0
    money_people: int | None = None
    money_state: int | None = None
    money_other: int | None = None
    workdays: int | None = None
    land_m2: int | None = None
    beneficiaries: int | None = None
    result: str | None = None


LINE_FIELDS = tuple(f.name for f in fields(LineValues))
_COUNTS = ("money_people", "money_state", "money_other", "workdays", "land_m2", "beneficiaries")


def report_due(year: int, period: Period) -> date | None:
    """The period's due date from the campaign's deadlines (defaults are assumptions)."""
    campaign = current_campaign()
    return due_date(campaign, PERIOD_DEADLINES[period], year) if campaign else None


def due_is_assumption(year: int, period: Period) -> bool:
    from webapp.campaign.deadlines import deadline_for

    campaign = current_campaign()
    row = deadline_for(campaign, PERIOD_DEADLINES[period], year) if campaign else None
    return bool(row and row.is_assumption)


def report_figures(report: ProgressReport) -> list[ReportFigure]:
    """The figures a report shows and asks for: the active ones, and retired ones it gave a
    value for (a retired figure is not asked of new reports; given values stay)."""
    given = sa.select(ReportFigureValue.figure_id).where(
        ReportFigureValue.report_id == report.id, ReportFigureValue.value.is_not(None)
    )
    return figures_shown(given)


@dataclass
class DerivedFigure:
    value: int
    source: str  # where the figure comes from, in the reader's language
    url: str | None = None


def derived_figures(report: ProgressReport) -> dict[int, DerivedFigure]:
    """Figure id → the value another package keeps for it (the fund's book), while the report
    can still change: the report shows it and does not ask for it. A report sent shows what
    it sent (written in as it went, see submit_report)."""
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        return {}
    found: dict[str, tuple] = {}
    events.publish(events.REPORT_FIGURES_DERIVED, report=report, derived=found)
    if not found:
        return {}
    ids = dict(
        db.session.execute(
            sa.select(ReportFigure.code, ReportFigure.id).where(ReportFigure.code.in_(found))
        ).all()
    )
    return {ids[code]: DerivedFigure(*found[code]) for code in found if code in ids}


def figures_shown(given=()) -> list[ReportFigure]:
    """The active figures, and the retired ones among `given` (figure ids, or a select of
    them), in their order."""
    shown = ReportFigure.is_active
    if not isinstance(given, tuple | list | set) or given:
        shown = sa.or_(shown, ReportFigure.id.in_(given))
    return list(
        db.session.scalars(
            sa.select(ReportFigure).where(shown).order_by(ReportFigure.sort_order, ReportFigure.id)
        )
    )


def approved_entries(unit_id: int, organization_id: int, year: int) -> list[Entry]:
    """The approved entries of the year's list of the organization at the unit."""
    return list(
        db.session.scalars(
            sa.select(Entry)
            .join(RegistrationList, RegistrationList.id == Entry.list_id)
            .where(
                RegistrationList.unit_id == unit_id,
                RegistrationList.organization_id == organization_id,
                RegistrationList.year == year,
                Entry.state == EntryState.APPROVED,
            )
            .order_by(Entry.position, Entry.id)
        )
    )


def find_report(unit_id: int, organization_id: int, year: int, period: Period):
    return db.session.scalar(
        sa.select(ProgressReport).filter_by(
            unit_id=unit_id, organization_id=organization_id, year=year, period=period
        )
    )


def lock_report(report: ProgressReport) -> None:
    """Take the report's row lock (PostgreSQL) and reload what others committed meanwhile."""
    lock_current(report)
    db.session.execute(
        sa.select(ProgressLine)
        .where(ProgressLine.report_id == report.id)
        .execution_options(populate_existing=True)
    ).all()


def add_missing_lines(report: ProgressReport) -> int:
    """A line for every approved entry that has none yet (entries approved after the report
    was started); for the annual report, with the half-year values carried over."""
    have = {line.entry_id for line in report.lines}
    source = _half_year_lines(report)
    added = 0
    entries = approved_entries(report.unit.id, report.organization.id, report.year)
    for entry in entries:
        if entry.id in have:
            continue
        line = ProgressLine(entry=entry)
        earlier = source.get(entry.id)
        if earlier is not None:
            for name in LINE_FIELDS:
                setattr(line, name, getattr(earlier, name))
        report.lines.append(line)
        added += 1
    return added


def missing_entry_count(report: ProgressReport) -> int:
    """Approved entries the report has no line for yet; counted, never written, on display."""
    have = {line.entry_id for line in report.lines}
    entries = approved_entries(report.unit_id, report.organization_id, report.year)
    return sum(1 for entry in entries if entry.id not in have)


def add_new_entries(actor, report: ProgressReport) -> int:
    """Give the entries approved since the report was started their line (an explicit
    change, audited; also done when the report is sent)."""
    lock_report(report)
    policy.ensure(actor, Action.REPORT_EDIT, report)
    added = add_missing_lines(report)
    if added:
        flush_or_stale(report)
        record(actor, "report.lines_added", report, unit_id=report.unit_id, added=added)
    return added


def _half_year_lines(report: ProgressReport) -> dict[int, ProgressLine]:
    if report.period != Period.YEAR:
        return {}
    half = find_report(report.unit.id, report.organization.id, report.year, Period.HALF_YEAR)
    return {line.entry_id: line for line in half.lines} if half else {}


def approved_pairs(year: int) -> sa.Select:
    """SELECT (unit_id, organization_id) of the lists of `year` with at least one approved
    entry: an organization reports at a unit for both periods exactly there (the entries a
    report gives progress on). `queries.expected_pairs` narrows it to what a user may read."""
    return (
        sa.select(RegistrationList.unit_id, RegistrationList.organization_id)
        .join(Entry, Entry.list_id == RegistrationList.id)
        .where(RegistrationList.year == year, Entry.state == EntryState.APPROVED)
        .distinct()
    )


def is_expected(unit: Unit, organization: MemberOrganization, year: int) -> bool:
    """Whether the organization reports at the unit for the year (see `approved_pairs`)."""
    pairs = approved_pairs(year).where(
        RegistrationList.unit_id == unit.id, RegistrationList.organization_id == organization.id
    )
    return db.session.scalar(sa.select(sa.exists(pairs.subquery()))) or False


def start_report(
    actor, unit: Unit, organization: MemberOrganization, year: int, period: Period
) -> ProgressReport:
    """The organization's report at the unit for the period, created if there is none yet:
    a line per approved entry; the annual report starts from the half-year one (its lines'
    values and its figures, all editable)."""
    existing = find_report(unit.id, organization.id, year, period)
    if existing is not None:
        policy.ensure(actor, Action.REPORT_VIEW, existing)
        return existing
    report = ProgressReport(unit=unit, organization=organization, year=year, period=period)
    policy.ensure(actor, Action.REPORT_EDIT, report)
    if organization not in organizations_at(unit):
        raise ReportError(
            _(
                "%(organization)s reports nothing at this level.",
                organization=organization.tr("name"),
            )
        )
    # The page offers only the expected reports; a hand-made request gets the same answer.
    if not is_expected(unit, organization, year):
        raise ReportError(
            _(
                "%(organization)s has no approved entry at %(unit)s in %(year)s, so there is "
                "nothing to report on yet.",
                organization=organization.tr("name"),
                unit=unit.name,
                year=year,
            )
        )
    db.session.add(report)
    add_missing_lines(report)
    carried = False
    if period == Period.YEAR:
        half = find_report(unit.id, organization.id, year, Period.HALF_YEAR)
        if half is not None:
            carried = True
            for value in half.figure_values:
                report.figure_values.append(
                    ReportFigureValue(figure_id=value.figure_id, value=value.value)
                )
    db.session.flush()
    record(
        actor,
        "report.created",
        report,
        unit_id=unit.id,
        organization=organization.code,
        year=year,
        period=str(period),
        carried_over=carried,
    )
    return report


def _check_line(values: LineValues) -> None:
    """The rules the form also checks; repeated so no caller can store a bad line."""
    if not 0 <= values.percent_done <= 100:
        raise ReportError(_("Percent done must be a whole number from 0 to 100."), "percent_done")
    for name in _COUNTS:
        amount = getattr(values, name)
        if amount is not None and amount < 0:
            raise ReportError(_("A number here cannot be negative."), name)


def line_snapshot(line: ProgressLine | LineValues) -> dict:
    return {name: str(getattr(line, name)) if name == "status" else getattr(line, name)
            for name in LINE_FIELDS}  # fmt: skip


def update_line(actor, line: ProgressLine, version: int, values: LineValues) -> ProgressLine:
    report = line.report
    lock_report(report)
    lock_current(line, version)
    policy.ensure(actor, Action.REPORT_EDIT, report)
    values.result = clean(values.result) if values.result else None
    _check_line(values)
    before = line_snapshot(line)
    after = line_snapshot(values)
    changes = {n: [before[n], after[n]] for n in LINE_FIELDS if before[n] != after[n]}
    if changes:
        for name in LINE_FIELDS:
            setattr(line, name, getattr(values, name))
        flush_or_stale(line)
        record(
            actor,
            "report.line_updated",
            line,
            unit_id=report.unit_id,
            report_id=report.id,
            entry_id=line.entry_id,
            changes=changes,
        )
    return line


def update_figures(
    actor, report: ProgressReport, version: int, values: dict[int, int | None]
) -> ProgressReport:
    """Set the report-level figures (figure id → value); the report's version guards them."""
    lock_report(report)
    check_version(report, version)
    policy.ensure(actor, Action.REPORT_EDIT, report)
    for figure_id, value in values.items():
        if value is not None and value < 0:
            raise ReportError(_("A number here cannot be negative."), f"figure_{figure_id}")
    current = {v.figure_id: v for v in report.figure_values}
    changes = {}
    for figure_id, value in values.items():
        row = current.get(figure_id)
        before = row.value if row else None
        if before == value:
            continue
        changes[str(figure_id)] = [before, value]
        if row is None:
            report.figure_values.append(ReportFigureValue(figure_id=figure_id, value=value))
        else:
            row.value = value
    if changes:
        report.updated_at = utcnow()  # bumps the version: figures are part of the report
        flush_or_stale(report)
        record(actor, "report.figures_updated", report, unit_id=report.unit_id, changes=changes)
    return report


def submit_report(actor, report: ProgressReport, *, at: datetime | None = None) -> ProgressReport:
    """Send the report up for review; after the due date it is accepted and marked late."""
    lock_report(report)
    policy.ensure(actor, Action.REPORT_SUBMIT, report)
    # Figures kept elsewhere (the fund's book) are written in before it goes.
    events.publish(events.REPORT_SUBMITTING, actor=actor, report=report)
    # What is sent covers every approved entry.
    added = add_missing_lines(report)
    at = at or utcnow()
    today = at.astimezone(local_zone()).date()
    due = report_due(report.year, report.period)
    # A report returned and sent again keeps the timeliness of its first sending.
    if report.state == ReportState.DRAFT and due is not None and today > due:
        report.is_late = True
    report.state = ReportState.SUBMITTED
    report.submitted_at = at
    report.submitted_by_id = actor.id
    flush_or_stale(report)
    # The reviewers of its reviewing unit learn of it in the app, as for lists.
    notify(
        policy.who_can(Action.REPORT_DECIDE, report),
        NotificationKind.REPORT_SUBMITTED,
        report=report,
        actor=actor,
    )
    record(
        actor,
        "report.submitted",
        report,
        unit_id=report.unit_id,
        late=report.is_late,
        due=due.isoformat() if due else None,
        lines_added=added,
    )
    return report


def accept_report(actor, report: ProgressReport, version: int) -> ProgressReport:
    return _decide(actor, report, version, ReportState.ACCEPTED, None)


def return_report(
    actor, report: ProgressReport, version: int, reason: str | None
) -> ProgressReport:
    return _decide(actor, report, version, ReportState.RETURNED, reason)


def _decide(
    actor, report: ProgressReport, version: int, state: ReportState, reason: str | None
) -> ProgressReport:
    lock_report(report)
    check_version(report, version)
    policy.ensure(actor, Action.REPORT_DECIDE, report)
    reason = clean(reason) if reason else None
    if state == ReportState.RETURNED and not reason:
        raise ReportError(_("Say why, so the editor knows what to change."), "reason")
    report.state = state
    report.decided_at = utcnow()
    report.decided_by_id = actor.id
    report.return_reason = reason if state == ReportState.RETURNED else None
    flush_or_stale(report)
    notify(
        editors_at(report.unit_id, report.organization_id, report.submitted_by),
        NotificationKind.REPORT_ACCEPTED
        if state == ReportState.ACCEPTED
        else NotificationKind.REPORT_RETURNED,
        report=report,
        actor=actor,
    )
    record(actor, f"report.{state}", report, unit_id=report.unit_id, reason=reason)
    return report
