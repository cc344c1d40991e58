"""Moving the role assignments held on the units a reorganization ends: for each, a proposal
(the one unit that stands for it afterwards, when the role may be held there), and moving them
as proposed. The reorganization itself (its plan and applying it) is units'
(webapp/units/reorganize.py); this sits in auth, above units, as it changes role assignments.
Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.audit.services import record
from webapp.auth.models import Role, RoleAssignment
from webapp.extensions import db
from webapp.policy import Action
from webapp.units.models import Unit, UnitSuccession
from webapp.units.reorganize import NewUnit, Plan


@dataclass
class RoleMove:
    """An assignment on a unit that ends, and where it would go: the one unit that stands for
    it afterwards when that is at the same level (a commune editor to the new commune), or
    for a reviewer even a level up (a district reviewer to the province: review goes to the
    nearest reviewer above). Otherwise no proposal (`to` None) and a reason: the admin
    decides."""

    assignment: RoleAssignment
    to: Unit | NewUnit | None
    reason: str = ""


def plan_role_moves(today: date, plan: Plan, actor=None) -> list[RoleMove]:
    """The role assignments on the units this reorganization ends, each with a proposal; once
    it is applied they may move at once, even before its effective day. With an `actor`, only
    the assignments they may move (an admin's own scope)."""
    if plan.applied is None:
        where = RoleAssignment.unit_id.in_([u.id for u in plan.ending])

        def standing(unit: Unit) -> list:
            return [n.continues or n for n in plan.successors(unit)]
    else:
        where = RoleAssignment.unit_id.in_(
            sa.select(UnitSuccession.predecessor_id).where(
                UnitSuccession.reorganization_id == plan.applied.id
            )
        )
        day = max(today, plan.applied.effective_on)

        def standing(unit: Unit) -> list:
            return _standing_for(unit, day)

    moves = []
    for assignment in db.session.scalars(
        sa.select(RoleAssignment)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .where(where)
        .options(
            selectinload(RoleAssignment.user),
            selectinload(RoleAssignment.unit),
            selectinload(RoleAssignment.organization),
        )
        .order_by(Unit.code, RoleAssignment.id)
    ):
        if actor is None or policy.can(actor, Action.UNIT_REORGANIZE, assignment.unit):
            moves.append(_proposal(assignment, standing(assignment.unit)))
    return moves


def _proposal(assignment: RoleAssignment, candidates: list) -> RoleMove:
    if not candidates:
        return RoleMove(assignment, None, _("no known successor"))
    if len(candidates) > 1:
        return RoleMove(assignment, None, _("split into several units"))
    target = candidates[0]
    if target.level != assignment.unit.level and assignment.role != Role.REVIEWER:
        return RoleMove(assignment, None, _("its level ended"))
    return RoleMove(assignment, target)


def _standing_for(unit: Unit, today: date) -> list[Unit]:
    if not unit.has_ended(today):
        return [unit]
    found: list[Unit] = []
    for successor in unit.successors:
        found += [u for u in _standing_for(successor, today) if u not in found]
    return found


def move_roles(actor, moves: list[RoleMove]) -> int:
    """Move the proposed assignments to their new units (an identical one there already is
    kept instead); returns how many moved."""
    moved = 0
    for move in moves:
        if not isinstance(move.to, Unit):
            continue
        assignment = move.assignment
        if actor is not None:
            policy.ensure(actor, Action.UNIT_REORGANIZE, assignment.unit)
        old_unit = assignment.unit
        duplicate = any(
            a is not assignment
            and a.unit is move.to
            and (a.role, a.organization_id, a.language)
            == (assignment.role, assignment.organization_id, assignment.language)
            for a in assignment.user.roles
        )
        record(
            actor,
            "role.moved",
            assignment,
            unit_id=move.to.id,
            user=assignment.user.username,
            role=str(assignment.role),
            from_unit=old_unit.code,
            to_unit=move.to.code,
        )
        if duplicate:
            assignment.user.roles.remove(assignment)
            db.session.delete(assignment)
        else:
            assignment.unit = move.to
        moved += 1
    db.session.flush()
    return moved
