"""Tree queries over units that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.sql import Select

from webapp.units.models import Unit


def subtree_ids(root_ids: Iterable[int], name: str = "subtree") -> Select:
    """SELECT of the ids of the given units and everything below them (a recursive CTE).
    Several in one statement need distinct `name`s."""
    tree = sa.select(Unit.id).where(Unit.id.in_(list(root_ids))).cte(name, recursive=True)
    tree = tree.union_all(sa.select(Unit.id).where(Unit.parent_id == tree.c.id))
    return sa.select(tree.c.id)


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
