"""A year's evaluations under a unit and the form for one. Plain forms that redirect: every
step works without JavaScript."""

from __future__ import annotations

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.campaign.deadlines import registration_years
from webapp.campaign.models import MemberOrganization
from webapp.commendations import queries, services
from webapp.commendations.forms import EvaluationForm
from webapp.commendations.models import Rating
from webapp.commendations.views.common import bp, checked_year, this_year_at_home
from webapp.concurrency import hidden_id, keep_typed, saving
from webapp.extensions import db
from webapp.forms import field_error
from webapp.policy import Action
from webapp.registrations.services import organizations_at
from webapp.units.models import Unit
from webapp.urls import form_id


@bp.get("/evaluations")
@login_required
def evaluations_index():
    return this_year_at_home(Action.EVALUATION_VIEW, "commendations.show_evaluations")


@bp.get("/evaluations/<int:year>/<id:unit_id>")
@login_required
def show_evaluations(year: int, unit_id: int):
    """The unit's own evaluations (its committee and each organization) and those of the
    units below, each with a link to record it for those who may."""
    unit = db.get_or_404(Unit, unit_id)
    year = checked_year(year)
    policy.require(current_user, Action.UNIT_VIEW, unit)
    below = queries.units_below(unit, year)
    saved = queries.evaluations_of(year, [unit.id, *(u.id for u in below)])

    def row(target: Unit, organization: MemberOrganization | None) -> dict | None:
        key = (target.id, organization.id if organization else None)
        evaluation = saved.get(key) or services.evaluation_for(year, target, organization)
        if not policy.can(current_user, Action.EVALUATION_VIEW, evaluation):
            return None
        return {
            "unit": target,
            "organization": organization,
            "evaluation": evaluation if evaluation.id else None,
            "can_record": policy.can(current_user, Action.EVALUATION_RECORD, evaluation),
        }

    own = [
        r
        for r in [row(unit, None), *(row(unit, o) for o in organizations_at(unit))]
        if r is not None
    ]
    children = [r for r in (row(u, None) for u in below) if r is not None]
    return render_template(
        "commendations/evaluations.html",
        unit=unit,
        year=year,
        years=registration_years(),
        own=own,
        children=children,
    )


def _evaluation_target(year: int, unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    organization_id = form_id(request.values.get("organization_id"))
    organization = None
    if organization_id is not None:
        organization = db.get_or_404(MemberOrganization, organization_id)
    evaluation = services.evaluation_for(checked_year(year), unit, organization)
    if evaluation.id is not None:
        policy.require(current_user, Action.EVALUATION_VIEW, evaluation)
    return evaluation


@bp.route("/evaluations/<int:year>/<id:unit_id>/record", methods=["GET", "POST"])
@login_required
def record_evaluation(year: int, unit_id: int):
    evaluation = _evaluation_target(year, unit_id)
    policy.require(current_user, Action.EVALUATION_RECORD, evaluation)
    posted = request.method == "POST"
    form = EvaluationForm(formdata=request.form if posted else None)
    form.rating.choices = Rating.choices()
    saved_now = None
    status = 200
    if not posted:
        form.version.data = str(evaluation.version) if evaluation.id else ""
        form.rating.data = str(evaluation.rating) if evaluation.id else None
        form.remarks.data = evaluation.remarks if evaluation.id else ""
    elif form.validate():
        seen = hidden_id(form.version.data) or None
        with saving(services.CommendationError) as attempt:
            services.record_evaluation(
                current_user, evaluation, seen, form.rating.data, form.remarks.data
            )
        if attempt.stale:
            evaluation = saved_now = _evaluation_target(year, unit_id)
            message = _(
                "Someone else saved this evaluation after you opened it. What is saved "
                "now is shown above; your text is kept below, and saving again keeps yours."
            )
            keep_typed(form, evaluation, message)
            status = 409
        elif attempt.refused:
            field_error(form, attempt.refused)
            status = 422
        else:
            flash(_("The evaluation was saved."), "success")
            return redirect(
                url_for("commendations.show_evaluations", year=year, unit_id=unit_id), code=303
            )
    else:
        status = 422
    return make_response(
        render_template(
            "commendations/evaluation_form.html",
            evaluation=evaluation,
            form=form,
            saved_now=saved_now,
        ),
        status,
    )


# Nominations
