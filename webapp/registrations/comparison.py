"""Comparing two years' registrations across reorganizations: each year counted on its own
structure, the earlier year's units mapped to the units that stand for them in the later one
(`successor_map`), with the mapping shown."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from webapp import policy
from webapp.extensions import db
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.units.models import Unit
from webapp.units.queries import prime_successors, successor_map, year_day


@dataclass
class Counts:
    registered: int = 0
    approved: int = 0

    def add(self, other: Counts) -> None:
        self.registered += other.registered
        self.approved += other.approved


@dataclass
class ComparisonRow:
    """The later year's unit(s) — several when an earlier unit was split, none when its
    successor is not known — with the earlier units mapped onto them."""

    units: list[Unit]
    earlier_units: list[Unit] = field(default_factory=list)
    earlier: Counts = field(default_factory=Counts)
    later: Counts = field(default_factory=Counts)


def entry_counts(user, year: int, content_id: int | None = None) -> dict[int, Counts]:
    """Entries registered and approved per unit in a year, within what the user may read."""
    stmt = (
        sa.select(
            RegistrationList.unit_id,
            sa.func.count(Entry.id),
            sa.func.count(Entry.id).filter(Entry.state == EntryState.APPROVED),
        )
        .join(Entry, Entry.list_id == RegistrationList.id)
        .where(RegistrationList.year == year)
        .group_by(RegistrationList.unit_id)
    )
    if content_id is not None:
        stmt = stmt.where(Entry.content_id == content_id)
    rows = db.session.execute(policy.visible(user, Action.LIST_VIEW, stmt))
    return {unit_id: Counts(registered, approved) for unit_id, registered, approved in rows}


def compare_years(
    user, earlier: int, later: int, content_id: int | None = None
) -> list[ComparisonRow]:
    before = entry_counts(user, earlier, content_id)
    after = entry_counts(user, later, content_id)
    mapping = successor_map(year_day(earlier), year_day(later))
    rows: dict[tuple[int, ...], ComparisonRow] = {}

    def row(units: list[Unit]) -> ComparisonRow:
        key = tuple(u.id for u in units)
        return rows.setdefault(key, ComparisonRow(units))

    units = {
        u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_([*after, *before])))
    }
    prime_successors(units.values())  # the earlier units are labelled "until …; now in …"
    for unit_id, counts in after.items():
        row([units[unit_id]]).later.add(counts)
    for unit_id, counts in before.items():
        old = units[unit_id]
        target = row(mapping.get(unit_id, [old]))
        target.earlier_units.append(old)
        target.earlier.add(counts)
    return sorted(
        rows.values(), key=lambda r: (not r.units, [(u.code or "", u.name) for u in r.units])
    )
