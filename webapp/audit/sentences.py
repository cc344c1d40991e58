"""Audit events told as sentences a Vietnamese reader understands: the registry through which
each capability says how its events read.

An event stores a dotted action code ("report.accepted"), the object's table and id and a few
details. The log shows none of those codes: each action has a sentence (through gettext) naming
the object as people know it ("Báo cáo 6 tháng đầu năm 2026 của Hội Nông dân xã Bằng Thành được
chấp nhận"), and changed fields are named by their labels.

This package knows no capability. Each capability's `audit.py` (imported by create_app)
registers its actions (`register`: sentence, the filter's label, the placeholders' values, the
notes), the objects its sentences name (`loads` and `wants`), its field labels
(`field_labels`) and the pages its objects link to (`links`). `Names.load` fetches whatever
the sentences of a page of events name in one query per kind of object, whatever the page
holds: a kind is loaded after the kinds its wanted keys are read from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.audit.models import AuditEvent
from webapp.extensions import db

# How an event reads, given its details (a dict) and the page's names.
Values = Callable[[AuditEvent, dict, "Names"], Mapping[str, object]]
Notes = Callable[[AuditEvent, dict, "Names"], Iterable[str | None]]
# A changed field's name when the action names it itself (a report figure by its name), or None.
FieldName = Callable[[str, "Names"], str | None]
Link = Callable[[AuditEvent, dict, "Names"], str | None]
Wanted = Callable[[list[AuditEvent], "Names"], Iterable[Any]]

# One sentence per action code the services record, and the action filter's label for it.
# tests/test_audit_sentences.py finds every code in the code base and checks it has both.
SENTENCES: dict[str, Any] = {}
ACTION_LABELS: dict[str, Any] = {}

# An action no capability registered (a newer code, or one an old version wrote).
UNKNOWN = _l("A change was recorded")

# The label of every field a "changes" detail names, as the capabilities register them.
FIELD_LABELS: dict[str, Any] = {}
ANOTHER_FIELD = _l("another field")


@dataclass(frozen=True)
class Reading:
    values: Values | None = None
    notes: Notes | None = None
    field_name: FieldName | None = None


_READINGS: dict[str, Reading] = {}
_LOADERS: dict[str, Callable[[set], dict]] = {}
_WANTS: list[tuple[str, Wanted, tuple[str, ...]]] = []
_LINKS: dict[str, Link] = {}


def register(
    actions: Mapping[str, tuple[Any, Any]],
    *,
    values: Values | None = None,
    notes: Notes | None = None,
    field_name: FieldName | None = None,
) -> None:
    """Actions that read alike: code → (sentence, filter label), the sentences' placeholders
    (`values`), notes beyond the reason and the changed fields, and the changed fields the
    action names itself."""
    for action, (told, label) in actions.items():
        SENTENCES[action] = told
        ACTION_LABELS[action] = label
        _READINGS[action] = Reading(values, notes, field_name)


def field_labels(labels: Mapping[str, Any]) -> None:
    FIELD_LABELS.update(labels)


def loads(kind: str, load: Callable[[set], dict]) -> None:
    """How the objects of a kind (a table name, or another key) are fetched: keys → objects."""
    _LOADERS[kind] = load


def wants(kind: str, *, reads: tuple[str, ...] = ()) -> Callable[[Wanted], Wanted]:
    """Decorates a function giving the keys of `kind` a page's sentences name; `reads` are the
    kinds it looks at in the names already loaded."""

    def decorate(wanted: Wanted) -> Wanted:
        _WANTS.append((kind, wanted, reads))
        return wanted

    return decorate


def links(object_type: str) -> Callable[[Link], Link]:
    """Decorates the function giving an event's link to its object's page (None when the
    viewer may not open it)."""

    def decorate(link: Link) -> Link:
        _LINKS[object_type] = link
        return link

    return decorate


def by_id(model, *options) -> Callable[[set], dict]:
    """A loader of a model's rows by id, one query."""

    def load(ids: set) -> dict:
        stmt = sa.select(model).where(model.id.in_(ids)).options(*options)
        return {obj.id: obj for obj in db.session.scalars(stmt)}

    return load


