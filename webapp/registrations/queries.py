"""Read-side helpers for the registration pages: overviews, summaries and side-by-side views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_login import current_user
from sqlalchemy.orm import Load, selectinload

from webapp import policy
from webapp.campaign.deadlines import current_campaign, registration_due
from webapp.campaign.models import Content, MemberOrganization
from webapp.db import local_today
from webapp.extensions import db
from webapp.policy import Action
from webapp.registrations.forms import EntryForm, HeaderForm
from webapp.registrations.models import Entry, EntryKind, ListState, RegistrationList
from webapp.registrations.services import (
    ENTRY_FIELDS,
    HEADER_FIELDS,
    organizations_at,
)
from webapp.units.models import Level, Unit
from webapp.units.queries import valid_in_year

# Units whose page lists the units below them (a national root lists its provinces), and
# the units such a page lists.
ABOVE_COMMUNES = (Level.COUNTRY, Level.PROVINCE, Level.DISTRICT)
BELOW_ROOT = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


@dataclass
class ListRow:
    organization: MemberOrganization
    registration_list: RegistrationList | None
    entries: int = 0
    can_start: bool = False


@dataclass
class ChildRow:
    unit: Unit
    expected: int
    started: int = 0
    submitted: int = 0


@dataclass
class Overview:
    rows: list[ListRow] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)


@dataclass
class Summary:
    entries: int
    contents: list[tuple[Content, int]]
    budget: int


def unit_overview(user, unit: Unit, year: int) -> Overview:
    """The lists of a unit's organizations for a year that the user may read, and for the
    units below it how many lists were started and submitted."""
    overview = Overview()
    lists = {
        rl.organization_id: rl
        for rl in db.session.scalars(
            policy.visible(
                user,
                Action.LIST_VIEW,
                sa.select(RegistrationList).filter_by(unit_id=unit.id, year=year),
            )
        )
    }
    counts = dict(
        db.session.execute(
            sa.select(Entry.list_id, sa.func.count(Entry.id))
            .where(Entry.list_id.in_([rl.id for rl in lists.values()]))
            .group_by(Entry.list_id)
        ).all()
    )
    for organization in organizations_at(unit):
        existing = lists.get(organization.id)
        probe = existing or RegistrationList(unit=unit, organization=organization, year=year)
        if policy.can(user, Action.LIST_VIEW, probe):
            overview.rows.append(
                ListRow(
                    organization,
                    existing,
                    counts.get(existing.id, 0) if existing else 0,
                    can_start=existing is None and policy.can(user, Action.LIST_EDIT, probe),
                )
            )
    if unit.level in ABOVE_COMMUNES:
        overview.children = _children(user, unit, year)
    return overview


def may_open_unit(user, unit: Unit, year: int) -> bool:
    """Whether the user may open the unit's registrations page for the year: the page shows a
    list they may read there or a unit below with lists they may read, or they may view the
    unit itself. The question the page asks, so that a link to it (a breadcrumb) asks it too."""
    if policy.can(user, Action.UNIT_VIEW, unit):
        return True
    if any(
        policy.can(user, Action.LIST_VIEW, RegistrationList(unit=unit, organization=o, year=year))
        for o in organizations_at(unit)
    ):
        return True
    # Not the national root: asking each of its provinces would cost a query or more per
    # province on every page whose breadcrumb reaches it (a commune editor's list).
    if unit.level not in (Level.PROVINCE, Level.DISTRICT):
        return False
    pairs = policy.scope(user, Action.LIST_VIEW)
    return any(_reach(pairs, child, year) for child in unit.children)


def _reach(pairs, child: Unit, year: int) -> list[int | None]:
    """The organizations (None: every one) whose lists the user may read at a unit below, if
    that unit has registrations in the year; empty when it does not or they may read none."""
    if child.level not in BELOW_ROOT or not valid_in_year(child, year):
        return []
    above = {u.id for u in child.covering_units()}
    return [organization for root, organization in pairs if root in above]


def _children(user, unit: Unit, year: int) -> list[ChildRow]:
    pairs = policy.scope(user, Action.LIST_VIEW)
    rows = []
    for child in unit.children:
        reach = _reach(pairs, child, year)
        if not reach:
            continue
        organizations = organizations_at(child)
        if None not in reach:
            organizations = [o for o in organizations if o.id in reach]
        rows.append(ChildRow(child, expected=len(organizations)))
    by_unit = {row.unit.id: row for row in rows}
    states = db.session.execute(
        policy.visible(
            user,
            Action.LIST_VIEW,
            sa.select(RegistrationList.unit_id, RegistrationList.state, sa.func.count())
            .where(RegistrationList.unit_id.in_(list(by_unit)), RegistrationList.year == year)
            .group_by(RegistrationList.unit_id, RegistrationList.state),
        )
    )
    for unit_id, state, count in states:
        by_unit[unit_id].started += count
        if state in (ListState.SUBMITTED, ListState.APPROVED):
            by_unit[unit_id].submitted += count
    return rows


def list_summary(registration_list: RegistrationList) -> Summary:
    """How many entries, how many per content (every content shown), and the estimated budget."""
    campaign = current_campaign()
    per_content: dict[int, int] = {}
    budget = 0
    for entry in registration_list.entries:
        per_content[entry.content_id] = per_content.get(entry.content_id, 0) + 1
        budget += entry.budget_total or 0
    contents = [(c, per_content.get(c.id, 0)) for c in (campaign.contents if campaign else [])]
    return Summary(len(registration_list.entries), contents, budget)


def display(name: str, value: Any) -> str:
    """A field value as the pages show it."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "kind":
        return EntryKind(value).label
    if name == "content":
        return f"{value.number}. {value.tr('short')}"
    if name in ("model_type", "lead_organization"):
        return value.tr("name")
    if name == "location":
        return value.name
    if name == "partners":
        return ", ".join(p.tr("name") for p in value)
    if name in ("starts_on", "ends_on"):
        return f"{value.month:02d}/{value.year}"
    if name.startswith("budget_"):
        return format_decimal(value)
    if isinstance(value, date):
        return format_date(value, "dd/MM/yyyy")
    return str(value)


