"""Changes to registration lists and their entries; callers commit.

Every change checks the policy, locks the list row (so a submission and an edit on another
device cannot interleave on PostgreSQL), compares the version the user saw, writes an audit
event and flushes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import events, policy
from webapp.audit.services import record
from webapp.campaign.deadlines import registration_due
from webapp.campaign.models import Content, MemberOrganization, ModelType
from webapp.concurrency import check_version, flush_or_stale, lock_current
from webapp.db import local_zone, utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.notifications.models import NotificationKind
from webapp.notifications.services import notify
from webapp.policy import Action
from webapp.registrations.models import (
    EDITABLE_ENTRY_STATES,
    Entry,
    EntryKind,
    EntryState,
    ListState,
    RegistrationList,
)
from webapp.units.models import Level, Unit
from webapp.units.queries import active_on, subtree_ids, year_day


class RegistrationError(Refused):
    """A change that cannot be made; the message is shown to the user, next to `field` if any."""


@dataclass
class EntryValues:
    """What an editor fills in for an entry."""

    kind: EntryKind
    name: str
    content: Content
    location: Unit
    lead_organization: MemberOrganization
    model_type: ModelType | None = None
    description: str | None = None
    scale: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    budget_people: int | None = None
    budget_state: int | None = None
    budget_other: int | None = None
    partners: list[MemberOrganization] = field(default_factory=list)
    notes: str | None = None


# What the audit trail and the conflict view compare, in the order of the form.
ENTRY_FIELDS = (
    "kind",
    "name",
    "content",
    "model_type",
    "location",
    "description",
    "scale",
    "starts_on",
    "ends_on",
    "budget_people",
    "budget_state",
    "budget_other",
    "lead_organization",
    "partners",
    "notes",
)
HEADER_FIELDS = ("registered_on", "signer_title", "signer_name")


def organizations_at(unit: Unit) -> list[MemberOrganization]:
    """The active organizations that have a committee at the unit's level, in the plan's order."""
    column = {
        Level.PROVINCE: MemberOrganization.at_province,
        Level.DISTRICT: MemberOrganization.at_district,
        Level.COMMUNE: MemberOrganization.at_commune,
    }.get(unit.level)
    if column is None:
        return []
    return list(
        db.session.scalars(
            sa.select(MemberOrganization)
            .where(MemberOrganization.is_active, column)
            .order_by(MemberOrganization.sort_order)
        )
    )


def location_choices(registration_list: RegistrationList) -> list[Unit]:
    """Where an entry of the list may take place: the list's own unit, then for a commune its
    residential areas, for a district or province every commune below it (valid that year)."""
    unit = registration_list.unit
    if unit.level == Level.COMMUNE:
        below = sa.select(Unit).where(Unit.parent_id == unit.id, Unit.level == Level.AREA)
        order = (Unit.name,)
    else:
        below = sa.select(Unit).where(
            Unit.id.in_(subtree_ids([unit.id])), Unit.level == Level.COMMUNE
        )
        order = (Unit.parent_id, Unit.code, Unit.name)
    below = below.where(active_on(year_day(registration_list.year))).order_by(*order)
    return [unit, *db.session.scalars(below)]


def lock_list(registration_list: RegistrationList) -> None:
    """Take the list's row lock (PostgreSQL) and reload what others committed meanwhile:
    the list and its entries, whose states decide the list's state."""
    lock_current(registration_list)
    db.session.execute(
        sa.select(Entry)
        .where(Entry.list_id == registration_list.id)
        .execution_options(populate_existing=True)
    ).all()


def lock_entry(entry: Entry, version: int) -> None:
    """Lock the entry (and its list) and refuse if it changed since the user saw `version`."""
    lock_list(entry.registration_list)
    lock_current(entry, version)


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value, for audit details and comparisons."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "id") and not isinstance(value, str | int):
        return value.id
    return value


def entry_snapshot(entry: Entry | EntryValues) -> dict[str, Any]:
    return {name: _plain(getattr(entry, name)) for name in ENTRY_FIELDS}


