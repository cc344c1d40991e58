"""Changes to the unit tree made in the app; callers commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.text import fold
from webapp.units.models import Kind, Level, Unit, UnitYearAttribute


class UnitError(Refused):
    """A change that cannot be made; the message is shown to the user."""


def add_area(actor, commune: Unit, *, name: str, kind: Kind) -> Unit:
    """A residential area under a commune; names are unique within the commune, accents aside."""
    policy.ensure(actor, Action.UNIT_ADD_AREA, commune)
    wanted = fold(name)
    for child in commune.children:
        if child.valid_to is None and fold(child.name) == wanted:
            raise UnitError(
                _("%(commune)s already has %(name)s.", commune=commune.name, name=child.name)
            )
    area = Unit(name=name, kind=kind, level=Level.AREA, parent=commune)
    db.session.add(area)
    record(actor, "unit.area_added", area, unit_id=commune.id, name=name, kind=str(kind))
    return area


def set_new_rural(actor, commune: Unit, year: int, value: bool) -> UnitYearAttribute:
    """Record whether a commune is recognised new-rural in a year (the coverage rules that
    apply to new-rural communes follow)."""
    policy.ensure(actor, Action.UNIT_SET_NEW_RURAL, commune)
    row = db.session.scalar(
        sa.select(UnitYearAttribute).where(
            UnitYearAttribute.unit_id == commune.id, UnitYearAttribute.year == year
        )
    )
    before = row.is_new_rural if row is not None else None
    if row is None:
        row = UnitYearAttribute(unit=commune, year=year)
        db.session.add(row)
    row.is_new_rural = value
    record(
        actor,
        "unit.new_rural_set",
        row,
        unit_id=commune.id,
        year=year,
        before=before,
        after=value,
    )
    return row
