"""Reading the books: a year's statement of one book or of a unit's whole subtree (roll-up),
the opening balance carried forward, the households supported per residential area, and the
reconciliation (transfers whose sides disagree, negative balances, years not closed).

Every figure is summed in SQL over the lines, in a number of queries that does not grow with
the data; a reversing line carries the opposite amount, so sums net out corrections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.fund.models import (
    FundBeneficiary,
    FundBook,
    FundMovement,
    FundPeriod,
    MovementKind,
    PeriodState,
    Purpose,
)
from webapp.units.models import Level, Unit, UnitSuccession
from webapp.units.queries import subtree_ids


def campaign_month(year: int) -> tuple[date, date]:
    """The "Tháng cao điểm Vì người nghèo": 17 October to 18 November, every year."""
    return date(year, 10, 17), date(year, 11, 18)


SIGNED = sa.case(
    (FundMovement.kind.in_([MovementKind.RECEIPT, MovementKind.TRANSFER_IN]), 1), else_=-1
)


@dataclass
class Statement:
    """A year of one book or of a subtree's books: what the disclosure page shows."""

    year: int
    opening: int = 0
    received: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    spent: int = 0
    # Of `received`: what came in during the mobilization month (17/10–18/11 of the year).
    in_campaign_month: int = 0
    by_purpose: dict[Purpose, int] = field(default_factory=dict)
    # (area name or None, households, amount), by area name
    areas: list[tuple[str | None, int, int]] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return (
            self.opening + self.received + self.transferred_in - self.transferred_out - self.spent
        )


def book_ids_below(unit: Unit, name: str = "fund_subtree") -> sa.Select:
    """The books of the unit and every unit under it."""
    return sa.select(FundBook.id).where(FundBook.unit_id.in_(subtree_ids([unit.id], name=name)))


def _ids(book_ids) -> sa.ColumnElement:
    return FundMovement.book_id.in_(book_ids)


def opening_balance(book_ids, year: int) -> int:
    """Carried forward: the signed sum of every line of the years before."""
    stmt = (
        sa.select(sa.func.coalesce(sa.func.sum(SIGNED * FundMovement.amount), 0))
        .join(FundPeriod, FundPeriod.id == FundMovement.period_id)
        .where(_ids(book_ids), FundPeriod.year < year)
    )
    return int(db.session.scalar(stmt))


def year_effect(book_ids, year: int) -> int:
    stmt = (
        sa.select(sa.func.coalesce(sa.func.sum(SIGNED * FundMovement.amount), 0))
        .join(FundPeriod, FundPeriod.id == FundMovement.period_id)
        .where(_ids(book_ids), FundPeriod.year == year)
    )
    return int(db.session.scalar(stmt))


def _not_reversed():
    reversal = aliased(FundMovement)
    return ~sa.exists().where(reversal.reverses_id == FundMovement.id)


def statement(book_ids, year: int, *, internal_ids=None, until=None) -> Statement:
    """The year's figures of these books. With `internal_ids` (a subtree's roll-up), transfers
    between two of the subtree's own books are left out of "transferred": money that moved
    inside the subtree was neither received from nor sent outside it."""
    result = Statement(year=year, opening=opening_balance(book_ids, year))
    stmt = (
        sa.select(FundMovement.kind, FundMovement.purpose, sa.func.sum(FundMovement.amount))
        .join(FundPeriod, FundPeriod.id == FundMovement.period_id)
        .where(_ids(book_ids), FundPeriod.year == year)
        .group_by(FundMovement.kind, FundMovement.purpose)
    )
    if until is not None:
        stmt = stmt.where(FundMovement.on <= until)
    if internal_ids is not None:
        other = aliased(FundBook)
        inside = sa.exists().where(
            other.unit_id == FundMovement.other_unit_id, other.id.in_(internal_ids)
        )
        stmt = stmt.where(
            sa.or_(FundMovement.kind.in_([MovementKind.RECEIPT, MovementKind.SPENDING]), ~inside)
        )
    first, last = campaign_month(year)
    month = sa.and_(FundMovement.kind == MovementKind.RECEIPT, FundMovement.on.between(first, last))
    stmt = stmt.add_columns(sa.func.sum(sa.case((month, FundMovement.amount), else_=0)))
    for kind, purpose, total, in_month in db.session.execute(stmt):
        result.in_campaign_month += int(in_month or 0)
        total = int(total or 0)
        if kind == MovementKind.RECEIPT:
            result.received += total
        elif kind == MovementKind.TRANSFER_IN:
            result.transferred_in += total
        elif kind == MovementKind.TRANSFER_OUT:
            result.transferred_out += total
        else:
            result.spent += total
            result.by_purpose[purpose or Purpose.OTHER] = (
                result.by_purpose.get(purpose or Purpose.OTHER, 0) + total
            )
    result.by_purpose = {p: result.by_purpose[p] for p in Purpose if result.by_purpose.get(p)}
    area = aliased(Unit)
    rows = db.session.execute(
        sa.select(area.name, sa.func.count(FundBeneficiary.id), sa.func.sum(FundBeneficiary.amount))
        .join(FundMovement, FundMovement.id == FundBeneficiary.movement_id)
        .join(FundPeriod, FundPeriod.id == FundMovement.period_id)
        .outerjoin(area, area.id == FundBeneficiary.area_id)
        .where(_ids(book_ids), FundPeriod.year == year, _not_reversed())
        .group_by(area.name)
    )
    result.areas = sorted(
        ((name, int(count), int(total or 0)) for name, count, total in rows),
        key=lambda row: (row[0] is None, row[0] or ""),
    )
    return result