def _check_values(registration_list: RegistrationList, values: EntryValues) -> None:
    """The rules the form also checks; repeated here so no caller can store a bad entry."""
    allowed = {u.id for u in location_choices(registration_list)}
    if values.location.id not in allowed:
        raise RegistrationError(
            _(
                "The location must be %(unit)s or a place inside it.",
                unit=registration_list.unit.name,
            ),
            "location",
        )
    if values.starts_on and values.ends_on and values.ends_on < values.starts_on:
        raise RegistrationError(_("The end month cannot be before the start month."), "ends_on")
    for name in ("budget_people", "budget_state", "budget_other"):
        amount = getattr(values, name)
        if amount is not None and amount < 0:
            raise RegistrationError(_("An amount cannot be negative."), name)


def _apply(entry: Entry, values: EntryValues) -> None:
    for name in ENTRY_FIELDS:
        if name == "partners":
            entry.partners = [p for p in values.partners if p.id != values.lead_organization.id]
        else:
            setattr(entry, name, getattr(values, name))


def start_list(actor, unit: Unit, organization: MemberOrganization, year: int) -> RegistrationList:
    """The organization's list at the unit for the year, created empty if there is none yet."""
    existing = db.session.scalar(
        sa.select(RegistrationList).filter_by(
            unit_id=unit.id, organization_id=organization.id, year=year
        )
    )
    if existing is not None:
        policy.ensure(actor, Action.LIST_VIEW, existing)
        return existing
    registration_list = RegistrationList(unit=unit, organization=organization, year=year)
    policy.ensure(actor, Action.LIST_EDIT, registration_list)
    if organization not in organizations_at(unit):
        raise RegistrationError(
            _(
                "%(organization)s registers no list at this level.",
                organization=organization.tr("name"),
            )
        )
    db.session.add(registration_list)
    record(
        actor,
        "list.created",
        registration_list,
        unit_id=unit.id,
        organization=organization.code,
        year=year,
    )
    return registration_list


