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
    registration_list,
    *,
    actor=None,
    entry=None,
) -> int:
    """One notification per user (never to the actor about their own doing)."""
    count = 0
    for user in {u.id: u for u in users if u is not None}.values():
        if actor is not None and user.id == actor.id:
            continue
        db.session.add(
            Notification(
                user_id=user.id,
                kind=kind,
                list_id=registration_list.id,
                entry_id=entry.id if entry is not None else None,
                actor_id=getattr(actor, "id", None),
            )
        )
        count += 1
    return count


def unread_counts(user) -> dict[NotificationKind, int]:
    rows = db.session.execute(
        sa.select(Notification.kind, sa.func.count())
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .group_by(Notification.kind)
    )
    return {NotificationKind(kind): count for kind, count in rows}


def mark_read(user, *, list_id: int | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or those about one list
    (opening the list is reading them)."""
    stmt = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if list_id is not None:
        stmt = stmt.where(Notification.list_id == list_id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount
