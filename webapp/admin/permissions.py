"""Who reads the journal (the audit log screen): admins, for the events of their subtree;
events about no unit (campaign settings) belong to the top of the tree. Stated here, above
audit, units and auth, because it needs all three."""

from __future__ import annotations

from webapp.audit.models import AuditEvent
from webapp.auth.permissions import ADMIN
from webapp.extensions import db
from webapp.policy import Action, Audience, Rule, top_unit_of
from webapp.units.models import Unit


def _event_unit(event: AuditEvent) -> Unit | None:
    return db.session.get(Unit, event.unit_id) if event.unit_id else top_unit_of(event)


def _event_unit_column():
    return AuditEvent.unit_id


RULES: dict[Action, Rule] = {
    Action.AUDIT_VIEW: Rule(Audience.ROLES, ADMIN, _event_unit, unit_column=_event_unit_column),
}