def add_entry(actor, registration_list: RegistrationList, values: EntryValues) -> Entry:
    lock_list(registration_list)
    policy.ensure(actor, Action.LIST_EDIT, registration_list)
    _check_values(registration_list, values)
    last = max((e.position for e in registration_list.entries), default=0)
    entry = Entry(
        registration_list=registration_list,
        position=last + 1,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    _apply(entry, values)
    db.session.add(entry)
    record(
        actor,
        "entry.created",
        entry,
        unit_id=registration_list.unit_id,
        list_id=registration_list.id,
        values=entry_snapshot(entry),
    )
    return entry


def update_entry(actor, entry: Entry, version: int, values: EntryValues) -> Entry:
    lock_entry(entry, version)
    policy.ensure(actor, Action.ENTRY_EDIT, entry)
    _check_values(entry.registration_list, values)
    before = entry_snapshot(entry)
    _apply(entry, values)
    after = entry_snapshot(entry)
    changes = {
        name: [before[name], after[name]] for name in ENTRY_FIELDS if before[name] != after[name]
    }
    if changes:
        entry.updated_at = utcnow()  # bumps the version even when only partners changed
        entry.updated_by_id = actor.id
        flush_or_stale(entry)
        record(
            actor,
            "entry.updated",
            entry,
            unit_id=entry.registration_list.unit_id,
            list_id=entry.list_id,
            changes=changes,
        )
    return entry


def duplicate_entry(actor, entry: Entry) -> Entry:
    """A copy at the end of the list, as a draft to adjust (same place, content, partners …)."""
    registration_list = entry.registration_list
    policy.ensure(actor, Action.LIST_EDIT, registration_list)
    values = EntryValues(**{name: getattr(entry, name) for name in ENTRY_FIELDS})
    values.partners = list(entry.partners)
    values.name = _("%(name)s (copy)", name=entry.name)[:300]
    copy = add_entry(actor, registration_list, values)
    record(actor, "entry.duplicated", copy, unit_id=registration_list.unit_id, source=entry.id)
    return copy


def delete_entry(actor, entry: Entry, version: int) -> None:
    """Whoever may edit the entry may delete it: the one rule, entry.edit, already holds it to a
    draft or returned entry of an open list (the entry's row asks the same rule)."""
    lock_entry(entry, version)
    policy.ensure(actor, Action.ENTRY_EDIT, entry)
    registration_list = entry.registration_list
    record(
        actor,
        "entry.deleted",
        entry,
        unit_id=registration_list.unit_id,
        list_id=registration_list.id,
        values=entry_snapshot(entry),
    )
    # Coverage takes back what its joint-work decisions added to other entries.
    events.publish(events.ENTRY_DELETING, entry=entry)
    registration_list.entries.remove(entry)
    db.session.flush()
    # Withdrawing the one entry a reviewer sent back may complete the list.
    settle_state(registration_list)


def update_header(
    actor,
    registration_list: RegistrationList,
    version: int,
    *,
    registered_on: date | None,
    signer_title: str | None,
    signer_name: str | None,
) -> RegistrationList:
    lock_list(registration_list)
    check_version(registration_list, version)
    policy.ensure(actor, Action.LIST_EDIT, registration_list)
    new = {"registered_on": registered_on, "signer_title": signer_title, "signer_name": signer_name}
    changes = {
        name: [_plain(getattr(registration_list, name)), _plain(value)]
        for name, value in new.items()
        if getattr(registration_list, name) != value
    }
    if changes:
        for name, value in new.items():
            setattr(registration_list, name, value)
        flush_or_stale(registration_list)
        record(
            actor,
            "list.updated",
            registration_list,
            unit_id=registration_list.unit_id,
            changes=changes,
        )
    return registration_list


def settle_state(registration_list: RegistrationList) -> ListState | None:
    """Once sent, a list follows its entries: all approved → approved; any draft or returned
    → open to the editor again; otherwise it awaits decisions. The new state, if it changed."""
    if registration_list.first_submitted_at is None:
        return None  # never sent: a draft whatever its entries
    states = {e.state for e in registration_list.entries}
    if states == {EntryState.APPROVED}:
        new = ListState.APPROVED
    elif not states or states & {EntryState.DRAFT, EntryState.RETURNED}:
        new = ListState.RETURNED
    else:
        new = ListState.SUBMITTED
    if new == registration_list.state:
        return None
    registration_list.state = new
    flush_or_stale(registration_list)
    return new


def submit_list(
    actor, registration_list: RegistrationList, *, at: datetime | None = None
) -> RegistrationList:
    """Send the list for review; after the deadline it is accepted and marked late.

    `at` (aware) is for loading past seasons: when the submission happened.
    """
    lock_list(registration_list)
    policy.ensure(actor, Action.LIST_SUBMIT, registration_list)
    pending = [e for e in registration_list.entries if e.state in EDITABLE_ENTRY_STATES]
    if not registration_list.entries:
        raise RegistrationError(_("Add at least one entry before submitting the list."))
    at = at or utcnow()
    today = at.astimezone(local_zone()).date()
    due = registration_due(registration_list.year)
    # Timeliness: a list returned and sent again after the deadline was still registered on
    # time, but entries first sent after it make it late.
    if due is not None and today > due and any(e.state == EntryState.DRAFT for e in pending):
        registration_list.is_late = True
    registration_list.state = ListState.SUBMITTED
    registration_list.submitted_at = at
    registration_list.first_submitted_at = registration_list.first_submitted_at or at
    registration_list.submitted_by_id = actor.id
    if registration_list.registered_on is None:
        registration_list.registered_on = today
    for entry in pending:
        entry.state = EntryState.SUBMITTED
        entry.submitted_by_id = actor.id
    db.session.flush()
    settle_state(registration_list)
    # Reviewers learn of it in the app (no e-mail or SMS is assumed).
    notify(
        policy.who_can(Action.LIST_APPROVE, registration_list),
        NotificationKind.SUBMITTED,
        registration_list,
        actor=actor,
    )
    record(
        actor,
        "list.submitted",
        registration_list,
        unit_id=registration_list.unit_id,
        entries=[e.id for e in pending],
        late=registration_list.is_late,
        due=due.isoformat() if due else None,
    )
    return registration_list
