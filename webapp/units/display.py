"""How a unit is named on screens and in messages, reorganizations included."""

from __future__ import annotations

from flask_babel import gettext as _

from webapp.formats import day


def unit_label(unit) -> str:
    """A unit's name as it was; one that ends says until when and what took it over, since
    codes and names are reused across reorganizations."""
    if unit.valid_to is None:
        return unit.name
    values = {"name": unit.name, "date": day(unit.valid_to)}
    if unit.successors:
        return _(
            "%(name)s (until %(date)s; now in %(successors)s)",
            successors=", ".join(u.name for u in unit.successors),
            **values,
        )
    return _("%(name)s (until %(date)s)", **values)
