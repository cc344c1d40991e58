"""Reorganizations of the administrative structure: read a new structure and its old → new
mapping from CSV files, check them (a dry run) and apply them in one transaction. Callers
commit. Moving the role assignments held on the units that end is auth's
(webapp/auth/role_moves.py), which sits above units."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.db import utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.text import clean, fold
from webapp.units.models import Kind, Level, Reorganization, Unit, UnitSuccession
from webapp.units.queries import active_on, subtree_ids

DATA = Path(__file__).resolve().parent.parent / "seed" / "data"
MANIFEST = DATA / "structures.yaml"

# The CSV "type" column, as kind and level.
UNIT_TYPES = {
    "tỉnh": (Kind.TINH, Level.PROVINCE),
    "thành phố": (Kind.THANH_PHO, Level.DISTRICT),
    "huyện": (Kind.HUYEN, Level.DISTRICT),
    "thị xã": (Kind.THI_XA, Level.DISTRICT),
    "xã": (Kind.XA, Level.COMMUNE),
    "phường": (Kind.PHUONG, Level.COMMUNE),
    "thị trấn": (Kind.THI_TRAN, Level.COMMUNE),
}
UNIT_COLUMNS = ("code", "name", "type", "parent_code")
MAPPING_COLUMNS = ("old_code", "new_code", "basis")


class ReorganizationError(Refused):
    """A reorganization that cannot be applied; the message is shown to the user."""


@dataclass(frozen=True)
class Spec:
    """A reorganization as shipped: the new structure of the subtree under `replaces` (the
    code of its top unit the day before `effective_on`) and the mapping files."""

    code: str
    name: str
    basis: str
    effective_on: date
    replaces: str
    units: Path
    mappings: tuple[Path, ...]


def read_manifest(path: Path = MANIFEST) -> tuple[dict, dict[str, Spec]]:
    """The first structure (loaded by the seed) and the reorganizations after it, by code."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = {}
    for row in data["reorganizations"]:
        specs[str(row["code"])] = Spec(
            code=str(row["code"]),
            name=row["name"],
            basis=row["basis"],
            effective_on=row["effective_on"],
            replaces=str(row["replaces"]),
            units=path.parent / row["units"],
            mappings=tuple(path.parent / m for m in row["mappings"]),
        )
    return data["first"], specs


def plan_by_code(code: str) -> Plan | None:
    """The dry run of the shipped reorganization `code`; None when there is no such
    reorganization or the structure it replaces is not in the database."""
    _first, specs = read_manifest()
    if code not in specs:
        return None
    result = plan(specs[code])
    return result if result.root is not None else None


@dataclass
class NewUnit:
    code: str
    name: str
    kind: Kind
    level: Level
    parent_code: str | None
    continues: Unit | None = None  # the same unit going on unchanged
    unit: Unit | None = None  # once applied


@dataclass
class Link:
    """One mapping row: an old unit and what took it over (None: not known)."""

    old: Unit
    new_code: str | None
    basis: str
    note: str = ""


@dataclass
class Plan:
    spec: Spec
    errors: list[str] = field(default_factory=list)
    new_units: list[NewUnit] = field(default_factory=list)
    ending: list[Unit] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    areas: list[Unit] = field(default_factory=list)
    root: Unit | None = None
    applied: Reorganization | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.applied is None

    @property
    def last_day(self) -> date:
        return self.spec.effective_on - timedelta(days=1)

    def new_by_code(self) -> dict[str, NewUnit]:
        return {n.code: n for n in self.new_units}

    def created(self) -> list[NewUnit]:
        return [n for n in self.new_units if n.continues is None]

    def continuing(self) -> list[NewUnit]:
        return [n for n in self.new_units if n.continues is not None]

    def successors(self, unit: Unit) -> list[NewUnit]:
        by_code = self.new_by_code()
        return [by_code[k.new_code] for k in self.links if k.old is unit and k.new_code]

    def unknown(self) -> list[Link]:
        """Ending units whose successor the mapping says is not known."""
        return [k for k in self.links if not k.new_code]

    def splits(self) -> list[Unit]:
        return [u for u in self.ending if len(self.successors(u)) > 1]


def _read_csv(path: Path, columns: tuple[str, ...], errors: list[str]) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            errors.append(
                _("%(file)s: missing column %(column)s.", file=path.name, column=missing[0])
            )
            return []
        return [
            {k: clean(v) or "" for k, v in row.items() if k is not None}
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]


