"""What opinions wait for a person, for the home page's work queue: those their committee has
still to handle, and those overdue at their level or the level below. Counted in SQL, a fixed
number of queries whatever the number of opinions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp import policy
from webapp.extensions import db
from webapp.opinions.models import Opinion, OpinionDispatch, OpinionDispatchItem, OpinionState
from webapp.opinions.overdue import overdue_condition
from webapp.policy import Action
from webapp.units.models import Unit


def _handling_unit():
    """SQL: the unit whose committee handles the opinion now (where it was sent up, or its
    commune)."""
    return sa.func.coalesce(Opinion.forwarded_to_id, Opinion.unit_id)


def _count(user, stmt) -> int:
    return db.session.scalar(policy.visible(user, Action.OPINION_VIEW, stmt)) or 0


def to_handle(user) -> int:
    """Opinions the committees the user sits on have still to take up: received at their
    commune, or sent up to their level and not yet on one of its lists to the authorities."""
    units = policy.scope_roots(user, Action.OPINION_HANDLE)
    if not units:
        return 0
    listed_here = (
        sa.select(OpinionDispatchItem.id)
        .join(OpinionDispatch, OpinionDispatch.id == OpinionDispatchItem.dispatch_id)
        .where(
            OpinionDispatchItem.opinion_id == Opinion.id,
            OpinionDispatch.unit_id == Opinion.forwarded_to_id,
        )
        .exists()
    )
    stmt = sa.select(sa.func.count(Opinion.id)).where(
        sa.or_(
            sa.and_(Opinion.state == OpinionState.RECEIVED, Opinion.unit_id.in_(units)),
            sa.and_(
                Opinion.state == OpinionState.FORWARDED,
                Opinion.forwarded_to_id.in_(units),
                ~listed_here,
            ),
        )
    )
    return _count(user, stmt)


def overdue_here_and_below(user) -> int:
    """Overdue opinions handled by the user's committees or by the level right below them."""
    units = policy.scope_roots(user, Action.OPINION_VIEW)
    if not units:
        return 0
    handler = aliased(Unit)
    stmt = (
        sa.select(sa.func.count(Opinion.id))
        .join(handler, handler.id == _handling_unit())
        .where(
            overdue_condition(),
            sa.or_(handler.id.in_(units), handler.parent_id.in_(units)),
        )
    )
    return _count(user, stmt)
