"""Registration pages: a unit's lists for a year, a list with its entries, and entry editing.

Every flow is a plain form post that redirects (JavaScript off); with htmx the same URLs answer
with the one row that changed.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import (
    Blueprint,
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
from webapp.concurrency import VersionForm, keep_typed, saving, version_of
from webapp.db import local_today
from webapp.extensions import db
from webapp.htmx import (
    after_change,
    fragment_or_redirect,
    is_partial,
    render_fragment,
    render_fragment_or_page,
)
from webapp.policy import Action
from webapp.registrations import comparison, services
from webapp.registrations.forms import (
    EntryForm,
    HeaderForm,
    entry_form,
    entry_values,
)
from webapp.registrations.models import Entry, EntryState, ListState, RegistrationList
from webapp.registrations.queries import (
    compare_entry,
    compare_header,
    list_summary,
    load_list,
    may_open_unit,
    unit_overview,
)
from webapp.units.models import Unit
from webapp.units.queries import counterparts_in_year, valid_in_year
from webapp.urls import form_id

bp = Blueprint("registrations", __name__, url_prefix="/registrations")


def _load_entry(entry_id: int) -> Entry:
    entry = db.get_or_404(Entry, entry_id)
    policy.require(current_user, Action.LIST_VIEW, entry.registration_list)
    return entry


def _entry_to_change(entry_id: int) -> Entry:
    """The entry, if the user may change it now; else the row (or page) saying it is locked."""
    entry = _load_entry(entry_id)
    if not _may_change(entry, Action.ENTRY_EDIT):
        abort(_row_notice(entry, entry.registration_list, _locked()))
    return entry


def _may_change(obj: Entry | RegistrationList, action: Action) -> bool:
    """Whether the user may change it now. False when it is in their hands but locked
    (submitted meanwhile): callers say so and keep what was typed. 403 when they never could."""
    return policy.require_unless_moved_on(current_user, action, obj).allowed


def _locked() -> str:
    return _("This entry can no longer be changed: its list has been submitted.")


def _locked_list() -> str:
    return _("This list has been submitted and can no longer be changed.")


def _kept(message: str) -> str:
    return _("%(reason)s What you typed is kept below so you can copy it.", reason=message)


def _refresh_with(message: str, redirect_to: str):
    """The page the user acted on is out of date: show it again with the reason."""
    flash(message, "error")
    if is_partial():
        response = render_fragment(None)
        response.headers["HX-Refresh"] = "true"
        return response
    return redirect(redirect_to, code=303)


def _row_notice(entry: Entry | None, registration_list: RegistrationList, message: str):
    """Why a change did not happen: in place of the row for htmx (gone if it was deleted),
    else as a message on the list page."""
    if is_partial():
        return render_fragment(
            "registrations/_entry.html" if entry else None,
            event="entries-changed",
            entry=entry,
            notice=message,
        )
    flash(message, "error")
    return redirect(list_url(registration_list, entry), code=303)


def list_url(registration_list: RegistrationList, entry: Entry | None = None) -> str:
    anchor = f"entry-{entry.id}" if entry else None
    return url_for("registrations.show_list", list_id=registration_list.id, _anchor=anchor)


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


def list_page(registration_list: RegistrationList, *, status: int = 200, **extra):
    context = {
        "registration_list": registration_list,
        "summary": list_summary(registration_list),
        "due": registration_due(registration_list.year),
        "today": local_today(),
        **extra,
    }
    return make_response(render_template("registrations/list.html", **context), status)


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


@bp.get("/lists/<id:list_id>/entries/new")
@login_required
def new_entry(list_id: int):
    registration_list = load_list(list_id)
    if not _may_change(registration_list, Action.LIST_EDIT):
        return _refresh_with(_locked_list(), list_url(registration_list))
    if request.args.get("closed"):
        return fragment_or_redirect(
            "registrations/_new_entry.html",
            redirect_to=list_url(registration_list),
            registration_list=registration_list,
        )
    return render_fragment_or_page(
        "registrations/_entry_form.html",
        "registrations/entry_form.html",
        registration_list=registration_list,
        entry=None,
        form=entry_form(registration_list),
        inline=is_partial(),
    )


@bp.post("/lists/<id:list_id>/entries")
@login_required
def create_entry(list_id: int):
    registration_list = load_list(list_id)
    form = entry_form(registration_list, formdata=request.form)
    if not _may_change(registration_list, Action.LIST_EDIT):
        form.form_errors.append(_kept(_locked_list()))
        return _entry_form_invalid(registration_list, None, form, status=409)
    if form.validate():
        try:
            entry = services.add_entry(
                current_user, registration_list, entry_values(form, registration_list)
            )
        except services.RegistrationError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            if not is_partial():
                flash(_("Entry added: %(name)s", name=entry.name), "success")
            return after_change(
                "registrations/_entry_added.html",
                event="entries-changed",
                redirect_to=list_url(registration_list, entry),
                registration_list=registration_list,
                entry=entry,
            )
    return _entry_form_invalid(registration_list, None, form)


def _field_error(form: EntryForm, error: services.RegistrationError) -> None:
    field = getattr(form, f"{error.field}_id", None) or getattr(form, error.field or "", None)
    (field.errors if field is not None else form.form_errors).append(str(error))


def _entry_form_invalid(
    registration_list, entry, form, *, conflict=None, status=422, deleted_row=None
):
    """Re-render the form with what the user typed: in place for htmx, else as a page."""
    context = {
        "registration_list": registration_list,
        "entry": entry,
        "form": form,
        "conflict": conflict,
        "inline": is_partial(),
        "deleted_row": deleted_row,
    }
    if not is_partial():
        return make_response(render_template("registrations/entry_form.html", **context), status)
    response = render_fragment("registrations/_entry_form.html", **context)
    if entry is None:
        # The add form posts into the list of rows; its errors go back where the form is.
        response.headers["HX-Retarget"] = "#new-entry"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/entries/<id:entry_id>")
@login_required
def show_entry(entry_id: int):
    entry = _load_entry(entry_id)
    return fragment_or_redirect(
        "registrations/_entry.html",
        redirect_to=list_url(entry.registration_list, entry),
        entry=entry,
    )


@bp.get("/entries/<id:entry_id>/edit")
@login_required
def edit_entry(entry_id: int):
    entry = _entry_to_change(entry_id)
    registration_list = entry.registration_list
    return render_fragment_or_page(
        "registrations/_entry_form.html",
        "registrations/entry_form.html",
        registration_list=registration_list,
        entry=entry,
        form=entry_form(registration_list, entry=entry),
        inline=is_partial(),
    )


@bp.post("/entries/<id:entry_id>/edit")
@login_required
def update_entry(entry_id: int):
    if db.session.get(Entry, entry_id) is None:
        return _deleted_while_editing(entry_id)
    entry = _load_entry(entry_id)
    registration_list = entry.registration_list
    form = entry_form(registration_list, formdata=request.form)
    if not _may_change(entry, Action.ENTRY_EDIT):
        form.form_errors.append(_kept(_locked()))
        return _entry_form_invalid(registration_list, entry, form, status=409)
    if form.validate():
        values = entry_values(form, registration_list)
        with saving(services.RegistrationError) as attempt:
            services.update_entry(current_user, entry, version_of(form), values)
        if attempt.stale:
            entry = db.session.get(Entry, entry_id)
            if entry is None:
                return _deleted_while_editing(entry_id)
            if not policy.can(current_user, Action.ENTRY_EDIT, entry):
                form.form_errors.append(_kept(_locked()))
                return _entry_form_invalid(registration_list, entry, form, status=409)
            message = _(
                "Someone else saved this entry after you opened it. Compare the two "
                "versions below; saving again keeps your version."
            )
            keep_typed(form, entry, message)
            conflict = compare_entry(form, values, entry)
            return _entry_form_invalid(registration_list, entry, form, conflict=conflict)
        if attempt.refused:
            _field_error(form, attempt.refused)
        else:
            return after_change(
                "registrations/_entry.html",
                event="entries-changed",
                redirect_to=list_url(registration_list, entry),
                saved=_("Saved: %(name)s", name=entry.name),
                entry=entry,
            )
    return _entry_form_invalid(registration_list, entry, form)


def _deleted_while_editing(entry_id: int):
    """Someone deleted the entry while this user edited it: offer what they typed as a new
    entry of the same list rather than losing it."""
    list_id = form_id(request.form.get("list_id"))
    if list_id is None:
        abort(404)
    registration_list = load_list(list_id)
    form = entry_form(registration_list, formdata=request.form)
    form.version.data = ""
    form.form_errors.append(
        _("This entry was deleted by someone else. Save to add what you typed as a new entry.")
    )
    if not is_partial():
        return _entry_form_invalid(registration_list, None, form, status=409)
    # In place of the add form at the end of the list; the stale row goes.
    return _entry_form_invalid(registration_list, None, form, deleted_row=entry_id)


@bp.post("/entries/<id:entry_id>/duplicate")
@login_required
def duplicate_entry(entry_id: int):
    entry = _load_entry(entry_id)
    registration_list = entry.registration_list
    if not _may_change(registration_list, Action.LIST_EDIT):
        return _refresh_with(_locked_list(), list_url(registration_list, entry))
    try:
        copy = services.duplicate_entry(current_user, entry)
    except services.RegistrationError as error:
        db.session.rollback()
        return _row_notice(entry, registration_list, str(error))
    db.session.commit()
    if not is_partial():
        flash(_("A copy was added at the end of the list. Adjust it and save."), "success")
        return redirect(url_for("registrations.edit_entry", entry_id=copy.id), code=303)
    return render_fragment(
        "registrations/_entry_form.html",
        event="entries-changed",
        registration_list=registration_list,
        entry=copy,
        form=entry_form(registration_list, entry=copy),
        inline=True,
    )


@bp.get("/entries/<id:entry_id>/delete")
@login_required
def confirm_delete(entry_id: int):
    entry = _entry_to_change(entry_id)
    form = VersionForm(data={"version": entry.version})
    return render_template("registrations/entry_delete.html", entry=entry, form=form)


@bp.post("/entries/<id:entry_id>/delete")
@login_required
def delete_entry(entry_id: int):
    entry = _entry_to_change(entry_id)
    registration_list = entry.registration_list
    form = VersionForm()
    name = entry.name
    with saving(services.RegistrationError) as attempt:
        services.delete_entry(current_user, entry, version_of(form))
    if attempt.stale:
        message = _(
            "Someone else changed this entry after you opened it, so it was not deleted. "
            "Check it and delete it again if you still want to."
        )
        return _row_notice(db.session.get(Entry, entry_id), registration_list, message)
    if attempt.refused:
        return _row_notice(entry, registration_list, str(attempt.refused))
    if is_partial():
        return render_fragment(None, event="entries-changed")
    flash(_("Entry deleted: %(name)s", name=name), "success")
    return redirect(list_url(registration_list), code=303)


@bp.route("/lists/<id:list_id>/header", methods=["GET", "POST"])
@login_required
def edit_header(list_id: int):
    registration_list = load_list(list_id)
    form = HeaderForm(obj=registration_list if request.method != "POST" else None)
    conflict = None
    if not _may_change(registration_list, Action.LIST_EDIT):
        if request.method != "POST":  # HEAD reads like GET
            return _refresh_with(_locked_list(), list_url(registration_list))
        form.form_errors.append(_kept(_locked_list()))
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
    if not _may_change(registration_list, Action.LIST_SUBMIT):
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
