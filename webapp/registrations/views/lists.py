"""Registration lists: a unit's lists for a year, comparing years, starting a list, a list with
its entries, its header, and submitting it."""

from __future__ import annotations

from types import SimpleNamespace

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
from sqlalchemy.exc import IntegrityError

from webapp import policy
from webapp.campaign.deadlines import current_campaign, registration_due, registration_years
from webapp.campaign.models import MemberOrganization
from webapp.concurrency import keep_typed, saving, version_of
from webapp.db import local_today
from webapp.extensions import db
from webapp.htmx import (
    fragment_or_redirect,
)
from webapp.policy import Action
from webapp.registrations import comparison, services
from webapp.registrations.forms import HeaderForm
from webapp.registrations.list_page import list_page, list_url
from webapp.registrations.models import EntryState, ListState, RegistrationList
from webapp.registrations.queries import (
    compare_header,
    list_summary,
    load_list,
    may_open_unit,
    unit_overview,
)
from webapp.registrations.views.common import (
    bp,
    kept,
    locked_list,
    may_change,
    refresh_with,
)
from webapp.units.models import Unit
from webapp.units.queries import counterparts_in_year, valid_in_year
from webapp.urls import form_id


@bp.get("")
@login_required
def index():
    """The lists of the user's own unit for this year."""
    pairs = policy.scope(current_user, Action.LIST_VIEW)
    if not pairs:
        abort(403)
    year = local_today().year
    return redirect(url_for("registrations.show_unit", year=year, unit_id=pairs[0][0]))


@bp.app_template_global()
def may_open_registrations(unit: Unit, year: int) -> bool:
    """For links to a unit's registrations page (breadcrumbs): the page's own question."""
    return may_open_unit(current_user, unit, year)