def public_stamp(unit: Unit) -> tuple:
    """What a unit's public statement depends on: the lines of its subtree's books (how many,
    the last written, the edits counted by their versions) and the states of their years. A
    new line, an edit, a reversal or a closing changes it; the ETag is built from it."""
    ids = book_ids_below(unit, "fund_stamp_subtree")
    lines = db.session.execute(
        sa.select(
            sa.func.count(FundMovement.id),
            sa.func.max(FundMovement.id),
            sa.func.coalesce(sa.func.sum(FundMovement.version), 0),
            sa.func.max(FundMovement.updated_at),
        ).where(_ids(ids))
    ).one()
    years = db.session.execute(
        sa.select(
            sa.func.count(FundPeriod.id), sa.func.coalesce(sa.func.sum(FundPeriod.version), 0)
        ).where(FundPeriod.book_id.in_(book_ids_below(unit, "fund_stamp_periods")))
    ).one()
    return (unit.name, *(str(value) for value in lines), *(int(value) for value in years))


def book_statement(book: FundBook | None, year: int) -> Statement:
    return statement([book.id] if book else [], year)


def rollup_statement(unit: Unit, year: int) -> Statement:
    ids = book_ids_below(unit)
    return statement(ids, year, internal_ids=book_ids_below(unit, "fund_subtree_inside"))


def movements(book: FundBook, year: int) -> Sequence[FundMovement]:
    from sqlalchemy.orm import selectinload

    stmt = (
        sa.select(FundMovement)
        .join(FundPeriod, FundPeriod.id == FundMovement.period_id)
        .where(FundMovement.book_id == book.id, FundPeriod.year == year)
        .options(selectinload(FundMovement.beneficiaries))
        .order_by(FundMovement.on, FundMovement.id)
    )
    return db.session.scalars(stmt).all()


def reversed_ids(book: FundBook) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(FundMovement.reverses_id).where(
                FundMovement.book_id == book.id, FundMovement.reverses_id.is_not(None)
            )
        )
    )


def _tops(unit: Unit) -> sa.CTE:
    """(id, top): every unit below `unit`, with the unit directly below `unit` whose subtree
    holds it (one recursive CTE, the edges of `subtree_ids`)."""
    edges = sa.union_all(
        sa.select(Unit.id.label("lower"), Unit.parent_id.label("upper")).where(
            Unit.parent_id.isnot(None)
        ),
        sa.select(UnitSuccession.predecessor_id, UnitSuccession.successor_id),
    ).subquery("fund_top_edges")
    tree = (
        sa.select(Unit.id.label("id"), Unit.id.label("top"))
        .where(Unit.parent_id == unit.id, Unit.level != Level.AREA)
        .cte("fund_tops", recursive=True)
    )
    return tree.union(sa.select(edges.c.lower, tree.c.top).join(tree, edges.c.upper == tree.c.id))


