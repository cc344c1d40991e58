"""Translated labels for the states and kinds stored as codes.

Each StrEnum that people see says its own labels (`Labelled`, defined beside the enum in its
capability's models), so this module knows no capability: `Role.ADMIN.label` in Python,
`{{ assignment.role|label }}` in templates, `Role.choices()` for a select field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self

# Each labelled enum's table, built once: lazy strings translate when shown, in the language of
# the request.
_TABLES: dict[type, Mapping[Any, Any]] = {}


class Labelled:
    """Mixin for a StrEnum whose members have translated labels. A subclass defines
    `_labels()`: a lazy gettext string per member (`lazy_gettext`, or `lazy_pgettext` where the
    same English word means several things)."""

    @classmethod
    def _labels(cls) -> Mapping[Any, Any]:
        # Abstract: an enum that mixes Labelled in without saying its labels is a programming
        # error, found the first time one of its labels is asked for.
        raise NotImplementedError(f"{cls.__name__} mixes in Labelled but defines no _labels()")

    @classmethod
    def _table(cls) -> Mapping[Any, Any]:
        table = _TABLES.get(cls)
        if table is None:
            table = _TABLES[cls] = cls._labels()
        return table

    @property
    def label(self) -> str:
        """The member's label in the language of the request."""
        return str(type(self)._table()[self])

    @classmethod
    def labels(cls) -> dict[Self, str]:
        """Every member with its label, in the order the labels are listed."""
        return {member: member.label for member in cls._table()}

    @classmethod
    def choices(cls, members: Iterable[Self] | None = None) -> list[tuple[str, str]]:
        """(value, label) pairs for a select field: every member, or the ones given."""
        chosen = cls._table() if members is None else members
        return [(member.value, member.label) for member in chosen]  # type: ignore[attr-defined]


def label(value: Labelled) -> str:
    """The `|label` filter: a labelled member's label. Anything else is a mistake in the
    template (a code would show), so it fails loudly."""
    if not isinstance(value, Labelled):
        raise TypeError(f"{value!r} has no label")
    return value.label