def plan(spec: Spec) -> Plan:
    """Check a reorganization against the database without changing anything: every unit that
    ends is mapped (or explicitly marked as having no known successor), codes are unique within
    the new period, parents and successions form no cycles."""
    result = Plan(spec)
    day_before = result.last_day
    result.root = db.session.scalar(
        sa.select(Unit).where(Unit.code == spec.replaces, active_on(day_before))
    )
    result.applied = db.session.scalar(sa.select(Reorganization).filter_by(code=spec.code))
    if result.applied is not None:
        return result
    errors = result.errors
    if result.root is None:
        errors.append(
            _(
                "No unit %(code)s existed on %(date)s to reorganize.",
                code=spec.replaces,
                date=day_before.strftime("%d/%m/%Y"),
            )
        )
        return result
    old_units = list(
        db.session.scalars(
            sa.select(Unit)
            .where(Unit.id.in_(subtree_ids([result.root.id])), active_on(day_before))
            .order_by(Unit.code, Unit.name)
        )
    )
    old_by_code = {u.code: u for u in old_units if u.level != Level.AREA and u.code}
    _read_structure(result, old_by_code)
    _check_codes_in_period(result, old_units)
    continuing = {n.continues.id for n in result.continuing()}
    result.ending = [u for u in old_by_code.values() if u.id not in continuing]
    _read_mappings(result, old_by_code, continuing)
    ending_ids = {u.id for u in result.ending}
    result.areas = [u for u in old_units if u.level == Level.AREA and u.parent_id in ending_ids]
    _check_no_succession_cycle(result)
    return result


def _read_structure(result: Plan, old_by_code: dict[str, Unit]) -> None:
    errors = result.errors
    rows = _read_csv(result.spec.units, UNIT_COLUMNS, errors)
    name = result.spec.units.name
    by_code: dict[str, NewUnit] = {}
    for line, row in enumerate(rows, start=2):
        code = row["code"]
        if row["type"] not in UNIT_TYPES or not code or not row["name"]:
            errors.append(
                _(
                    "%(file)s line %(line)d: a code, a name and a known type are needed.",
                    file=name,
                    line=line,
                )
            )
            continue
        if code in by_code:
            errors.append(_("Code %(code)s appears twice in the new structure.", code=code))
            continue
        kind, level = UNIT_TYPES[row["type"]]
        by_code[code] = NewUnit(code, row["name"], kind, level, row["parent_code"] or None)
    for new in by_code.values():
        if new.parent_code is not None and new.parent_code not in by_code:
            errors.append(
                _(
                    "%(code)s: its parent %(parent)s is not in the new structure.",
                    code=new.code,
                    parent=new.parent_code,
                )
            )
    result.new_units = _parents_first(by_code, errors)

    def continues(new: NewUnit) -> Unit | None:
        old = old_by_code.get(new.code)
        if old is None or fold(old.name) != fold(new.name) or old.kind != new.kind:
            return None
        if new.parent_code is None:
            return old if old.parent is None or old is result.root else None
        parent = by_code[new.parent_code].continues
        return old if parent is not None and old.parent is parent else None

    for new in result.new_units:
        new.continues = continues(new)


def _parents_first(by_code: dict[str, NewUnit], errors: list[str]) -> list[NewUnit]:
    ordered: list[NewUnit] = []
    placed: set[str] = set()
    for start in by_code.values():
        chain, node = [], start
        while node is not None and node.code not in placed:
            if node in chain:
                errors.append(
                    _("The new structure's parents form a cycle at %(code)s.", code=node.code)
                )
                return list(by_code.values())
            chain.append(node)
            node = by_code.get(node.parent_code) if node.parent_code else None
        for node in reversed(chain):
            ordered.append(node)
            placed.add(node.code)
    return ordered


def _check_codes_in_period(result: Plan, old_units: list[Unit]) -> None:
    """A code belongs to one unit within a period: none of the new codes may be held by a unit
    outside the reorganized subtree that stays in force."""
    codes = [n.code for n in result.new_units]
    replaced = {u.id for u in old_units}
    for unit in db.session.scalars(
        sa.select(Unit).where(Unit.code.in_(codes), active_on(result.spec.effective_on))
    ):
        if unit.id not in replaced:
            result.errors.append(
                _(
                    "Code %(code)s is already used by %(name)s, which stays in force.",
                    code=unit.code,
                    name=unit.name,
                )
            )


def _read_mappings(result: Plan, old_by_code: dict[str, Unit], continuing: set[int]) -> None:
    errors = result.errors
    new_codes = result.new_by_code()
    day_before = result.last_day.strftime("%d/%m/%Y")
    mapped: set[int] = set()
    for path in result.spec.mappings:
        for line, row in enumerate(_read_csv(path, MAPPING_COLUMNS, errors), start=2):
            old = old_by_code.get(row["old_code"])
            new_code = row["new_code"] or None
            where = {"file": path.name, "line": line}
            if old is None:
                errors.append(
                    _(
                        "%(file)s line %(line)d: no unit %(code)s existed on %(date)s.",
                        code=row["old_code"],
                        date=day_before,
                        **where,
                    )
                )
            elif new_code is not None and new_code not in new_codes:
                errors.append(
                    _(
                        "%(file)s line %(line)d: %(code)s is not in the new structure.",
                        code=new_code,
                        **where,
                    )
                )
            elif old.id in continuing:
                if new_code != old.code:
                    errors.append(
                        _(
                            "%(name)s (%(code)s) goes on unchanged, yet the mapping sends it"
                            " to %(new)s.",
                            name=old.name,
                            code=old.code,
                            new=new_code or "—",
                        )
                    )
            elif not any(k.old is old and k.new_code == new_code for k in result.links):
                result.links.append(
                    Link(old, new_code, row["basis"] or result.spec.basis, row.get("note", ""))
                )
                mapped.add(old.id)
    for unit in result.ending:
        if unit.id not in mapped:
            errors.append(
                _(
                    "%(name)s (%(code)s) ends, but the mapping does not say what becomes of it.",
                    name=unit.name,
                    code=unit.code,
                )
            )
        elif any(not k.new_code for k in result.links if k.old is unit) and result.successors(unit):
            errors.append(
                _(
                    "%(name)s (%(code)s) is mapped both to successors and to none.",
                    name=unit.name,
                    code=unit.code,
                )
            )


