"""A unit's nominations, proposing one, its page with submission and the decision, and the
approver's queue. Plain forms that redirect: every step works without JavaScript."""

from __future__ import annotations

from flask import (
    abort,
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
from webapp.commendations.forms import ApprovalForm, NominationForm
from webapp.commendations.models import Nomination, NominationState, NomineeKind
from webapp.commendations.permissions import deciding_unit
from webapp.commendations.views.common import bp, checked_year, this_year_at_home
from webapp.concurrency import VersionForm, keep_typed, saving, version_of
from webapp.extensions import db
from webapp.forms import field_error
from webapp.policy import Action
from webapp.review.forms import DecisionForm
from webapp.units.models import Unit


def _probe(unit: Unit, year: int) -> Nomination:
    return Nomination(proposing_unit=unit, year=year, proposed_by_id=current_user.id, reason="")


@bp.get("/nominations")
@login_required
def nominations_index():
    return this_year_at_home(Action.NOMINATION_VIEW, "commendations.unit_nominations")


@bp.get("/nominations/<int:year>/<id:unit_id>")
@login_required
def unit_nominations(year: int, unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    year = checked_year(year)
    probe = _probe(unit, year)
    policy.require(current_user, Action.NOMINATION_VIEW, probe)
    return render_template(
        "commendations/nominations.html",
        unit=unit,
        year=year,
        years=registration_years(),
        nominations=queries.nominations_of(current_user, unit, year),
        can_propose=policy.can(current_user, Action.NOMINATION_CREATE, probe),
    )


def _nomination_form(unit: Unit, year: int, formdata=None, obj=None) -> NominationForm:
    form = NominationForm(formdata=formdata, obj=obj)
    form.kind.choices = NomineeKind.choices()
    form.unit_id.choices = [("", "—")] + [
        (u.id, "\u00a0\u00a0" * depth + u.name) for u, depth in queries.units_of_tree(unit, year)
    ]
    form.organization_id.choices = [("", "—")] + [
        (o.id, o.tr("name")) for o in db.session.scalars(
            db.select(MemberOrganization).where(MemberOrganization.is_active)
            .order_by(MemberOrganization.sort_order, MemberOrganization.id)
        )
    ]  # fmt: skip
    form.entry_id.choices = [("", "—")] + [
        (e.id, f"{e.name} · {e.registration_list.unit.name}")
        for e in services.nominable_entries(current_user, unit, year)
    ]
    return form


def _nominee_values(form: NominationForm) -> services.NomineeValues:
    return services.NomineeValues(
        kind=form.kind.data,
        unit_id=form.unit_id.data,
        organization_id=form.organization_id.data,
        person_name=form.person_name.data,
        person_role=form.person_role.data,
        entry_id=form.entry_id.data,
        reason=form.reason.data,
    )


def _nomination_form_page(unit, year, form, *, status=200, nomination=None, saved_now=None):
    return make_response(
        render_template(
            "commendations/nomination_form.html",
            unit=unit,
            year=year,
            form=form,
            nomination=nomination,
            saved_now=saved_now,
        ),
        status,
    )


@bp.route("/nominations/<int:year>/<id:unit_id>/new", methods=["GET", "POST"])
@login_required
def new_nomination(year: int, unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    year = checked_year(year)
    policy.require(current_user, Action.NOMINATION_CREATE, _probe(unit, year))
    posted = request.method == "POST"
    form = _nomination_form(unit, year, request.form if posted else None)
    if not posted:
        return _nomination_form_page(unit, year, form)
    if form.validate():
        try:
            nomination = services.create_nomination(current_user, unit, year, _nominee_values(form))
        except services.CommendationError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The nomination was saved as a draft. Send it when it is ready."), "success")
            return _back(nomination)
    return _nomination_form_page(unit, year, form, status=422)


@bp.route("/nominations/<id:nomination_id>/edit", methods=["GET", "POST"])
@login_required
def edit_nomination(nomination_id: int):
    nomination = _load(nomination_id)
    unit, year = nomination.proposing_unit, nomination.year
    # 403 unless theirs; sent or decided meanwhile: back to it, with a word.
    verdict = policy.require_unless_moved_on(current_user, Action.NOMINATION_CREATE, nomination)
    if verdict.wrong_state:
        flash(_("This nomination has already been sent."), "success")
        return _back(nomination)
    posted = request.method == "POST"
    form = _nomination_form(unit, year, request.form if posted else None, nomination)
    if not posted:
        form.kind.data = str(nomination.kind)
        form.version.data = str(nomination.version)
        return _nomination_form_page(unit, year, form, nomination=nomination)
    if form.validate():
        with saving(services.CommendationError) as attempt:
            services.update_nomination(
                current_user, nomination, version_of(form), _nominee_values(form)
            )
        if attempt.stale:
            nomination = _load(nomination_id)
            message = _(
                "Someone else changed this nomination after you opened it. What is saved "
                "now is shown above; your text is kept below, and saving again keeps yours."
            )
            keep_typed(form, nomination, message)
            return _nomination_form_page(
                unit, year, form, status=409, nomination=nomination, saved_now=nomination
            )
        if attempt.refused:
            field_error(form, attempt.refused)
        else:
            flash(_("The nomination was saved."), "success")
            return _back(nomination)
    return _nomination_form_page(unit, year, form, status=422, nomination=nomination)


def _load(nomination_id: int) -> Nomination:
    nomination = db.get_or_404(Nomination, nomination_id)
    policy.require(current_user, Action.NOMINATION_VIEW, nomination)
    return nomination


def _nomination_page(nomination: Nomination, *, status: int = 200, form=None, approval_form=None):
    form = form or DecisionForm(data={"version": nomination.version})
    approval_form = approval_form or ApprovalForm(data={"version": nomination.version})
    return make_response(
        render_template(
            "commendations/nomination.html",
            nomination=nomination,
            decision_form=form,
            approval_form=approval_form,
            deciding_unit=deciding_unit(nomination),
        ),
        status,
    )


@bp.get("/nominations/<id:nomination_id>")
@login_required
def show_nomination(nomination_id: int):
    return _nomination_page(_load(nomination_id))


def _back(nomination: Nomination):
    return redirect(url_for("commendations.show_nomination", nomination_id=nomination.id), code=303)


def _load_to_submit(nomination_id: int) -> Nomination:
    """The nomination the user may send now. A draft they may not send is refused (403); one
    already sent sends them back to it with a word, so a second tap does no harm."""
    nomination = _load(nomination_id)
    # 403 unless theirs; sent or decided meanwhile: back to it, with a word.
    verdict = policy.require_unless_moved_on(current_user, Action.NOMINATION_SUBMIT, nomination)
    if verdict.wrong_state:
        flash(_("This nomination has already been sent."), "success")
        abort(_back(nomination))
    return nomination


@bp.get("/nominations/<id:nomination_id>/submit")
@login_required
def confirm_submit(nomination_id: int):
    """What sending will do, before it locks the nomination: one tap must not send it."""
    nomination = _load_to_submit(nomination_id)
    return render_template(
        "commendations/submit.html",
        nomination=nomination,
        deciding_unit=deciding_unit(nomination),
    )


@bp.post("/nominations/<id:nomination_id>/submit")
@login_required
def submit_nomination(nomination_id: int):
    nomination = _load_to_submit(nomination_id)
    with saving() as attempt:
        services.submit_nomination(current_user, nomination, version_of(DecisionForm()))
    if attempt.stale:
        flash(_("The nomination changed after you opened it. Look at it again."), "error")
        return _back(nomination)
    flash(_("The nomination was sent to the level above for approval."), "success")
    return _back(nomination)


@bp.post("/nominations/<id:nomination_id>/delete")
@login_required
def delete_nomination(nomination_id: int):
    """Withdraw a draft; the version the proposer saw guards it. Once sent it stays."""
    nomination = _load(nomination_id)
    if nomination.state != NominationState.DRAFT:
        flash(_("This nomination has already been sent, so it cannot be withdrawn."), "error")
        return _nomination_page(nomination, status=409)
    policy.require(current_user, Action.NOMINATION_CREATE, nomination)
    unit_id, year = nomination.proposing_unit_id, nomination.year
    with saving(services.CommendationError) as attempt:
        services.delete_nomination(current_user, nomination, version_of(VersionForm()))
    if not attempt.saved:
        flash(
            _(
                "Someone else changed this nomination after you opened it, so it was not "
                "withdrawn. Check it and withdraw it again if you still want to."
            ),
            "error",
        )
        return _nomination_page(_load(nomination_id), status=409)
    flash(_("The draft nomination was withdrawn."), "success")
    return redirect(url_for("commendations.unit_nominations", year=year, unit_id=unit_id), code=303)


@bp.post("/nominations/<id:nomination_id>/approve")
@login_required
def approve_nomination(nomination_id: int):
    return _decide(nomination_id, approve=True)


@bp.post("/nominations/<id:nomination_id>/reject")
@login_required
def reject_nomination(nomination_id: int):
    return _decide(nomination_id, approve=False)


def _decide(nomination_id: int, *, approve: bool):
    nomination = _load(nomination_id)
    form = ApprovalForm() if approve else DecisionForm()
    # 403 unless theirs; sent or decided meanwhile: back to it, with a word.
    verdict = policy.require_unless_moved_on(current_user, Action.NOMINATION_DECIDE, nomination)
    if verdict.wrong_state:
        flash(_("This nomination has already been decided."), "success")
        return _back(nomination)
    forms = {"approval_form": form} if approve else {"form": form}
    if not form.validate():
        return _nomination_page(nomination, status=422, **forms)
    with saving(services.CommendationError) as attempt:
        if approve:
            services.approve_nomination(
                current_user,
                nomination,
                version_of(form),
                form.decision_number.data,
                form.decision_date.data,
            )
        else:
            services.reject_nomination(current_user, nomination, version_of(form), form.reason.data)
    if attempt.stale:
        flash(_("The nomination changed after you opened it. Look at it again."), "error")
        return _back(nomination)
    if attempt.refused:
        getattr(form, attempt.refused.field).errors = [str(attempt.refused)]
        return _nomination_page(_load(nomination_id), status=422, **forms)
    flash(
        _("The nomination was approved.") if approve else _("The nomination was not approved."),
        "success",
    )
    return _back(nomination)


@bp.get("/queue")
@login_required
def queue():
    if not policy.can_somewhere(current_user, Action.NOMINATION_DECIDE):
        abort(403)
    return render_template(
        "commendations/queue.html", nominations=queries.decision_queue(current_user)
    )


# The public list
