"""Reads for the commendation pages: the units below a unit in a year, a year's evaluations,
nominations of a unit, the approver's queue and the public list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.commendations.models import Evaluation, Nomination, NominationState
from webapp.extensions import db
from webapp.policy import Action
from webapp.units.models import Level, Unit
from webapp.units.queries import prime_successors, subtree_ids, tree_order, valid_in_year

QUEUE_SHOWN = 200


def units_below(unit: Unit, year: int) -> list[Unit]:
    """The units directly below that existed in the year, residential areas left out."""
    children = db.session.scalars(
        sa.select(Unit)
        .where(Unit.parent_id == unit.id, Unit.level != Level.AREA)
        .order_by(Unit.code, Unit.name)
    )
    return [u for u in children if valid_in_year(u, year)]


def units_of_tree(unit: Unit, year: int) -> list[tuple[Unit, int]]:
    """The unit and every unit below it that existed in the year, in tree order."""
    units = db.session.scalars(sa.select(Unit).where(Unit.id.in_(subtree_ids([unit.id]))))
    return tree_order(u for u in units if valid_in_year(u, year))


def evaluations_of(year: int, unit_ids: list[int]) -> dict[tuple[int, int | None], Evaluation]:
    rows = db.session.scalars(
        sa.select(Evaluation).where(Evaluation.year == year, Evaluation.unit_id.in_(unit_ids))
    )
    return {(e.unit_id, e.organization_id): e for e in rows}


def nominations_of(user, unit: Unit, year: int) -> list[Nomination]:
    """The nominations the unit proposed in the year (the user may read them all, or none)."""
    stmt = (
        sa.select(Nomination)
        .where(Nomination.proposing_unit_id == unit.id, Nomination.year == year)
        .order_by(Nomination.id.desc())
    )
    return list(db.session.scalars(policy.visible(user, Action.NOMINATION_VIEW, stmt)))


def decision_queue(user) -> list[Nomination]:
    """Submitted nominations that fall to this user to decide, oldest first."""
    # The proposing units and the units above them, loaded together: judging each one asks
    # who covers its unit, which would otherwise load them one nomination at a time.
    above = selectinload(Nomination.proposing_unit).selectinload(Unit.parent)
    stmt = (
        sa.select(Nomination)
        .where(Nomination.state == NominationState.SUBMITTED)
        .options(above.selectinload(Unit.parent))
        .order_by(Nomination.submitted_at, Nomination.id)
        .limit(QUEUE_SHOWN)
    )
    rows = list(db.session.scalars(policy.visible(user, Action.NOMINATION_DECIDE, stmt)))
    units = {n.proposing_unit for n in rows}
    prime_successors(units | {u.parent for u in units if u.parent is not None})
    return [n for n in rows if policy.can(user, Action.NOMINATION_DECIDE, n)]


def approved_in(year: int) -> list[Nomination]:
    """The year's approved commendations, for the public page."""
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .where(Nomination.year == year, Nomination.state == NominationState.APPROVED)
            .options(
                selectinload(Nomination.proposing_unit),
                selectinload(Nomination.unit),
                selectinload(Nomination.organization),
                selectinload(Nomination.entry),
            )
            .order_by(Nomination.decided_at, Nomination.id)
        )
    )


LEVEL_ORDER = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.AREA)


def approved_groups(year: int) -> list[tuple[Level, list[tuple[str, list[Nomination]]]]]:
    """The year's approved commendations by the level that proposed them, then by kind:
    how the public page and its spreadsheet list them."""
    groups: dict = {}
    for nomination in approved_in(year):
        level = nomination.proposing_unit.level
        groups.setdefault(level, {}).setdefault(nomination.kind, []).append(nomination)
    return [(level, sorted(groups[level].items())) for level in LEVEL_ORDER if level in groups]


def public_stamp(year: int) -> tuple:
    """What the public page of a year depends on: how many were approved and the last
    decision (a rejection after approval is impossible, so the pair changes with the list)."""
    count, last = db.session.execute(
        sa.select(sa.func.count(Nomination.id), sa.func.max(Nomination.decided_at)).where(
            Nomination.year == year, Nomination.state == NominationState.APPROVED
        )
    ).one()
    return count, str(last)
