"""The admin blueprint and what its screens share: the units an administrator may choose.

The blueprint has no URL prefix: the user screens sit under /admin, the audit log keeps its
address /audit (shared links to a filtered log stay valid)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from webapp import policy
from webapp.extensions import db
from webapp.policy import Action
from webapp.units.models import Level
from webapp.units.queries import tree_order, units_in_scope

bp = Blueprint("admin", __name__)

# The national root too: a national administrator's role is assigned there.
UNIT_LEVELS = (Level.COUNTRY, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def unit_choices(action: Action) -> list[tuple[int, str]]:
    """The provinces, districts and communes where the viewer may do `action`, as a tree."""
    units = db.session.scalars(
        units_in_scope(policy.scope_roots(current_user, action), levels=UNIT_LEVELS)
    )
    return [(unit.id, "\u2003" * depth + unit.name) for unit, depth in tree_order(units)]
