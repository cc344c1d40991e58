"""Rules for decisions on submitted lists: approving or returning an entry, reopening an
approved one, approving a whole list. They belong to the reviewing unit (review/chain.py):
the nearest above with a reviewer; nobody decides on their own work."""

from __future__ import annotations

from typing import Any

from webapp.auth.permissions import REVIEWER
from webapp.policy import Action, Audience, Rule
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.registrations.permissions import (
    entry_organization,
    list_organization,
    list_organization_column,
    list_unit_column,
)
from webapp.review.chain import (
    entry_reviewing_unit,
    list_reviewing_unit,
    not_own_submission,
    reviews_here,
)


def _not_own_work(user: Any, entry: Entry) -> bool:
    """Nobody decides on an entry they wrote, last changed or submitted, nor on a list they
    submitted."""
    return not entry.authored_by(user.id) and not_own_submission(user, entry.registration_list)


def _reviewer_of_entry(user: Any, entry: Entry) -> bool:
    return _not_own_work(user, entry) and reviews_here(user, entry.registration_list)


def _reviewer_of_list(user: Any, registration_list: RegistrationList) -> bool:
    return not_own_submission(user, registration_list) and reviews_here(user, registration_list)


def _submitted(user: Any, entry: Entry) -> bool:
    return entry.state == EntryState.SUBMITTED


def _approved(user: Any, entry: Entry) -> bool:
    """Approved entries are locked; the reviewer, or one above, may unlock one."""
    return entry.state == EntryState.APPROVED


def _something_to_approve(user: Any, registration_list: RegistrationList) -> bool:
    """A submitted entry the reviewer did not write or last change."""
    return any(
        e.state == EntryState.SUBMITTED and not e.authored_by(user.id)
        for e in registration_list.entries
    )


RULES: dict[Action, Rule] = {
    Action.ENTRY_APPROVE: Rule(
        Audience.ROLES,
        REVIEWER,
        entry_reviewing_unit,
        entry_organization,
        check=_reviewer_of_entry,
        state=_submitted,
        unit_column=list_unit_column,
        organization_column=list_organization_column,
    ),
    Action.ENTRY_RETURN: Rule(
        Audience.ROLES,
        REVIEWER,
        entry_reviewing_unit,
        entry_organization,
        check=_reviewer_of_entry,
        state=_submitted,
    ),
    Action.LIST_APPROVE: Rule(
        Audience.ROLES,
        REVIEWER,
        list_reviewing_unit,
        list_organization,
        check=_reviewer_of_list,
        state=_something_to_approve,
    ),
    Action.ENTRY_REOPEN: Rule(
        Audience.ROLES,
        REVIEWER,
        entry_reviewing_unit,
        entry_organization,
        check=_not_own_work,
        state=_approved,
    ),
}
