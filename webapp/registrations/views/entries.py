"""Entries of a registration list: adding, reading, editing, duplicating and deleting one."""

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
from webapp.concurrency import VersionForm, keep_typed, saving, version_of
from webapp.extensions import db
from webapp.htmx import (
    after_change,
    fragment_or_redirect,
    is_partial,
    render_fragment,
    render_fragment_or_page,
)
from webapp.policy import Action
from webapp.registrations import services
from webapp.registrations.forms import EntryForm, entry_form, entry_values
from webapp.registrations.list_page import list_url
from webapp.registrations.models import Entry
from webapp.registrations.queries import (
    compare_entry,
    load_list,
)
from webapp.registrations.views.common import (
    bp,
    entry_to_change,
    kept,
    load_entry,
    locked,
    locked_list,
    may_change,
    refresh_with,
    row_notice,
)
from webapp.urls import form_id


@bp.get("/lists/<id:list_id>/entries/new")
@login_required
def new_entry(list_id: int):
    registration_list = load_list(list_id)
    if not may_change(registration_list, Action.LIST_EDIT):
        return refresh_with(locked_list(), list_url(registration_list))
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
    if not may_change(registration_list, Action.LIST_EDIT):
        form.form_errors.append(kept(locked_list()))
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
    entry = load_entry(entry_id)
    return fragment_or_redirect(
        "registrations/_entry.html",
        redirect_to=list_url(entry.registration_list, entry),
        entry=entry,
    )


@bp.get("/entries/<id:entry_id>/edit")
@login_required
def edit_entry(entry_id: int):
    entry = entry_to_change(entry_id)
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
    entry = load_entry(entry_id)
    registration_list = entry.registration_list
    form = entry_form(registration_list, formdata=request.form)
    if not may_change(entry, Action.ENTRY_EDIT):
        form.form_errors.append(kept(locked()))
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
                form.form_errors.append(kept(locked()))
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
    entry = load_entry(entry_id)
    registration_list = entry.registration_list
    if not may_change(registration_list, Action.LIST_EDIT):
        return refresh_with(locked_list(), list_url(registration_list, entry))
    try:
        copy = services.duplicate_entry(current_user, entry)
    except services.RegistrationError as error:
        db.session.rollback()
        return row_notice(entry, registration_list, str(error))
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
    entry = entry_to_change(entry_id)
    form = VersionForm(data={"version": entry.version})
    return render_template("registrations/entry_delete.html", entry=entry, form=form)


@bp.post("/entries/<id:entry_id>/delete")
@login_required
def delete_entry(entry_id: int):
    entry = entry_to_change(entry_id)
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
        return row_notice(db.session.get(Entry, entry_id), registration_list, message)
    if attempt.refused:
        return row_notice(entry, registration_list, str(attempt.refused))
    if is_partial():
        return render_fragment(None, event="entries-changed")
    flash(_("Entry deleted: %(name)s", name=name), "success")
    return redirect(list_url(registration_list), code=303)
