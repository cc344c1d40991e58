"""How the audit log reads the decisions on likely duplicate entries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.audit import sentences as audit
from webapp.audit.sentences import Names
from webapp.units.audit import unit_name


def _values(event, details: dict, names: Names) -> dict:
    return {"unit": unit_name(names, event.unit_id)}


audit.register(
    {
        "overlap.decided": (
            _l("A likely duplicate pair in %(unit)s was decided on"),
            _l("Likely duplicate decided on"),
        ),
        "overlap.reopened": (
            _l("A likely duplicate pair in %(unit)s was opened again"),
            _l("Likely duplicate opened again"),
        ),
    },
    values=_values,
)
