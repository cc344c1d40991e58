"""Creating notifications and reading them; callers commit."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from webapp.db import utcnow
from webapp.extensions import db
from webapp.notifications.models import Notification, NotificationKind


def notify(
    users: Iterable,
    kind: NotificationKind,
    registration_list=None,
    *,
    actor=None,
    entry=None,
    report=None,
    nomination=None,
) -> int:
    """One notification per user (never to the actor about their own doing), about a list
    (maybe one of its entries), a report or a nomination."""
    count = 0
    for user in {u.id: u for u in users if u is not None}.values():
        if actor is not None and user.id == actor.id:
            continue
        db.session.add(
            Notification(
                user_id=user.id,
                kind=kind,
                list_id=getattr(registration_list, "id", None),
                report_id=getattr(report, "id", None),
                nomination_id=getattr(nomination, "id", None),
                entry_id=entry.id if entry is not None else None,
                actor_id=getattr(actor, "id", None),
            )
        )
        count += 1
    return count


def editors_at(unit_id: int, organization_id: int | None, submitter=None) -> list:
    """Who hears about decisions on an item of a unit: the editors of that unit itself (for
    the item's organization, or for all) and the one who sent it, who may have acted for
    them."""
    from webapp.auth.models import Role, RoleAssignment, User

    editors = db.session.scalars(
        sa.select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.is_active,
            RoleAssignment.role == Role.EDITOR,
            RoleAssignment.unit_id == unit_id,
            sa.or_(
                RoleAssignment.organization_id.is_(None),
                RoleAssignment.organization_id == organization_id,
            ),
        )
    ).all()
    return [*editors, submitter] if submitter is not None and submitter.is_active else editors


def unread_counts(user) -> dict[NotificationKind, int]:
    rows = db.session.execute(
        sa.select(Notification.kind, sa.func.count())
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .group_by(Notification.kind)
    )
    return {NotificationKind(kind): count for kind, count in rows}


def mark_read(user, *, about: Notification | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or those about the same list,
    report or nomination as `about` (opening one is reading what was notified about it)."""
    stmt = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if about is not None:
        stmt = stmt.where(
            Notification.list_id.is_not_distinct_from(about.list_id),
            Notification.report_id.is_not_distinct_from(about.report_id),
            Notification.nomination_id.is_not_distinct_from(about.nomination_id),
        )
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount
