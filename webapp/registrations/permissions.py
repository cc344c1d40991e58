"""Rules for registration lists and their entries: who reads, edits and submits them. Their
review is the reviewers' (review/permissions.py). Also the list and entry accessors that the
rules of the capabilities above reuse."""

from __future__ import annotations

from typing import Any

from webapp.auth.permissions import EDITOR, LIST_READERS
from webapp.policy import Action, Audience, Rule
from webapp.registrations.models import Entry, RegistrationList
from webapp.units.permissions import valid_in_year


def list_unit(registration_list: RegistrationList):
    return registration_list.unit


def list_organization(registration_list: RegistrationList) -> int | None:
    # An unsaved list (asked about before it is started) has its organization but no id yet.
    organization = registration_list.organization
    return organization.id if organization is not None else registration_list.organization_id


def entry_unit(entry: Entry):
    return entry.registration_list.unit


def entry_organization(entry: Entry) -> int | None:
    return entry.registration_list.organization_id


def list_unit_column():
    return RegistrationList.unit_id


def list_organization_column():
    return RegistrationList.organization_id


def in_year(user: Any, item: Any) -> bool:
    """Made for a unit that existed in the item's year (on the day whose structure the year
    uses): lists, and reports, which carry the same unit and year."""
    return valid_in_year(item.unit, item.year)


def _entry_in_year(user: Any, entry: Entry) -> bool:
    return in_year(user, entry.registration_list)


def editable(user: Any, item: Any) -> bool:
    """Draft or returned (an entry: and its list too)."""
    return item.is_editable


RULES: dict[Action, Rule] = {
    Action.LIST_VIEW: Rule(
        Audience.ROLES,
        LIST_READERS,
        list_unit,
        list_organization,
        unit_column=list_unit_column,
        organization_column=list_organization_column,
    ),
    Action.LIST_EDIT: Rule(
        Audience.ROLES,
        EDITOR,
        list_unit,
        list_organization,
        check=in_year,
        state=editable,
        unit_column=list_unit_column,
        organization_column=list_organization_column,
    ),
    Action.LIST_SUBMIT: Rule(
        Audience.ROLES, EDITOR, list_unit, list_organization, check=in_year, state=editable
    ),
    Action.ENTRY_EDIT: Rule(
        Audience.ROLES,
        EDITOR,
        entry_unit,
        entry_organization,
        check=_entry_in_year,
        state=editable,
    ),
}
