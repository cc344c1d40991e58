"""How the audit log reads the events of administrative units, and the phrases naming a unit
(and an organization at a unit) that other capabilities' sentences use."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp import policy
from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, as_int, lower_first, object_ids, text_detail
from webapp.policy import Action
from webapp.units.models import Unit

UNITS = Unit.__tablename__


def unit_name(names: Names, unit_id: int | None) -> str:
    unit = names.get(UNITS, unit_id)
    return unit.name if unit else _("a unit no longer in the tree")


def owner(names: Names, organization, unit_id: int | None) -> str:
    """ "Hội Nông dân xã Bằng Thành": the organization, then its unit."""
    unit = unit_name(names, unit_id)
    if organization is None:
        return unit
    return _(
        "%(organization)s of %(unit)s",
        organization=organization.tr("name"),
        unit=lower_first(unit),
    )


audit.loads(UNITS, audit.by_id(Unit))


@audit.wants(UNITS)
def _event_units(events, names: Names):
    return {e.unit_id for e in events} | object_ids(events, UNITS)


@audit.links(UNITS)
def _unit_link(event, details: dict, names: Names) -> str | None:
    target = names.get(UNITS, event.object_id)
    if target is None or not policy.can(current_user, Action.UNIT_VIEW, target):
        return None
    return url_for("units.show_unit", unit_id=target.id)


def _values(event, details: dict, names: Names) -> dict:
    return {
        "unit": unit_name(names, event.unit_id),
        "name": text_detail(details, "name") or "—",
        "code": text_detail(details, "code") or "—",
    }


def _new_rural(event, details: dict, names: Names) -> list[str]:
    if event.action != "unit.new_rural_set" or not (year := as_int(details.get("year"))):
        return []
    if details.get("after") is True:
        return [_("new-rural in %(year)d", year=year)]
    return [_("not new-rural in %(year)d", year=year)]


audit.register(
    {
        "unit.area_added": (
            _l("Residential area %(name)s was added to %(unit)s"),
            _l("Residential area added"),
        ),
        "unit.new_rural_set": (
            _l("The new-rural recognition of %(unit)s was changed"),
            _l("New-rural recognition changed"),
        ),
        "unit.reorganized": (
            _l("Administrative units were reorganised (%(code)s)"),
            _l("Units reorganised"),
        ),
    },
    values=_values,
    notes=_new_rural,
)
