"""The report figures' catalogue: the list in its order, adding, renaming and reordering a
figure, retiring it (new reports stop asking for it; given values stay) or bringing it back,
and deleting one no report has given. Plain pages and forms: they work without JavaScript."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.concurrency import hidden_id, keep_typed, saving, version_of
from webapp.extensions import db
from webapp.forms import field_error
from webapp.policy import Action
from webapp.reports import figures
from webapp.reports.forms import figure_form, figure_values_of
from webapp.reports.models import ReportFigure, ReportFigureValue
from webapp.reports.views.common import bp


def _require() -> None:
    policy.require(current_user, Action.REPORT_FIGURE_MANAGE, ReportFigure)


def _form_page(figure, form, *, status=200, conflict=None):
    page = render_template("admin/figure_form.html", figure=figure, form=form, conflict=conflict)
    return make_response(page, status)


@bp.get("/admin/report-figures")
@login_required
def list_figures():
    _require()
    rows = list(
        db.session.scalars(
            sa.select(ReportFigure).order_by(
                ReportFigure.is_active.desc(), ReportFigure.sort_order, ReportFigure.id
            )
        )
    )
    given = set(
        db.session.scalars(
            sa.select(ReportFigureValue.figure_id)
            .where(ReportFigureValue.value.is_not(None))
            .distinct()
        )
    )
    return render_template("admin/figures.html", figures=rows, given=given)


@bp.route("/admin/report-figures/new", methods=["GET", "POST"])
@login_required
def new_figure():
    _require()
    posted = request.method == "POST"
    form = figure_form(formdata=request.form if posted else None)
    if posted and form.validate():
        with saving(figures.FigureError) as attempt:
            figure = figures.save_figure(current_user, None, 0, figure_values_of(form))
        if attempt.refused:
            field_error(form, attempt.refused)
        else:
            flash(_("The figure %(name)s was added.", name=figure.name_vi), "success")
            return redirect(url_for("reports.list_figures"), code=303)
    return _form_page(None, form, status=422 if posted else 200)


@bp.route("/admin/report-figures/<id:figure_id>/edit", methods=["GET", "POST"])
@login_required
def edit_figure(figure_id: int):
    _require()
    figure = db.get_or_404(ReportFigure, figure_id)
    if request.method != "POST":  # HEAD reads like GET
        return _form_page(figure, figure_form(figure))
    form = figure_form(formdata=request.form)
    if form.validate():
        values = figure_values_of(form)
        with saving(figures.FigureError) as attempt:
            figures.save_figure(current_user, figure, version_of(form), values)
        if attempt.stale and attempt.stale.current is None:
            return _gone()
        figure = db.get_or_404(ReportFigure, figure_id)
        if attempt.stale:
            message = _(
                "Someone else saved this figure after you opened it. Both versions are "
                "shown below; saving again keeps your version."
            )
            keep_typed(form, figure, message)
            return _form_page(figure, form, status=409, conflict=_conflict(form, values, figure))
        if attempt.refused:
            field_error(form, attempt.refused)
        else:
            flash(_("The figure %(name)s was saved.", name=figure.name_vi), "success")
            return redirect(url_for("reports.list_figures"), code=303)
    return _form_page(figure, form, status=422)


def _conflict(form, values, current: ReportFigure) -> list[tuple[str, str, str]]:
    mine, theirs = figures.figure_snapshot(values), figures.figure_snapshot(current)
    measure = dict(form.measure.choices)
    shown = {n: (lambda v: measure.get(v, v)) if n == "measure" else str for n in mine}
    return [
        (str(form[n].label.text), shown[n](mine[n] or ""), shown[n](theirs[n] or ""))
        for n in figures.FIGURE_FIELDS
        if mine[n] != theirs[n]
    ]


def _change(figure_id: int, change, done: str):
    """Retire, bring back or delete, at the version the admin saw."""
    _require()
    figure = db.get_or_404(ReportFigure, figure_id)
    name = figure.name_vi
    with saving(figures.FigureError) as attempt:
        change(figure, hidden_id(request.form.get("version")))
    if attempt.stale and attempt.stale.current is None:
        return _gone()
    if attempt.stale:
        flash(_("Someone else changed this figure after you opened it. Look at it again."),
              "error")  # fmt: skip
    elif attempt.refused:
        flash(str(attempt.refused), "error")
    else:
        flash(done % {"name": name}, "success")
    return redirect(url_for("reports.list_figures"), code=303)


@bp.post("/admin/report-figures/<id:figure_id>/retire")
@login_required
def retire_figure(figure_id: int):
    return _change(
        figure_id,
        lambda figure, version: figures.set_figure_active(current_user, figure, version, False),
        _("New reports no longer ask for %(name)s."),
    )


@bp.post("/admin/report-figures/<id:figure_id>/restore")
@login_required
def restore_figure(figure_id: int):
    return _change(
        figure_id,
        lambda figure, version: figures.set_figure_active(current_user, figure, version, True),
        _("New reports ask for %(name)s again."),
    )


@bp.post("/admin/report-figures/<id:figure_id>/delete")
@login_required
def delete_figure(figure_id: int):
    return _change(
        figure_id,
        lambda figure, version: figures.delete_figure(current_user, figure, version),
        _("The figure %(name)s was deleted."),
    )


def _gone():
    flash(_("Someone else deleted this figure meanwhile."), "error")
    return redirect(url_for("reports.list_figures"), code=303)
