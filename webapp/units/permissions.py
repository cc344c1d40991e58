"""What the policy needs to know about units: the top of the tree, the subtree query (hooks
registered by create_app), and the predicates of the rules about units. The rules themselves
name roles, so auth states them (auth/permissions.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context

from webapp.db import local_today
from webapp.extensions import db
from webapp.units.models import AREA_KINDS, Level, Unit
from webapp.units.queries import active_on, subtree_ids, valid_in_year

__all__ = ["subtree_ids", "valid_in_year"]


def top_unit() -> Unit | None:
    """The campaign configuration belongs to the top of the tree: only its admins change it.
    Looked up once a request (the menu asks about it on every page)."""
    if has_request_context() and "top_unit" in g:
        return g.top_unit
    unit = db.session.scalar(
        sa.select(Unit).where(Unit.parent_id.is_(None), active_on(local_today())).order_by(Unit.id)
    )
    if has_request_context():
        g.top_unit = unit
    return unit


def unit_itself(unit: Unit) -> Unit:
    return unit


def unit_id_column():
    return Unit.id


def is_current_commune(user: Any, unit: Unit) -> bool:
    return unit.level == Level.COMMUNE and unit.valid_to is None


def can_hold_roles(user: Any, unit: Unit) -> bool:
    return unit.level != Level.AREA and unit.kind not in AREA_KINDS
