"""The reviewer's worklist, what changed since a return, and the history of an item."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.audit.models import AuditEvent
from webapp.campaign.models import Content, MemberOrganization, ModelType
from webapp.extensions import db
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState, ListState, RegistrationList
from webapp.registrations.queries import display
from webapp.registrations.services import ENTRY_FIELDS, HEADER_FIELDS, entry_snapshot
from webapp.review.chain import routed_among
from webapp.review.models import Decision
from webapp.units.models import Unit

QUEUE_STATES = ("awaiting", "returned", "approved", "all")


@dataclass
class QueueRow:
    registration_list: RegistrationList
    counts: dict[EntryState, int]

    @property
    def awaiting(self) -> int:
        return self.counts.get(EntryState.SUBMITTED, 0)


@dataclass
class QueueGroup:
    unit: Unit
    rows: list[QueueRow] = field(default_factory=list)


@dataclass
class QueueFilters:
    year: int | None = None
    unit_id: int | None = None
    organization_id: int | None = None
    content_id: int | None = None
    state: str = "awaiting"


def _routed_to(user, stmt: sa.Select) -> list[RegistrationList]:
    """The lists of `stmt` whose review falls to the user, their units ready to be labelled:
    a fixed number of queries however many units and submitters they span."""
    return routed_among(user, db.session.scalars(stmt.options(selectinload(RegistrationList.unit))))


def review_queue(user, filters: QueueFilters) -> list[QueueGroup]:
    """Submitted lists whose review falls to the user, by unit, oldest submission first."""
    stmt = sa.select(RegistrationList).where(
        RegistrationList.state != ListState.DRAFT, RegistrationList.submitted_at.is_not(None)
    )
    if filters.year:
        stmt = stmt.where(RegistrationList.year == filters.year)
    if filters.unit_id:
        stmt = stmt.where(RegistrationList.unit_id == filters.unit_id)
    if filters.organization_id:
        stmt = stmt.where(RegistrationList.organization_id == filters.organization_id)
    if filters.content_id:
        stmt = stmt.where(RegistrationList.entries.any(Entry.content_id == filters.content_id))
    stmt = policy.visible(user, Action.ENTRY_APPROVE, stmt).order_by(
        RegistrationList.first_submitted_at, RegistrationList.id
    )
    lists = _routed_to(user, stmt)
    counts: dict[int, dict[EntryState, int]] = defaultdict(dict)
    if lists:
        for list_id, state, count in db.session.execute(
            sa.select(Entry.list_id, Entry.state, sa.func.count())
            .where(Entry.list_id.in_([rl.id for rl in lists]))
            .group_by(Entry.list_id, Entry.state)
        ):
            counts[list_id][EntryState(state)] = count
    rows = [QueueRow(rl, counts[rl.id]) for rl in lists]
    keep = {
        "awaiting": lambda r: r.awaiting > 0,
        "returned": lambda r: r.counts.get(EntryState.RETURNED, 0) > 0,
        "approved": lambda r: r.registration_list.state == ListState.APPROVED,
        "all": lambda r: True,
    }[filters.state if filters.state in QUEUE_STATES else "awaiting"]
    groups: dict[int, QueueGroup] = {}
    for row in filter(keep, rows):
        unit = row.registration_list.unit
        groups.setdefault(unit.id, QueueGroup(unit)).rows.append(row)
    for group in groups.values():
        group.rows.sort(key=lambda r: r.registration_list.organization.sort_order)
    return list(groups.values())  # in order of each unit's oldest submission


def queue_choices(user) -> dict[str, list]:
    """What the filters offer: the units and years that have lists for the user to review."""
    stmt = policy.visible(
        user,
        Action.ENTRY_APPROVE,
        sa.select(RegistrationList).where(RegistrationList.submitted_at.is_not(None)),
    )
    lists = _routed_to(user, stmt)
    units = sorted({rl.unit for rl in lists}, key=lambda u: (u.code or "~", u.name))
    organizations = list(
        db.session.scalars(
            sa.select(MemberOrganization)
            .where(MemberOrganization.is_active)
            .order_by(MemberOrganization.sort_order)
        )
    )
    contents = list(db.session.scalars(sa.select(Content).order_by(Content.number)))
    years = sorted({rl.year for rl in lists}, reverse=True)
    return {"units": units, "organizations": organizations, "contents": contents, "years": years}


def awaiting_count(user) -> int:
    """Entries awaiting the user's decision, for the home page."""
    groups = review_queue(user, QueueFilters())
    return sum(row.awaiting for group in groups for row in group.rows)