# Reading an event's details: old events may hold anything, so each reader checks the type.
def event_details(event: AuditEvent) -> dict:
    return event.details if isinstance(event.details, dict) else {}


def as_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text_detail(details: dict, key: str) -> str | None:
    """A detail that should be a string, or None (old events may hold something else)."""
    value = details.get(key)
    return value if isinstance(value, str) and value else None


def object_ids(events: Iterable[AuditEvent], table: str, key: str | None = None) -> set:
    """The ids of the objects of a table the events are about, or an id detail of theirs."""
    if key is None:
        return {e.object_id for e in events if e.object_type == table}
    return {as_int(event_details(e).get(key)) for e in events if e.object_type == table}


def object_of(event: AuditEvent, names: Names, table: str):
    """The event's object when it is of that table and still there."""
    return names.get(table, event.object_id) if event.object_type == table else None


def lower_first(text: str) -> str:
    """ "Xã Bằng Thành" inside a phrase reads "xã Bằng Thành"."""
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Names:
    """What the sentences of a page of events name, loaded once for the page: per kind, the
    objects by key."""

    loaded: dict[str, dict] = field(default_factory=dict)

    def of(self, kind: str) -> dict:
        return self.loaded.get(kind, {})

    def get(self, kind: str, key):
        return self.loaded.get(kind, {}).get(key)

    @classmethod
    def load(cls, events: list[AuditEvent]) -> Names:
        """One query per kind of object at most, each kind after those its keys are read
        from (lines → reports → lists → entries …), so a page costs the same however long."""
        names = cls()
        order = TopologicalSorter({kind: set() for kind in _LOADERS})
        for kind, _wanted, reads in _WANTS:
            order.add(kind, *reads)
        for kind in order.static_order():
            if kind not in _LOADERS:
                continue
            keys: set = set()
            for wanted_kind, wanted, _reads in _WANTS:
                if wanted_kind == kind:
                    keys.update(wanted(events, names))
            keys.discard(None)
            names.loaded[kind] = _LOADERS[kind](keys) if keys else {}
        return names

    def changed_fields(self, event: AuditEvent) -> list[str]:
        """The labels of the fields an event changed (some actions name their own)."""
        changes = event_details(event).get("changes")
        if not isinstance(changes, dict):
            return []
        reading = _READINGS.get(event.action)
        own = reading.field_name if reading else None
        labels = []
        for key in changes:
            name = own(str(key), self) if own else None
            if name is None:
                name = lower_first(str(FIELD_LABELS.get(key, ANOTHER_FIELD)))
            labels.append(name)
        return labels


def sentence(event: AuditEvent, names: Names) -> str:
    """The event as one sentence, starting with a capital."""
    template = SENTENCES.get(event.action)
    if template is None:
        return str(UNKNOWN)
    reading = _READINGS[event.action]
    values = reading.values(event, event_details(event), names) if reading.values else {}
    return upper_first(str(template) % values)


def notes(event: AuditEvent, names: Names) -> list[str]:
    """The few details worth a glance: the reason, the changed fields, and what the action
    adds; the rest (snapshots of values) stay in the database."""
    details = event_details(event)
    found = []
    if reason := text_detail(details, "reason"):
        found.append(_("Reason: %(reason)s", reason=reason))
    if changed := names.changed_fields(event):
        found.append(_("Changed: %(fields)s", fields=", ".join(changed)))
    reading = _READINGS.get(event.action)
    if reading is not None and reading.notes is not None:
        found.extend(reading.notes(event, details, names))
    return [note for note in found if note]


def link(event: AuditEvent, names: Names) -> str | None:
    """The link to the event's object, if its capability gives one the viewer may open."""
    linked = _LINKS.get(event.object_type)
    return linked(event, event_details(event), names) if linked else None