def _label(form, name: str) -> str:
    bound = form._fields.get(name) or form._fields.get(f"{name}_id")
    if bound is None and name == "partners":
        bound = form.partner_ids
    return str(bound.label.text)


def field_labels() -> dict[str, str]:
    """The form's label of each entry and header field, for histories and comparisons."""
    entry = EntryForm(formdata=None, meta={"csrf": False})
    header = HeaderForm(formdata=None, meta={"csrf": False})
    labels = {name: _label(entry, name) for name in ENTRY_FIELDS}
    labels.update({name: _label(header, name) for name in HEADER_FIELDS})
    return labels


def compare_entry(form, mine, current: Entry) -> list[tuple[str, str, str]]:
    """(label, the user's value, the saved value) for each field where they differ."""
    rows = []
    for name in ENTRY_FIELDS:
        ours, theirs = getattr(mine, name), getattr(current, name)
        if display(name, ours) != display(name, theirs):
            rows.append((_label(form, name), display(name, ours), display(name, theirs)))
    return rows


def compare_header(form, current: RegistrationList) -> list[tuple[str, str, str]]:
    rows = []
    for name in HEADER_FIELDS:
        ours, theirs = form[name].data or None, getattr(current, name)
        if display(name, ours) != display(name, theirs):
            rows.append((_label(form, name), display(name, ours), display(name, theirs)))
    return rows


def open_years(today: date) -> list[int]:
    """The seasons editors are reminded of: this year, and next year once its deadline is
    less than three months away."""
    years = [today.year]
    upcoming = registration_due(today.year + 1)
    if upcoming is not None and (upcoming - today).days <= 90:
        years.append(today.year + 1)
    return years


def due_note(due: date | None, today: date) -> str:
    """ "due …, n days left" or "was due …, n days ago", for the home page's items."""
    if due is None:
        return ""
    days = (due - today).days
    if days >= 0:
        return ngettext(
            "due %(date)s, %(num)d day left",
            "due %(date)s, %(num)d days left",
            days,
            date=format_date(due, "dd/MM/yyyy"),
        )
    return ngettext(
        "was due %(date)s, %(num)d day ago",
        "was due %(date)s, %(num)d days ago",
        -days,
        date=format_date(due, "dd/MM/yyyy"),
    )


def due_items(user) -> list[dict]:
    """For the home page: per unit the user registers for, the lists of a season not yet
    submitted, with the deadline."""
    today = local_today()
    items = []
    for year in open_years(today):
        due = registration_due(year)
        for unit_id, organization_id in policy.scope(user, Action.LIST_EDIT):
            unit = db.session.get(Unit, unit_id)
            if not valid_in_year(unit, year):
                continue
            organizations = [o for o in organizations_at(unit) if organization_id in (None, o.id)]
            done = set(
                db.session.scalars(
                    sa.select(RegistrationList.organization_id).where(
                        RegistrationList.unit_id == unit.id,
                        RegistrationList.year == year,
                        RegistrationList.state.not_in([ListState.DRAFT, ListState.RETURNED]),
                    )
                )
            )
            pending = sum(1 for o in organizations if o.id not in done)
            if not pending:
                continue
            note = due_note(due, today)
            items.append(
                {
                    "text": ngettext(
                        "%(unit)s: %(num)d list for %(year)d to submit",
                        "%(unit)s: %(num)d lists for %(year)d to submit",
                        pending,
                        unit=unit.name,
                        year=year,
                    ),
                    "count": pending,
                    "note": note,
                    "url": url_for("registrations.show_unit", year=year, unit_id=unit.id),
                }
            )
    return items


# What the packages above add to a list's entries when load_list loads them (review: their
# decisions with who made them), so a list page still costs a few queries, not one per row.
# Registered by their init_app, as registrations import nothing of them.
_entry_loaders: list[Callable[[Load], Load]] = []


def load_entries_with(loader: Callable[[Load], Load]) -> None:
    """Have load_list add `loader(entries)` to its options, `entries` being its
    `selectinload(RegistrationList.entries)`. Adding the same loader again does nothing."""
    if loader not in _entry_loaders:
        _entry_loaders.append(loader)


def load_list(list_id: int, action: Action = Action.LIST_VIEW) -> RegistrationList:
    """A list with everything its entries show loaded in a few queries (not one per row),
    after the policy allowed `action` on it (404 if missing, 403/sign-in if not allowed)."""
    entries = selectinload(RegistrationList.entries)
    registration_list = db.session.get(
        RegistrationList,
        list_id,
        options=[
            entries.selectinload(Entry.content),
            entries.selectinload(Entry.location),
            entries.selectinload(Entry.model_type),
            entries.selectinload(Entry.lead_organization),
            entries.selectinload(Entry.partners),
            *(loader(entries) for loader in _entry_loaders),
            selectinload(RegistrationList.submitted_by),
        ],
    )
    if registration_list is None:
        abort(404)
    policy.require(current_user, action, registration_list)
    return registration_list
