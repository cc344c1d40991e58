"""The catalogue of report figures: add, rename, reorder, retire and bring back, and delete
one no report has given. The screen and `flask report-figure` (actor None: the operator on
the command line) go through the same functions; each checks the policy, appends the audit
event and flushes; the caller commits."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import flush_or_stale, lock_current
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.reports.models import FigureMeasure, ReportFigure, ReportFigureValue
from webapp.text import clean

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
FIGURE_FIELDS = ("code", "name_vi", "name_en", "measure", "sort_order")


class FigureError(Refused):
    """A figure that cannot be saved as given."""


@dataclass
class FigureValues:
    code: str
    name_vi: str
    measure: FigureMeasure
    name_en: str | None = None
    sort_order: int | None = None  # None: after the last one


def figure_snapshot(row: ReportFigure | FigureValues) -> dict:
    return {n: str(getattr(row, n)) if n == "measure" else getattr(row, n) for n in FIGURE_FIELDS}


def has_values(figure: ReportFigure) -> bool:
    """Whether some report gave this figure: then it is retired, never deleted."""
    return bool(
        db.session.scalar(
            sa.select(ReportFigureValue.report_id)
            .where(ReportFigureValue.figure_id == figure.id, ReportFigureValue.value.is_not(None))
            .limit(1)
        )
    )


def _ensure(actor) -> None:
    if actor is not None:
        policy.ensure(actor, Action.REPORT_FIGURE_MANAGE, ReportFigure)


def _check(figure: ReportFigure | None, values: FigureValues) -> None:
    if not CODE.match(values.code):
        raise FigureError(
            _("Use up to 40 lower-case letters, digits, dashes or underscores, without accents."),
            "code",
        )
    taken = db.session.scalar(
        sa.select(ReportFigure.id).where(
            ReportFigure.code == values.code, ReportFigure.id != (figure.id if figure else 0)
        )
    )
    if taken:
        raise FigureError(_("Another figure has the code %(code)s.", code=values.code), "code")
    if not values.name_vi:
        raise FigureError(_("This field is required."), "name_vi")
    if values.sort_order is not None and not 0 <= values.sort_order <= 1_000_000:
        raise FigureError(_("Enter a whole number from 0 to 1,000,000."), "sort_order")
    if figure is not None and figure.measure != values.measure and has_values(figure):
        raise FigureError(
            _("Reports have given this figure: its measure stays, or their numbers would "
              "change meaning. Add a new figure instead."),
            "measure",
        )  # fmt: skip


def save_figure(
    actor, figure: ReportFigure | None, version: int, values: FigureValues
) -> ReportFigure:
    """Add a figure (figure None) or change one; `version` is the one the admin saw. New
    reports ask for it at once; reports given already keep their values."""
    _ensure(actor)
    if figure is not None:
        lock_current(figure, version)
    values.code = (values.code or "").strip()
    values.name_vi = clean(values.name_vi) if values.name_vi else ""
    values.name_en = clean(values.name_en) if values.name_en else None
    _check(figure, values)
    if values.sort_order is None:
        last = db.session.scalar(sa.select(sa.func.max(ReportFigure.sort_order))) or 0
        values.sort_order = figure.sort_order if figure is not None else last + 10
    before = figure_snapshot(figure) if figure is not None else None
    if figure is None:
        figure = ReportFigure()
        db.session.add(figure)
    for name in FIGURE_FIELDS:
        setattr(figure, name, getattr(values, name))
    after = figure_snapshot(values)
    if before is None:
        flush_or_stale(figure)
        record(actor, "report_figure.created", figure, unit_id=None, **after)
    elif changes := {n: [before[n], after[n]] for n in FIGURE_FIELDS if before[n] != after[n]}:
        flush_or_stale(figure)
        record(
            actor, "report_figure.changed", figure, unit_id=None, code=figure.code, changes=changes
        )
    return figure


def set_figure_active(actor, figure: ReportFigure, version: int, active: bool) -> ReportFigure:
    """Retire a figure (new reports stop asking for it) or bring it back."""
    _ensure(actor)
    lock_current(figure, version)
    if figure.is_active != active:
        figure.is_active = active
        flush_or_stale(figure)
        event = "report_figure.restored" if active else "report_figure.retired"
        record(actor, event, figure, unit_id=None, code=figure.code)
    return figure


def delete_figure(actor, figure: ReportFigure, version: int) -> None:
    """Only a figure no report has given goes away; the others are retired."""
    _ensure(actor)
    lock_current(figure, version)
    if has_values(figure):
        raise FigureError(_("Reports have given this figure: retire it instead of deleting it."))
    record(actor, "report_figure.deleted", figure, unit_id=None, **figure_snapshot(figure))
    db.session.execute(sa.delete(ReportFigureValue).where(ReportFigureValue.figure_id == figure.id))
    db.session.delete(figure)
    db.session.flush()
