"""The reviewer chain: which unit reviews an item (the nearest unit above with an active
reviewer, for the item's organization), memoised per request, primed for pages that judge
many items at once, and whether an item's review falls to a given user (for worklists)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context

from webapp.auth.models import Role, RoleAssignment, User
from webapp.db import local_today
from webapp.extensions import db
from webapp.policy import signed_in
from webapp.registrations.models import Entry, RegistrationList
from webapp.registrations.permissions import list_organization
from webapp.units.models import Unit
from webapp.units.queries import prime_successors


def reviewing_unit(
    unit: Unit,
    organization_id: int | None = None,
    memo: dict | None = None,
    *,
    excluded_user_id: int | None = None,
) -> Unit | None:
    """Who reviews items of `unit`: the nearest unit above it where an active user holds the
    reviewer role (for this organization, or for all), passing over one who may not decide
    here (the submitter); the top unit reviews its own. A district before the 2025 reform,
    the province after it; never a fixed level. Units that still exist come first: an item of
    a commune that ended goes to its successors' reviewer (the new province) before one left
    on its ended district. `memo` spares queries over many items."""
    above = _chain_above(unit, local_today())
    key = (unit.id, organization_id, excluded_user_id)
    if memo is None and has_request_context():
        memo = g.setdefault("reviewing_units", {})  # one request, one answer per unit
    if memo is None or key not in memo:
        holders = _reviewer_units([u.id for u in above], organization_id, excluded_user_id)
        found = next((u for u in above if u.id in holders), None)
        if memo is None:
            return found
        memo[key] = found
    return memo[key]


def _reviewer_units(
    unit_ids: list[int], organization_id: int | None, excluded_user_id: int | None
) -> set[int]:
    """Of these units, those where an active user (not the excluded one) holds the reviewer
    role for this organization or for all."""
    return set(
        db.session.scalars(
            sa.select(RoleAssignment.unit_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                User.is_active,
                User.id != (excluded_user_id or 0),
                RoleAssignment.role == Role.REVIEWER,
                RoleAssignment.unit_id.in_(unit_ids),
                sa.or_(
                    RoleAssignment.organization_id.is_(None),
                    RoleAssignment.organization_id == organization_id,
                ),
            )
        )
    )


def _chain_above(unit: Unit, today) -> list[Unit]:
    """The units that may review `unit`, nearest first, those still in existence before those
    that ended."""
    return sorted(unit.covering_units()[1:] or [unit], key=lambda u: u.has_ended(today))


def prime_reviewing_units(
    units: list[Unit], lists: Iterable[RegistrationList] = (), memo: dict | None = None
) -> None:
    """Answer `reviewing_unit(unit)` (for every organization) for many units at once, and who
    reviews each of these lists, in one query, for pages that judge many items in one
    request. Into `memo`, or else the request's."""
    keys = {(unit, None, None) for unit in units} | {
        (rl.unit, list_organization(rl), rl.submitted_by_id) for rl in lists
    }
    if memo is None:
        if not has_request_context():
            return
        memo = g.setdefault("reviewing_units", {})
    if not keys:
        return
    prime_successors(unit for unit, _, _ in keys)
    today = local_today()
    chains = {unit.id: _chain_above(unit, today) for unit, _, _ in keys}
    holders = db.session.execute(
        sa.select(RoleAssignment.unit_id, RoleAssignment.organization_id, User.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            User.is_active,
            RoleAssignment.role == Role.REVIEWER,
            RoleAssignment.unit_id.in_(sorted({u.id for c in chains.values() for u in c})),
        )
    ).all()
    for unit, organization_id, excluded_user_id in keys:
        here = {
            unit_id
            for unit_id, for_organization, user_id in holders
            if user_id != excluded_user_id and for_organization in (None, organization_id)
        }
        memo[(unit.id, organization_id, excluded_user_id)] = next(
            (u for u in chains[unit.id] if u.id in here), None
        )


def list_reviewing_unit(registration_list: RegistrationList) -> Unit | None:
    """Who reviews this list (or report: they carry the same unit, organization, submitter)."""
    return reviewing_unit(
        registration_list.unit,
        list_organization(registration_list),
        excluded_user_id=registration_list.submitted_by_id,
    )


def entry_reviewing_unit(entry: Entry) -> Unit | None:
    return list_reviewing_unit(entry.registration_list)


def not_own_submission(user: Any, registration_list: RegistrationList) -> bool:
    """Nobody decides on what they submitted themselves."""
    return registration_list.submitted_by_id != user.id


def reviews_here(user: Any, registration_list: RegistrationList, memo: dict | None = None) -> bool:
    """The user is a reviewer of the reviewing unit itself, not merely above it."""
    unit = reviewing_unit(
        registration_list.unit,
        list_organization(registration_list),
        memo=memo,
        excluded_user_id=registration_list.submitted_by_id,
    )
    organization_id = registration_list.organization_id
    return unit is not None and any(
        a.role == Role.REVIEWER
        and a.unit_id == unit.id
        and a.organization_id in (None, organization_id)
        for a in user.roles
    )


def routed_to(user: Any, registration_list: RegistrationList, memo: dict | None = None) -> bool:
    """Whether the list's review falls to this user (for worklists; decisions ask the policy)."""
    return (
        signed_in(user)
        and not_own_submission(user, registration_list)
        and reviews_here(user, registration_list, memo)
    )


def routed_among(user: Any, items: Iterable) -> list:
    """Of these lists or reports (their units loaded), those whose review falls to the user:
    a fixed number of queries however many units and submitters they span."""
    items = list(items)
    memo: dict = {}
    prime_reviewing_units([], items, memo)
    return [item for item in items if routed_to(user, item, memo)]
