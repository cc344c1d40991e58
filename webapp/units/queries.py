"""Tree and period queries over units that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Select

from webapp.campaign.deadlines import registration_due
from webapp.extensions import db
from webapp.units.models import Level, Unit, UnitSuccession

# Up to this many units, a subtree is read first and handed to the query as a list of ids: a
# commune with its hamlets. Not a province: at national scale (bench/national.py) its overlap
# search went from 0.14 s to 0.8 s with a list of ~280 ids instead of the CTE.
SMALL_SUBTREE = 100


def subtree_ids(root_ids: Iterable[int], name: str = "subtree") -> Select:
    """SELECT of the ids of the given units and everything below them, including the units
    they took over in reorganizations and everything below those — the mirror of
    `Unit.covering_units`. Several in one statement need distinct `name`s.

    The tree is walked once here (a recursive CTE, stopped after `SMALL_SUBTREE` + 1 ids): a
    small subtree — a commune and its hamlets — comes back as `units.id IN (<the ids>)`, which
    PostgreSQL estimates exactly; the recursive CTE itself is estimated at thousands of rows
    whatever it returns, so a commune's page scanned whole-year tables at national scale
    instead of using their unit indexes. A larger subtree (a district, a province, the
    country) keeps the CTE inside the statement, where that estimate is about right."""
    walk = _subtree_cte(list(root_ids), name)
    found = list(db.session.scalars(sa.select(walk.c.id).limit(SMALL_SUBTREE + 1)))
    if len(found) <= SMALL_SUBTREE:
        return sa.select(Unit.id).where(Unit.id.in_(sorted(set(found))))
    return sa.select(walk.c.id)


def _subtree_cte(root_ids: list[int], name: str) -> sa.CTE:
    # One edge list (lower unit, upper unit) so the recursive part names the CTE only once,
    # as PostgreSQL requires.
    edges = sa.union_all(
        sa.select(Unit.id.label("lower"), Unit.parent_id.label("upper")).where(
            Unit.parent_id.isnot(None)
        ),
        sa.select(UnitSuccession.predecessor_id, UnitSuccession.successor_id),
    ).subquery(f"{name}_edges")
    tree = sa.select(Unit.id).where(Unit.id.in_(root_ids)).cte(name, recursive=True)
    return tree.union(sa.select(edges.c.lower).join(tree, edges.c.upper == tree.c.id))


def active_on(day: date):
    """SQL condition: the unit existed on `day`."""
    return sa.and_(
        sa.or_(Unit.valid_from.is_(None), Unit.valid_from <= day),
        sa.or_(Unit.valid_to.is_(None), Unit.valid_to >= day),
    )


def year_day(year: int) -> date:
    """The day whose structure a year's records use: the year's registration deadline (an
    administrator sets it per year), or `UNIT_YEAR_DAY` ("MM-DD") when configured. In 2025
    (deadline 15/02) that is the structure before the reform of 1/7/2025."""
    fixed = current_app.config.get("UNIT_YEAR_DAY")
    if fixed:
        month, day = (int(part) for part in fixed.split("-"))
        return date(year, month, day)
    return registration_due(year) or date(year, 1, 1)


def valid_in_year(unit: Unit, year: int) -> bool:
    """Whether records of `year` may be made for this unit (it existed on the year's day).
    Only a unit that began or ended during the year needs the day (and its query)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    if unit.is_active_on(first) and unit.is_active_on(last):
        return True
    if (unit.valid_to is not None and unit.valid_to < first) or (
        unit.valid_from is not None and unit.valid_from > last
    ):
        return False
    return unit.is_active_on(year_day(year))


def successor_map(from_day: date, to_day: date) -> dict[int, list[Unit]]:
    """For each unit that existed on `from_day`, the units standing for it on `to_day`: itself
    if it still exists, else its successors, followed through every reorganization in
    between. A unit whose successors are unknown maps to an empty list. For roll-ups that
    compare years across a reorganization."""
    units = {u.id: u for u in db.session.scalars(sa.select(Unit))}
    successors: dict[int, list[int]] = {}
    for predecessor_id, successor_id in db.session.execute(
        sa.select(UnitSuccession.predecessor_id, UnitSuccession.successor_id)
    ):
        successors.setdefault(predecessor_id, []).append(successor_id)

    def follow(unit_id: int, seen: frozenset[int]) -> list[int]:
        if units[unit_id].is_active_on(to_day):
            return [unit_id]
        found: list[int] = []
        for successor_id in successors.get(unit_id, []):
            if successor_id not in seen:
                found += [i for i in follow(successor_id, seen | {unit_id}) if i not in found]
        return found

    return {
        unit.id: [units[i] for i in follow(unit.id, frozenset())]
        for unit in units.values()
        if unit.is_active_on(from_day)
    }


def prime_successors(units: Iterable[Unit]) -> None:
    """Load the successors of every given unit not yet holding them, and theirs in turn, one
    query per reorganization step: pages that label many units ("until …; now in …") or judge
    their scope (`Unit.covering_units`) do not ask unit by unit."""
    frontier = list(units)
    while frontier:
        waiting = {u.id: u for u in frontier if "successors" in sa.inspect(u).unloaded}
        if not waiting:
            return
        found: dict[int, list[Unit]] = {unit_id: [] for unit_id in waiting}
        for predecessor_id, successor in db.session.execute(
            sa.select(UnitSuccession.predecessor_id, Unit)
            .join(Unit, Unit.id == UnitSuccession.successor_id)
            .where(UnitSuccession.predecessor_id.in_(sorted(waiting)))
            .order_by(Unit.code, Unit.name)
        ):
            found[predecessor_id].append(successor)
        for unit_id, unit in waiting.items():
            set_committed_value(unit, "successors", found[unit_id])
        frontier = [s for successors in found.values() for s in successors]


def tree_order(units: Iterable[Unit]) -> list[tuple[Unit, int]]:
    """Units in depth-first order with their depth, for pickers and tree listings."""
    units = list(units)
    ids = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.code or "~", u.name))
    ordered: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


def units_in_scope(root_ids: Iterable[int], *, levels: Iterable[str] | None = None) -> Select:
    """Current (not ended) units within the given subtrees, optionally of some levels."""
    stmt = sa.select(Unit).where(Unit.id.in_(subtree_ids(root_ids)), Unit.valid_to.is_(None))
    if levels is not None:
        stmt = stmt.where(Unit.level.in_(list(levels)))
    return stmt


def counterparts_in_year(unit: Unit, year: int) -> list[Unit]:
    """For a unit that did not exist in `year`: the units that stood for its area then — those
    it was formed from (an earlier year) or those that took it over (a later year)."""
    day = year_day(year)
    earlier = unit.valid_from is not None and day < unit.valid_from
    found: list[Unit] = []
    seen, frontier = {unit.id}, [unit]
    while frontier:
        step = []
        for current in frontier:
            for other in current.predecessors if earlier else current.successors:
                if other.id in seen:
                    continue
                seen.add(other.id)
                (found if other.is_active_on(day) else step).append(other)
        frontier = step
    return sorted(found, key=lambda u: (u.level != Level.PROVINCE, u.code or "~", u.name))
