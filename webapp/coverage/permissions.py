"""Rules for coverage and likely duplicates. Coverage counts every organization's entries:
assignments narrowed to one reach neither it nor the overlaps (a pair spans organizations).
Overlaps are read by those who read coverage and decided by the reviewers of the commune's
reviewing unit and by admins there or above."""

from __future__ import annotations

from typing import Any

from webapp.auth.models import Role
from webapp.auth.permissions import LIST_READERS
from webapp.policy import Action, Audience, Rule, covers, signed_in
from webapp.registrations.models import Entry
from webapp.review.chain import list_reviewing_unit, reviewing_unit
from webapp.units.models import Unit
from webapp.units.permissions import unit_id_column, unit_itself


def _overlap_reviewing_unit(commune: Unit) -> Unit:
    """Overlaps span organizations: the unit whose reviewers (for every organization) review
    the commune's items decides on them, or the commune itself when nobody reviews above."""
    return reviewing_unit(commune) or commune


def may_lead_joint_work(user: Any, entry: Entry) -> bool:
    """Joint work adds the other entry's organization to the lead entry as a partner: only
    those who decide on the lead entry's list (reviewers of its reviewing unit, or admins
    there or above) may have a decision change it."""
    if not signed_in(user):
        return False
    registration_list = entry.registration_list
    unit = list_reviewing_unit(registration_list) or registration_list.unit
    return covers(user, Action.OVERLAP_DECIDE, unit, registration_list.organization_id)


RULES: dict[Action, Rule] = {
    Action.COVERAGE_VIEW: Rule(
        Audience.ROLES, LIST_READERS, unit_itself, unit_column=unit_id_column
    ),
    Action.OVERLAP_VIEW: Rule(
        Audience.ROLES, LIST_READERS, unit_itself, unit_column=unit_id_column
    ),
    Action.OVERLAP_DECIDE: Rule(
        Audience.ROLES, frozenset({Role.REVIEWER, Role.ADMIN}), _overlap_reviewing_unit
    ),
}
