"""The result report's fund figures, taken from the book instead of typed: "Quỹ 'Vì người
nghèo': số tiền vận động được" is what the unit's book received in the period, "số tiền đã
chi" what it spent (the first six months: the lines dated up to 30 June)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from webapp.extensions import db
from webapp.fund.queries import statement
from webapp.fund.services import find_book
from webapp.reports.models import Period, ProgressReport, ReportFigure
from webapp.reports.services import update_figures
from webapp.units.models import Unit

FRONT = "mttq"  # the fund is the Front committee's: its report carries the figures
MOBILIZED = "quy_vnn_mobilized"
SPENT = "quy_vnn_spent"


def book_figures(unit: Unit, year: int, period: Period) -> dict[str, int]:
    book = find_book(unit)
    until = date(year, 6, 30) if period == Period.HALF_YEAR else None
    figures = statement([book.id] if book else [], year, until=until)
    return {MOBILIZED: figures.received, SPENT: figures.spent}


def report_figure_ids() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(ReportFigure.code, ReportFigure.id).where(
            ReportFigure.code.in_([MOBILIZED, SPENT])
        )
    )
    return {code: figure_id for code, figure_id in rows}


def typed_figures(report: ProgressReport) -> dict[str, int | None]:
    ids = report_figure_ids()
    by_id = {v.figure_id: v.value for v in report.figure_values}
    return {code: by_id.get(figure_id) for code, figure_id in ids.items()}


def disagrees(report: ProgressReport) -> bool:
    """The report gives a fund figure other than its book's."""
    book = book_figures(report.unit, report.year, report.period)
    return any(
        value is not None and value != book[code] for code, value in typed_figures(report).items()
    )


def fill_report(actor, report: ProgressReport) -> ProgressReport:
    """Write the book's figures into the report (the report's own checks and audit apply)."""
    book = book_figures(report.unit, report.year, report.period)
    values = {figure_id: book[code] for code, figure_id in report_figure_ids().items()}
    return update_figures(actor, report, report.version, values)


def show_derived(report: ProgressReport, derived: dict) -> None:
    """The Front committee's report of a unit that keeps a book shows the book's figures, read
    only, with a link to the book's year (a unit without a book types its numbers)."""
    if report.organization.code != FRONT or find_book(report.unit) is None:
        return
    source = _("From the fund's book")
    url = url_for("fund.book", unit_id=report.unit_id, year=report.year)
    for code, value in book_figures(report.unit, report.year, report.period).items():
        derived[code] = (value, source, url)


def fill_on_submit(actor, report: ProgressReport) -> None:
    """Before the Front committee's report of a unit that keeps a book is sent: the book's
    figures replace whatever was typed (a unit without a book keeps its typed numbers)."""
    if report.organization.code != FRONT or find_book(report.unit) is None:
        return
    if not report_figure_ids():
        return
    if disagrees(report) or None in typed_figures(report).values():
        fill_report(actor, report)
