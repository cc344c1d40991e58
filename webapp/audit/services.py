"""Appending audit events; called by every service that changes state."""

from __future__ import annotations

from typing import Any

from webapp.audit.models import AuditEvent
from webapp.extensions import db


def record(
    actor,
    action: str,
    obj,
    *,
    unit_id: int | None,
    **details: Any,
) -> AuditEvent:
    """Append an event for `obj` (flushed, so it has an id); the caller commits."""
    db.session.flush()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        unit_id=unit_id,
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event
