"""How a nomination's nominee is named on screens and in messages."""

from __future__ import annotations

from webapp.units.display import unit_label


def nominee_name(nomination) -> str:
    """Who a nomination is for, in one line: the unit as it was (and organization), the
    person (and their position), or the entry."""
    if nomination.unit is not None:
        name = unit_label(nomination.unit)
        if nomination.organization is not None:
            return f"{nomination.organization.tr('name')} · {name}"
        return name
    if nomination.entry is not None:
        return nomination.entry.name
    if nomination.person_role:
        return f"{nomination.person_name}, {nomination.person_role}"
    return nomination.person_name or ""