def child_rows(unit: Unit, year: int) -> list[tuple[Unit, Statement]]:
    """The units directly below, each with its subtree's statement (the roll-up table): two
    queries whatever the number of units, transfers inside a child's subtree left out."""
    tops = _tops(unit)
    other = tops.alias("fund_other_tops")
    book_top = (
        sa.select(FundBook.id.label("book_id"), tops.c.top)
        .join(tops, tops.c.id == FundBook.unit_id)
        .subquery("fund_book_tops")
    )
    internal = sa.and_(
        FundMovement.kind.in_([MovementKind.TRANSFER_IN, MovementKind.TRANSFER_OUT]),
        sa.exists().where(other.c.id == FundMovement.other_unit_id, other.c.top == book_top.c.top),
    )
    # The year as a literal: PostgreSQL matches the GROUP BY expression to the selected one
    # only when both are the same text, and two bound parameters are not.
    before = FundPeriod.year < sa.literal_column(str(int(year)))
    sums = db.session.execute(
        sa.select(
            book_top.c.top,
            before,
            FundMovement.kind,
            sa.func.sum(FundMovement.amount),
        )
        .join(FundMovement, FundMovement.book_id == book_top.c.book_id)
        .join(FundPeriod, FundPeriod.id == FundMovement.period_id)
        .where(FundPeriod.year <= year, ~internal)
        .group_by(book_top.c.top, before, FundMovement.kind)
    ).all()
    statements: dict[int, Statement] = {}
    for top, before, kind, total in sums:
        found = statements.setdefault(top, Statement(year=year))
        total = int(total or 0)
        if before:
            found.opening += kind.sign * total
        elif kind == MovementKind.RECEIPT:
            found.received += total
        elif kind == MovementKind.TRANSFER_IN:
            found.transferred_in += total
        elif kind == MovementKind.TRANSFER_OUT:
            found.transferred_out += total
        else:
            found.spent += total
    if not statements:
        return []
    children = db.session.scalars(
        sa.select(Unit).where(Unit.id.in_(list(statements))).order_by(Unit.name)
    ).all()
    return [(child, statements[child.id]) for child in children]


# Reconciliation


def _net():
    """Each original line with its amount net of its reversal."""
    reversal = aliased(FundMovement)
    return (
        sa.select(
            FundMovement.id,
            FundMovement.book_id,
            FundMovement.kind,
            FundMovement.counterpart_id,
            (FundMovement.amount + sa.func.coalesce(reversal.amount, 0)).label("net"),
        )
        .outerjoin(reversal, reversal.reverses_id == FundMovement.id)
        .where(FundMovement.reverses_id.is_(None))
        .subquery()
    )


@dataclass
class Mismatch:
    movement: FundMovement
    net: int
    other_net: int | None  # None: no line on the other side


def mismatched_transfers(book_ids) -> list[Mismatch]:
    """Transfers of these books whose two sides disagree: no line in the other book, or
    amounts that differ once reversals are counted."""
    mine, theirs = _net(), _net().alias("theirs")
    rows = db.session.execute(
        sa.select(mine.c.id, mine.c.net, theirs.c.net)
        .outerjoin(theirs, theirs.c.id == mine.c.counterpart_id)
        .where(
            mine.c.book_id.in_(book_ids),
            mine.c.kind.in_([MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN]),
            sa.or_(theirs.c.id.is_(None), theirs.c.net != mine.c.net),
        )
        .order_by(mine.c.id)
    ).all()
    found = {m.id: m for m in db.session.scalars(
        sa.select(FundMovement).where(FundMovement.id.in_([r[0] for r in rows]))
    )}  # fmt: skip
    return [Mismatch(found[row[0]], int(row[1]), row[2]) for row in rows]


def negative_books(book_ids) -> Sequence[FundBook]:
    return db.session.scalars(
        sa.select(FundBook).where(FundBook.id.in_(book_ids), FundBook.balance < 0)
    ).all()


def unfinished_periods(book_ids, before_year: int) -> Sequence[FundPeriod]:
    """Years past that are still open, or closed and not approved."""
    return db.session.scalars(
        sa.select(FundPeriod)
        .where(
            FundPeriod.book_id.in_(book_ids),
            FundPeriod.year < before_year,
            FundPeriod.state != PeriodState.APPROVED,
        )
        .order_by(FundPeriod.year, FundPeriod.id)
    ).all()


def problem_count(book_ids, before_year: int) -> int:
    return (
        len(mismatched_transfers(book_ids))
        + len(negative_books(book_ids))
        + len(unfinished_periods(book_ids, before_year))
    )


def sum_of_lines(book: FundBook) -> int:
    """The signed sum of all the book's lines: what its running balance must equal."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(SIGNED * FundMovement.amount), 0)).where(
                FundMovement.book_id == book.id
            )
        )
    )