def _check_no_succession_cycle(result: Plan) -> None:
    """Successions run from old to new; the planned ones with those recorded must not lead
    back to where they started."""
    edges: dict[int, set[int]] = {}
    for predecessor_id, successor_id in db.session.execute(
        sa.select(UnitSuccession.predecessor_id, UnitSuccession.successor_id)
    ):
        edges.setdefault(predecessor_id, set()).add(successor_id)
    for link in result.links:
        target = result.new_by_code()[link.new_code].continues if link.new_code else None
        if target is not None:
            edges.setdefault(link.old.id, set()).add(target.id)
    for link in result.links:
        seen, stack = set(), list(edges.get(link.old.id, ()))
        while stack:
            unit_id = stack.pop()
            if unit_id == link.old.id:
                result.errors.append(
                    _("Successions would form a cycle through %(name)s.", name=link.old.name)
                )
                return
            if unit_id not in seen:
                seen.add(unit_id)
                stack.extend(edges.get(unit_id, ()))


def apply(actor, result: Plan) -> Reorganization:
    """End the old units on the day before, create the new ones from the effective day, link
    them, copy the residential areas of a commune that has one successor, and record it. The
    actor is None on the command line (the operator)."""
    if result.applied is not None:
        raise ReorganizationError(
            _("Reorganization %(code)s has already been applied.", code=result.spec.code)
        )
    if result.errors:
        raise ReorganizationError(result.errors[0])
    if actor is not None:
        policy.ensure(actor, Action.UNIT_REORGANIZE, result.root)
    spec, last_day = result.spec, result.last_day
    for unit in [*result.ending, *result.areas]:
        unit.valid_to = last_day
    for new in result.new_units:
        if new.continues is not None:
            new.unit = new.continues
            continue
        parent = result.new_by_code()[new.parent_code].unit if new.parent_code else None
        new.unit = Unit(
            code=new.code,
            name=new.name,
            kind=new.kind,
            level=new.level,
            parent=parent,
            valid_from=spec.effective_on,
        )
        db.session.add(new.unit)
    reorganization = Reorganization(
        code=spec.code,
        name=spec.name,
        basis=spec.basis,
        effective_on=spec.effective_on,
        applied_at=utcnow(),
        applied_by_id=getattr(actor, "id", None),
    )
    db.session.add(reorganization)
    db.session.flush()
    result.applied = reorganization
    by_code = result.new_by_code()
    for link in result.links:
        if link.new_code:
            _link(link.old, by_code[link.new_code].unit, reorganization, link.basis)
    for area in result.areas:
        successors = result.successors(area.parent)
        if len(successors) == 1:
            copy = Unit(
                name=area.name,
                kind=area.kind,
                level=Level.AREA,
                parent=successors[0].unit,
                valid_from=spec.effective_on,
            )
            db.session.add(copy)
            db.session.flush()
            _link(area, copy, reorganization, spec.basis)
    db.session.flush()
    top = next((n.unit for n in result.new_units if n.parent_code is None), result.root)
    record(
        actor,
        "unit.reorganized",
        reorganization,
        unit_id=top.id,
        code=spec.code,
        ended=len(result.ending),
        created=len(result.created()),
    )
    return reorganization


def recorded_links(reorganization: Reorganization) -> list[UnitSuccession]:
    """The successions an applied reorganization recorded, by old unit."""
    return list(
        db.session.scalars(
            sa.select(UnitSuccession)
            .join(Unit, Unit.id == UnitSuccession.predecessor_id)
            .where(UnitSuccession.reorganization_id == reorganization.id, Unit.level != Level.AREA)
            .order_by(Unit.code)
        )
    )


def _link(old: Unit, new: Unit, reorganization: Reorganization, basis: str) -> None:
    db.session.add(
        UnitSuccession(
            predecessor_id=old.id,
            successor_id=new.id,
            reorganization=reorganization,
            basis=basis,
            effective_on=reorganization.effective_on,
        )
    )