@bp.get("/<int:year>/<id:unit_id>")
@login_required
def show_unit(year: int, unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    if year not in registration_years():
        abort(404)
    if not may_open_unit(current_user, unit, year):
        abort(403)
    overview = unit_overview(current_user, unit, year)
    return render_template(
        "registrations/unit.html",
        unit=unit,
        year=year,
        overview=overview,
        counterparts=[] if valid_in_year(unit, year) else counterparts_in_year(unit, year),
        years=registration_years(),
        due=registration_due(year),
        today=local_today(),
    )


@bp.get("/compare")
@login_required
def compare_years():
    """Two years side by side per unit, the earlier year's units mapped to their successors."""
    if not policy.can_somewhere(current_user, Action.LIST_VIEW):
        abort(403)
    years = registration_years()
    later = request.args.get("later", type=int) or local_today().year
    earlier = request.args.get("earlier", type=int) or later - 1
    content_id = form_id(request.args.get("content"))
    error = None
    if earlier not in years or later not in years or earlier >= later:
        error = _("Choose two registration years, the earlier one first.")
    rows = [] if error else comparison.compare_years(current_user, earlier, later, content_id)
    return render_template(
        "registrations/compare.html",
        rows=rows,
        years=years,
        earlier=earlier,
        later=later,
        content_id=content_id,
        contents=current_campaign().contents if current_campaign() else [],
        error=error,
    ), (422 if error else 200)


@bp.post("/lists")
@login_required
def start_list():
    """Open (creating if needed) an organization's list for a unit and year."""
    unit_id, organization_id = (
        form_id(request.form.get(n)) for n in ("unit_id", "organization_id")
    )
    year = request.form.get("year", type=int)
    if unit_id is None or organization_id is None or year not in registration_years():
        abort(400)
    unit = db.get_or_404(Unit, unit_id)
    organization = db.get_or_404(MemberOrganization, organization_id)
    try:
        registration_list = services.start_list(current_user, unit, organization, year)
        db.session.commit()
    except policy.Denied:
        abort(403)
    except services.RegistrationError as error:
        flash(str(error), "error")
        return redirect(url_for("registrations.show_unit", year=year, unit_id=unit.id), code=303)
    except IntegrityError:
        # A second tap on a slow connection started it meanwhile: open that one.
        db.session.rollback()
        registration_list = services.start_list(current_user, unit, organization, year)
    return redirect(list_url(registration_list), code=303)


@bp.get("/lists/<id:list_id>")
@login_required
def show_list(list_id: int):
    return list_page(load_list(list_id))


@bp.get("/lists/<id:list_id>/summary")
@login_required
def show_summary(list_id: int):
    registration_list = load_list(list_id)
    return fragment_or_redirect(
        "registrations/_summary.html",
        redirect_to=list_url(registration_list),
        registration_list=registration_list,
        summary=list_summary(registration_list),
    )


@bp.route("/lists/<id:list_id>/header", methods=["GET", "POST"])
@login_required
def edit_header(list_id: int):
    registration_list = load_list(list_id)
    form = HeaderForm(obj=registration_list if request.method != "POST" else None)
    conflict = None
    if not may_change(registration_list, Action.LIST_EDIT):
        if request.method != "POST":  # HEAD reads like GET
            return refresh_with(locked_list(), list_url(registration_list))
        form.form_errors.append(kept(locked_list()))
    elif form.validate_on_submit():
        with saving() as attempt:
            services.update_header(
                current_user,
                registration_list,
                version_of(form),
                registered_on=form.registered_on.data,
                signer_title=form.signer_title.data or None,
                signer_name=form.signer_name.data or None,
            )
        if attempt.stale:
            registration_list = load_list(list_id)
            message = _(
                "Someone else changed the header after you opened it. Compare the two "
                "versions below; saving again keeps your version."
            )
            keep_typed(form, registration_list, message)
            conflict = compare_header(form, registration_list)
        else:
            flash(_("The header of the list was saved."), "success")
            return redirect(list_url(registration_list), code=303)
    status = 422 if request.method == "POST" else 200
    return make_response(
        render_template(
            "registrations/header.html",
            registration_list=registration_list,
            form=form,
            conflict=conflict,
        ),
        status,
    )


def _load_to_submit(list_id: int) -> RegistrationList:
    """The list the user may send now. One already sent sends them back to it with a word:
    most often a second tap on a slow connection, and the first one went through."""
    registration_list = load_list(list_id)
    if not may_change(registration_list, Action.LIST_SUBMIT):
        flash(_("This list has already been submitted."), "success")
        abort(redirect(list_url(registration_list), code=303))
    return registration_list


@bp.get("/lists/<id:list_id>/submit")
@login_required
def confirm_submit(list_id: int):
    """What sending will do, before it locks the list: one tap must not send it."""
    registration_list = _load_to_submit(list_id)
    due = registration_due(registration_list.year)
    pending = [e for e in registration_list.entries if e.is_editable]
    return render_template(
        "registrations/submit.html",
        registration_list=registration_list,
        summary=list_summary(registration_list),
        pending=len(pending),
        late=due is not None
        and local_today() > due
        and any(e.state == EntryState.DRAFT for e in pending),
        due=due,
        reviewers=policy.unit_for(Action.LIST_APPROVE, _as_sent_by(registration_list)),
    )


def _as_sent_by(registration_list: RegistrationList) -> SimpleNamespace:
    """The list as it will stand once this user sends it, for the policy to say whose review
    it goes to (the sender is passed over)."""
    return SimpleNamespace(
        unit=registration_list.unit,
        organization=registration_list.organization,
        organization_id=registration_list.organization_id,
        submitted_by_id=current_user.id,
    )


@bp.post("/lists/<id:list_id>/submit")
@login_required
def submit_list(list_id: int):
    registration_list = _load_to_submit(list_id)
    try:
        services.submit_list(current_user, registration_list)
    except services.RegistrationError as error:
        flash(str(error), "error")
        return redirect(list_url(registration_list), code=303)
    db.session.commit()
    if registration_list.state == ListState.SUBMITTED and not policy.who_can(
        Action.LIST_APPROVE, registration_list
    ):
        flash(
            _(
                "Nobody reviews this list yet: ask your administrator to give someone the "
                "reviewer role above your unit."
            ),
            "warning",
        )
    if registration_list.is_late:
        flash(_("The list was submitted after the deadline and is marked late."), "warning")
    else:
        flash(_("The list was submitted for review."), "success")
    return redirect(list_url(registration_list), code=303)
