"""The reviewer's queue, decisions on entries (in place with htmx, plain forms without), and
the history of a list or an entry for everyone who may read it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp import policy
from webapp.concurrency import saving, version_of
from webapp.extensions import db
from webapp.htmx import after_change, is_partial, render_fragment
from webapp.policy import Action
from webapp.registrations.list_page import list_page, list_url
from webapp.registrations.models import Entry, RegistrationList
from webapp.registrations.queries import field_labels, load_list
from webapp.review import services
from webapp.review.forms import DecisionForm
from webapp.review.queries import (
    QUEUE_STATES,
    QueueFilters,
    changes_since_return,
    queue_choices,
    review_queue,
    timeline,
)
from webapp.urls import form_id

bp = Blueprint("review", __name__)


@bp.app_template_global("changes_since_return")
def _changes_since_return(entry: Entry) -> list[tuple[str, str, str]]:
    return changes_since_return(entry, field_labels())


@bp.get("/review")
@login_required
def queue():
    if not policy.can_somewhere(current_user, Action.ENTRY_APPROVE):
        abort(403)
    args = request.args
    state = args.get("state", "awaiting")
    filters = QueueFilters(
        year=form_id(args.get("year")),
        unit_id=form_id(args.get("unit")),
        organization_id=form_id(args.get("organization")),
        content_id=form_id(args.get("content")),
        state=state if state in QUEUE_STATES else "awaiting",
    )
    return render_template(
        "review/queue.html",
        groups=review_queue(current_user, filters),
        filters=filters,
        choices=queue_choices(current_user),
    )


def _decided(entry: Entry, message: str):
    """After a decision: the row as it is now (htmx), else the list page at the row."""
    if not is_partial():
        flash(message, "success")
    return after_change(
        "review/_decided.html",
        event="entries-changed",
        redirect_to=list_url(entry.registration_list, entry),
        entry=entry,
    )


def _refused(
    entry: Entry, form: DecisionForm, action: Action, *, message: str | None = None, status=422
):
    """A decision that did not happen: the row with the reason why and what was typed (in
    its form when that decision is still possible, else quoted under the notice)."""
    context = {
        "entry": entry,
        "decision_form": form,
        "decision_action": str(action),
        "notice": message,
        "typed_reason": form.reason.data if message else None,
    }
    if is_partial():
        return render_fragment("review/_decided.html", event="entries-changed", **context)
    return list_page(entry.registration_list, status=status, decision_for=entry.id, **context)


def _decide(entry_id: int, action: Action, decide, done: str):
    entry = db.get_or_404(Entry, entry_id)
    policy.require(current_user, Action.LIST_VIEW, entry.registration_list)
    # Outside the chain, or their own work: 403 whatever the state.
    verdict = policy.require_in_scope(current_user, action, entry)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _refused(entry, form, action)
    if verdict.wrong_state:
        # Decided by someone else a moment ago: show how it stands now.
        return _refused(entry, form, action, message=_already_decided(), status=409)
    # Denied here: the entry moved on between the check above and the lock.
    with saving(services.ReviewError, conflicts=(policy.Denied,)) as attempt:
        decide(entry, form)
    if attempt.stale:
        entry = db.get_or_404(Entry, entry_id)
        return _refused(entry, form, action, message=_already_decided(), status=409)
    if attempt.refused:
        form.reason.errors.append(str(attempt.refused))
        return _refused(entry, form, action)
    return _decided(entry, done)


def _already_decided() -> str:
    return _(
        "Someone else decided on or changed this entry after you opened it. "
        "Here is how it stands now."
    )


@bp.post("/review/entries/<id:entry_id>/approve")
@login_required
def approve(entry_id: int):
    return _decide(
        entry_id,
        Action.ENTRY_APPROVE,
        lambda entry, form: services.approve(current_user, entry, version_of(form)),
        _("Approved."),
    )


@bp.post("/review/entries/<id:entry_id>/return")
@login_required
def return_entry(entry_id: int):
    return _decide(
        entry_id,
        Action.ENTRY_RETURN,
        lambda entry, form: services.return_entry(
            current_user, entry, version_of(form), form.reason.data
        ),
        _("Returned to the editor."),
    )


@bp.post("/review/entries/<id:entry_id>/reopen")
@login_required
def reopen(entry_id: int):
    return _decide(
        entry_id,
        Action.ENTRY_REOPEN,
        lambda entry, form: services.reopen(
            current_user, entry, version_of(form), form.reason.data
        ),
        _("Reopened for the editor."),
    )


@bp.post("/review/lists/<id:list_id>/approve")
@login_required
def approve_all(list_id: int):
    registration_list = load_list(list_id)
    if policy.require_in_scope(current_user, Action.LIST_APPROVE, registration_list).wrong_state:
        flash(_("Nothing here awaits a decision any more."), "success")
        return redirect(list_url(registration_list), code=303)
    # Only what the reviewer had in front of them: entry id → the version on their page.
    seen = {
        entry_id: version
        for key, value in request.form.items()
        if key.startswith("seen-")
        and (entry_id := form_id(key.removeprefix("seen-"))) is not None
        and (version := form_id(value)) is not None
    }
    with saving(conflicts=(policy.Denied,)) as attempt:
        approved, left = services.approve_all(current_user, registration_list, seen)
    if attempt.stale:
        flash(_("Nothing here awaits a decision any more."), "success")
        return redirect(list_url(registration_list), code=303)
    flash(ngettext("%(num)d entry approved.", "%(num)d entries approved.", approved), "success")
    if left:
        flash(
            ngettext(
                "%(num)d entry changed after you opened the page and was not approved: "
                "look at it first.",
                "%(num)d entries changed after you opened the page and were not approved: "
                "look at them first.",
                left,
            ),
            "warning",
        )
    return redirect(list_url(registration_list), code=303)


@bp.get("/history/lists/<id:list_id>")
@login_required
def list_history(list_id: int):
    registration_list = load_list(list_id)
    return render_template(
        "review/history.html",
        registration_list=registration_list,
        entry=None,
        moments=timeline(registration_list, None, field_labels()),
    )


@bp.get("/history/entries/<id:entry_id>")
@login_required
def entry_history(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    registration_list: RegistrationList = entry.registration_list
    policy.require(current_user, Action.LIST_VIEW, registration_list)
    return render_template(
        "review/history.html",
        registration_list=registration_list,
        entry=entry,
        moments=timeline(registration_list, entry, field_labels()),
    )
