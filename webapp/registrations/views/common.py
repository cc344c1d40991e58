"""The registrations blueprint and what its screens share: loading an entry to read or change,
whether the user may change it, and the messages and answers when it changed meanwhile."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp import policy
from webapp.extensions import db
from webapp.htmx import (
    is_partial,
    render_fragment,
)
from webapp.policy import Action
from webapp.registrations.list_page import list_url
from webapp.registrations.models import Entry, RegistrationList

bp = Blueprint("registrations", __name__, url_prefix="/registrations")


def load_entry(entry_id: int) -> Entry:
    entry = db.get_or_404(Entry, entry_id)
    policy.require(current_user, Action.LIST_VIEW, entry.registration_list)
    return entry


def entry_to_change(entry_id: int) -> Entry:
    """The entry, if the user may change it now; else the row (or page) saying it is locked."""
    entry = load_entry(entry_id)
    if not may_change(entry, Action.ENTRY_EDIT):
        abort(row_notice(entry, entry.registration_list, locked()))
    return entry


def may_change(obj: Entry | RegistrationList, action: Action) -> bool:
    """Whether the user may change it now. False when it is in their hands but locked
    (submitted meanwhile): callers say so and keep what was typed. 403 when they never could."""
    return policy.require_unless_moved_on(current_user, action, obj).allowed


def locked() -> str:
    return _("This entry can no longer be changed: its list has been submitted.")


def locked_list() -> str:
    return _("This list has been submitted and can no longer be changed.")


def kept(message: str) -> str:
    return _("%(reason)s What you typed is kept below so you can copy it.", reason=message)


def refresh_with(message: str, redirect_to: str):
    """The page the user acted on is out of date: show it again with the reason."""
    flash(message, "error")
    if is_partial():
        response = render_fragment(None)
        response.headers["HX-Refresh"] = "true"
        return response
    return redirect(redirect_to, code=303)


def row_notice(entry: Entry | None, registration_list: RegistrationList, message: str):
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