# What changed since the reviewer returned an entry


def _resolve(name: str, value: Any) -> Any:
    """A stored plain value (ids, ISO dates) as the object the page shows."""
    if value in (None, "", []):
        return None
    if name == "content":
        return db.session.get(Content, value)
    if name == "model_type":
        return db.session.get(ModelType, value)
    if name == "location":
        return db.session.get(Unit, value)
    if name == "lead_organization":
        return db.session.get(MemberOrganization, value)
    if name == "partners":
        return [db.session.get(MemberOrganization, v) for v in value]
    if name in ("starts_on", "ends_on"):
        return date.fromisoformat(value)
    return value


def changes_since_return(entry: Entry, labels: dict[str, str]) -> list[tuple[str, str, str]] | None:
    """For a resubmitted entry: (field, when returned, now) for each field that changed since
    the last time it was sent back ([] if none did); None when it never came back."""
    if entry.state != EntryState.SUBMITTED:
        return None
    last_back = next(
        (
            d
            for d in reversed(entry.decisions)
            if d.decision in (Decision.RETURNED, Decision.REOPENED)
        ),
        None,
    )
    if last_back is None:
        return None
    now = entry_snapshot(entry)
    return [
        (
            labels[name],
            display(name, _resolve(name, last_back.snapshot.get(name))),
            display(name, _resolve(name, now[name])),
        )
        for name in ENTRY_FIELDS
        if last_back.snapshot.get(name) != now[name]
    ]


# History


@dataclass
class Moment:
    at: datetime
    who: str
    what: str
    note: str | None = None


def _describe(event: AuditEvent, labels: dict[str, str]) -> tuple[str, str | None]:
    details = event.details or {}
    fields = details.get("changes") or {}
    texts = {
        "list.created": (_("started the list"), None),
        "list.updated": (
            _("changed the header"),
            ", ".join(labels.get(n, n) for n in fields if n in HEADER_FIELDS) or None,
        ),
        "list.submitted": (
            _("submitted the list (late)") if details.get("late") else _("submitted the list"),
            None,
        ),
        "list.approved": (_("The whole list was approved."), None),
        "list.returned": (_("The list went back to the editor."), None),
        "entry.created": (_("added the entry"), None),
        "entry.updated": (
            _("edited the entry"),
            ", ".join(labels.get(n, n) for n in fields) or None,
        ),
        "entry.duplicated": (_("made this entry as a copy"), None),
        "entry.deleted": (_("deleted the entry"), None),
        "entry.approved": (_("approved"), None),
        "entry.returned": (_("returned it"), details.get("reason")),
        "entry.reopened": (_("reopened it"), details.get("reason")),
    }
    return texts.get(event.action, (event.action, None))


def timeline(registration_list: RegistrationList, entry: Entry | None, labels) -> list[Moment]:
    """What happened to a list (or one of its entries), oldest first, from the audit trail."""
    about_list = sa.and_(
        AuditEvent.object_type == RegistrationList.__tablename__,
        AuditEvent.object_id == registration_list.id,
    )
    if entry is None:
        about_entries = sa.and_(
            AuditEvent.object_type == Entry.__tablename__,
            AuditEvent.action.in_(["entry.approved", "entry.returned", "entry.reopened"]),
            AuditEvent.object_id.in_(
                sa.select(Entry.id).where(Entry.list_id == registration_list.id)
            ),
        )
        where = sa.or_(about_list, about_entries)
    else:
        about_entry = sa.and_(
            AuditEvent.object_type == Entry.__tablename__, AuditEvent.object_id == entry.id
        )
        submitted = sa.and_(about_list, AuditEvent.action == "list.submitted")
        where = sa.or_(about_entry, submitted)
    events = db.session.scalars(
        sa.select(AuditEvent).where(where).order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    moments = []
    names = {e.id: e.name for e in registration_list.entries}
    for event in events:
        if (
            entry is not None
            and event.action == "list.submitted"
            and entry.id not in (event.details or {}).get("entries", [])
        ):
            continue
        what, note = _describe(event, labels)
        if entry is None and event.object_type == Entry.__tablename__:
            what = f"{what}: {names.get(event.object_id, '')}"
        # The list's own changes follow from a decision: they are nobody's doing.
        system = event.action in ("list.approved", "list.returned")
        who = "" if system else (event.actor.full_name if event.actor else "—")
        moments.append(Moment(event.occurred_at, who, what, note))
    return moments
