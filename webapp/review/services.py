"""Decisions on submitted entries; callers commit.

Each decision locks the list and the entry, compares the version the reviewer saw (so two
reviewers, or a reviewer and an editor, never overwrite each other), records a ReviewDecision
with what the entry said, settles the list's state, writes the audit event and notifies.
"""

from __future__ import annotations

from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.auth.models import User
from webapp.extensions import db
from webapp.forms import Refused
from webapp.notifications.models import NotificationKind
from webapp.notifications.services import editors_at, notify
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState, ListState, RegistrationList
from webapp.registrations.services import (
    entry_snapshot,
    flush_or_stale,
    lock_entry,
    lock_list,
    settle_state,
)
from webapp.review.models import Decision, ReviewDecision
from webapp.text import clean


class ReviewError(Refused):
    """A decision that cannot be made; the message is shown next to the reason field."""


_OUTCOME = {
    Decision.APPROVED: (Action.ENTRY_APPROVE, EntryState.APPROVED, "entry.approved"),
    Decision.RETURNED: (Action.ENTRY_RETURN, EntryState.RETURNED, "entry.returned"),
    Decision.REOPENED: (Action.ENTRY_REOPEN, EntryState.RETURNED, "entry.reopened"),
}


def approve(actor, entry: Entry, version: int) -> Entry:
    return _decide(actor, entry, version, Decision.APPROVED, None)


def return_entry(actor, entry: Entry, version: int, reason: str | None) -> Entry:
    return _decide(actor, entry, version, Decision.RETURNED, reason)


def reopen(actor, entry: Entry, version: int, reason: str | None) -> Entry:
    return _decide(actor, entry, version, Decision.REOPENED, reason)


def approve_all(
    actor, registration_list: RegistrationList, seen: dict[int, int]
) -> tuple[int, int]:
    """Approve the awaiting entries the reviewer saw (`seen`: entry id → version on their
    page). Entries changed or added since are left for a look: (approved, left)."""
    lock_list(registration_list)
    policy.ensure(actor, Action.LIST_APPROVE, registration_list)
    waiting = [
        e
        for e in registration_list.entries
        if e.state == EntryState.SUBMITTED and policy.can(actor, Action.ENTRY_APPROVE, e)
    ]
    approved = [e for e in waiting if seen.get(e.id) == e.version]
    for entry in approved:
        _apply(actor, entry, Decision.APPROVED, None)
    _settle(actor, registration_list)
    return len(approved), len(waiting) - len(approved)


def _decide(actor, entry: Entry, version: int, decision: Decision, reason: str | None) -> Entry:
    lock_entry(entry, version)
    action = _OUTCOME[decision][0]
    policy.ensure(actor, action, entry)
    reason = clean(reason) if reason else None
    if decision is not Decision.APPROVED and not reason:
        raise ReviewError(_("Say why, so the editor knows what to change."))
    _apply(actor, entry, decision, reason)
    if decision is not Decision.APPROVED:
        notify(
            _editors_of(entry.registration_list),
            NotificationKind.RETURNED
            if decision is Decision.RETURNED
            else NotificationKind.REOPENED,
            entry.registration_list,
            actor=actor,
            entry=entry,
        )
    _settle(actor, entry.registration_list)
    return entry


def _apply(actor, entry: Entry, decision: Decision, reason: str | None) -> None:
    _, state, verb = _OUTCOME[decision]
    db.session.add(
        ReviewDecision(
            entry_id=entry.id,
            list_id=entry.list_id,
            decision=decision,
            reason=reason,
            decided_by_id=actor.id,
            entry_version=entry.version,
            snapshot=entry_snapshot(entry),
        )
    )
    entry.state = state
    flush_or_stale(entry)
    record(
        actor,
        verb,
        entry,
        unit_id=entry.registration_list.unit_id,
        list_id=entry.list_id,
        reason=reason,
    )


def _editors_of(registration_list: RegistrationList) -> list[User]:
    return editors_at(
        registration_list.unit_id, registration_list.organization_id, registration_list.submitted_by
    )


def _settle(actor, registration_list: RegistrationList) -> None:
    """The list follows its entries; a change of its state is recorded and told."""
    new = settle_state(registration_list)
    if new in (ListState.APPROVED, ListState.RETURNED):
        record(actor, f"list.{new}", registration_list, unit_id=registration_list.unit_id)
    if new == ListState.APPROVED:
        editors = _editors_of(registration_list)
        notify(editors, NotificationKind.APPROVED, registration_list, actor=actor)
