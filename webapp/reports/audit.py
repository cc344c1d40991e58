"""How the audit log reads the events of progress reports and of the report figures'
catalogue."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from webapp.audit import sentences as audit
from webapp.audit.sentences import (
    ANOTHER_FIELD,
    Names,
    as_int,
    event_details,
    object_ids,
    object_of,
    text_detail,
)
from webapp.campaign.audit import ORGANIZATIONS
from webapp.registrations.audit import ENTRIES, entry_phrase, kept_values
from webapp.reports.models import Period, ProgressLine, ProgressReport, ReportFigure
from webapp.units.audit import UNITS, owner

LINES = ProgressLine.__tablename__
REPORTS = ProgressReport.__tablename__
FIGURES = ReportFigure.__tablename__

audit.loads(LINES, audit.by_id(ProgressLine))
audit.loads(REPORTS, audit.by_id(ProgressReport))
audit.loads(FIGURES, audit.by_id(ReportFigure))


@audit.wants(LINES)
def _lines(events, names: Names):
    return object_ids(events, LINES)


@audit.wants(REPORTS, reads=(LINES,))
def _reports(events, names: Names):
    return (
        object_ids(events, REPORTS)
        | object_ids(events, LINES, "report_id")
        | {line.report_id for line in names.of(LINES).values()}
    )


@audit.wants(ENTRIES, reads=(LINES,))
def _line_entries(events, names: Names):
    return object_ids(events, LINES, "entry_id") | {
        line.entry_id for line in names.of(LINES).values()
    }


@audit.wants(UNITS, reads=(REPORTS,))
def _report_units(events, names: Names):
    return {report.unit_id for report in names.of(REPORTS).values()}


@audit.wants(ORGANIZATIONS, reads=(REPORTS,))
def _report_organizations(events, names: Names):
    return {report.organization_id for report in names.of(REPORTS).values()}


@audit.wants(FIGURES)
def _figures(events, names: Names):
    """The catalogue's figures, and those whose values a report's update changed."""
    changed = {
        int(key)
        for e in events
        if e.action == "report.figures_updated"
        and isinstance(changes := event_details(e).get("changes"), dict)
        for key in changes
        if str(key).isdigit()
    }
    return changed | object_ids(events, FIGURES)


def report_phrase(names: Names, report_id: int | None) -> str:
    report = names.get(REPORTS, report_id)
    if report is None:
        return _("a progress report")
    who = owner(names, names.get(ORGANIZATIONS, report.organization_id), report.unit_id)
    if report.period == Period.HALF_YEAR:
        return _("the six-month report %(year)d of %(owner)s", year=report.year, owner=who)
    return _("the annual report %(year)d of %(owner)s", year=report.year, owner=who)


def _report_values(event, details: dict, names: Names) -> dict:
    line = object_of(event, names, LINES)
    if event.object_type == REPORTS:
        report_id = event.object_id
    else:
        report_id = line.report_id if line else as_int(details.get("report_id"))
    if line is not None:
        entry_id = line.entry_id
    elif event.object_type == LINES:
        entry_id = as_int(details.get("entry_id"))
    else:
        entry_id = None
    return {
        "report": report_phrase(names, report_id),
        "entry": entry_phrase(names, entry_id, kept_values(details)),
    }


def _figure_changed(key: str, names: Names) -> str | None:
    """A report's figures are named by the catalogue's names (keys are their ids)."""
    if not key.isdigit():
        return None
    figure = names.get(FIGURES, int(key))
    return figure.tr("name") if figure else str(ANOTHER_FIELD)


def _figure_values(event, details: dict, names: Names) -> dict:
    """A figure by its name (its code only when the name is not known): codes are for the
    administrators' forms, not for sentences."""
    figure = object_of(event, names, FIGURES)
    text = figure.tr("name") if figure else text_detail(details, "name_vi")
    return {"code": text or text_detail(details, "code") or "—"}


audit.register(
    {
        "report.figures_updated": (
            _l("The overall figures of %(report)s were updated"),
            _l("Overall report figures updated"),
        ),
    },
    values=_report_values,
    field_name=_figure_changed,
)
audit.register(
    {
        "report.created": (
            _l("%(report)s was started"),
            _l("Progress report started"),
        ),
        "report.lines_added": (
            _l("Newly approved entries were added to %(report)s"),
            _l("Entries added to a progress report"),
        ),
        "report.line_updated": (
            _l("The progress of %(entry)s in %(report)s was updated"),
            _l("Progress of an entry updated"),
        ),
        "report.submitted": (
            _l("%(report)s was submitted for review"),
            _l("Progress report submitted"),
        ),
        "report.accepted": (
            _l("%(report)s was accepted"),
            _l("Progress report accepted"),
        ),
        "report.returned": (
            _l("%(report)s was returned to the editor"),
            _l("Progress report returned"),
        ),
    },
    values=_report_values,
)
audit.register(
    {
        "report_figure.created": (
            _l("Report figure “%(code)s” was added"),
            _l("Report figure added"),
        ),
        "report_figure.changed": (
            _l("Report figure “%(code)s” was changed"),
            _l("Report figure changed"),
        ),
        "report_figure.retired": (
            _l("Report figure “%(code)s” was retired"),
            _l("Report figure retired"),
        ),
        "report_figure.restored": (
            _l("Report figure “%(code)s” is asked for again"),
            _l("Report figure asked for again"),
        ),
        "report_figure.deleted": (
            _l("Report figure “%(code)s” was deleted"),
            _l("Report figure deleted"),
        ),
    },
    values=_figure_values,
)
audit.field_labels(
    {
        "status": _l("Status"),
        "percent_done": lazy_pgettext("changed field", "Percent done"),
        "money_people": _l("Money contributed by the people"),
        "money_state": _l("Money from the state budget"),
        "money_other": _l("Money from other sources"),
        "workdays": _l("Workdays"),
        "land_m2": _l("Land given (m²)"),
        "beneficiaries": _l("Beneficiaries"),
        "result": _l("Result"),
        "name_vi": _l("Name in Vietnamese"),
        "name_en": _l("Name in English"),
        "measure": _l("Measure"),
        "sort_order": _l("Order"),
    }
)
