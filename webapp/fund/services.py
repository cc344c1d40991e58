"""Changing the fund's books: recording receipts, transfers (both books in one transaction)
and spendings, editing a line of an open year, reversing a line, closing and approving a year.

Every change checks the policy, locks the book (FOR UPDATE on PostgreSQL, the write lock on
SQLite: two treasurers recording at once take turns, so the running balance and the voucher
numbers never lose a line), appends the audit event and flushes; callers commit (views
through `concurrency.saving`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import flush_or_stale, lock_current
from webapp.db import local_today, utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.fund.models import (
    FundBeneficiary,
    FundBook,
    FundMovement,
    FundPeriod,
    Means,
    MovementKind,
    PeriodState,
    Purpose,
)
from webapp.policy import Action
from webapp.units.models import Level, Unit

AMOUNT_MAX = 1_000_000_000_000  # a thousand billion đồng: anything above is a typing slip
VOUCHER_PREFIX = {
    MovementKind.RECEIPT: "PT",  # phiếu thu
    MovementKind.SPENDING: "PC",  # phiếu chi
    MovementKind.TRANSFER_OUT: "CK",  # chuyển khoản đi
    MovementKind.TRANSFER_IN: "NK",  # nhận chuyển về
}


class FundError(Refused):
    """A line or a step the book refuses; the message is shown to the user."""


@dataclass
class Beneficiary:
    household: str
    area: Unit | None
    amount: int


@dataclass
class MovementValues:
    on: date
    amount: int
    means: Means = Means.CASH
    in_kind: str | None = None
    counterparty: str | None = None
    purpose: Purpose | None = None
    voucher: str | None = None
    note: str | None = None
    beneficiaries: list[Beneficiary] = field(default_factory=list)


def find_book(unit: Unit) -> FundBook | None:
    return db.session.scalar(sa.select(FundBook).where(FundBook.unit_id == unit.id))


def book_of(unit: Unit) -> FundBook:
    """The unit's book, opened on first use."""
    book = find_book(unit)
    if book is None:
        book = FundBook(unit=unit, balance=0, last_voucher=0)
        db.session.add(book)
        db.session.flush()
    return book


def find_period(book: FundBook, year: int) -> FundPeriod | None:
    return db.session.scalar(
        sa.select(FundPeriod).where(FundPeriod.book_id == book.id, FundPeriod.year == year)
    )


def period_of(book: FundBook, year: int) -> FundPeriod:
    """The book's year, opened on first use (its opening balance is carried forward from the
    lines before it, see queries.opening_balance)."""
    period = find_period(book, year)
    if period is None:
        period = FundPeriod(book=book, year=year)
        db.session.add(period)
        db.session.flush()
    return period


def _lock(book: FundBook) -> None:
    lock_current(book)


def _check(values: MovementValues, year: int, kind: MovementKind) -> None:
    if values.on is None or values.on.year != year:
        raise FundError(_("Enter a date in %(year)d.", year=year), "on")
    if values.on > local_today():
        raise FundError(_("The date cannot be in the future."), "on")
    if not isinstance(values.amount, int) or not 1 <= values.amount <= AMOUNT_MAX:
        raise FundError(
            _("Enter a whole number of đồng, more than 0 and at most a thousand billion."),
            "amount",
        )
    if values.means == Means.IN_KIND and not values.in_kind:
        raise FundError(_("Say what was given in kind; the amount is its value."), "in_kind")
    if kind == MovementKind.SPENDING and values.purpose is None:
        raise FundError(_("Please choose one."), "purpose")
    if kind in (MovementKind.RECEIPT, MovementKind.SPENDING) and not values.counterparty:
        raise FundError(_("This field is required."), "counterparty")
    given = sum(b.amount for b in values.beneficiaries)
    if given > values.amount:
        raise FundError(
            _("The households' amounts add up to more than the spending."), "beneficiaries"
        )


def _voucher(book: FundBook, kind: MovementKind, year: int, typed: str | None) -> str:
    if typed:
        taken = db.session.scalar(
            sa.select(FundMovement.id).where(
                FundMovement.book_id == book.id, FundMovement.voucher == typed
            )
        )
        if taken:
            raise FundError(_("Another line of this book has voucher %(v)s.", v=typed), "voucher")
        return typed
    while True:
        book.last_voucher += 1
        number = f"{VOUCHER_PREFIX[kind]}-{year}-{book.last_voucher:04d}"
        taken = db.session.scalar(
            sa.select(FundMovement.id).where(
                FundMovement.book_id == book.id, FundMovement.voucher == number
            )
        )
        if not taken:
            return number


def _line(
    user, book: FundBook, period: FundPeriod, kind: MovementKind, values: MovementValues, **more
) -> FundMovement:
    movement = FundMovement(
        book=book,
        period=period,
        kind=kind,
        on=values.on,
        amount=values.amount,
        means=values.means,
        in_kind=values.in_kind if values.means == Means.IN_KIND else None,
        counterparty=values.counterparty,
        purpose=values.purpose if kind == MovementKind.SPENDING else None,
        voucher=_voucher(book, kind, period.year, values.voucher),
        note=values.note,
        recorded_by_id=getattr(user, "id", None),
        **more,
    )
    db.session.add(movement)
    book.balance += kind.sign * values.amount
    db.session.flush()
    return movement


def _audit(user, event: str, movement: FundMovement, **details) -> None:
    record(
        user,
        event,
        movement,
        unit_id=movement.book.unit_id,
        kind=str(movement.kind),
        amount=movement.amount,
        voucher=movement.voucher,
        year=movement.period.year,
        **details,
    )


def _ready(user, period: FundPeriod) -> FundBook:
    """Lock the book, then judge the year as it stands now (closed meanwhile: refused)."""
    book = period.book
    _lock(book)
    db.session.refresh(period)
    _open(period)
    policy.ensure(user, Action.FUND_RECORD, period)
    return book


def _open(period: FundPeriod) -> None:
    """The year may take a line: open, and no later year of its book closed (the later year's
    carried-forward balance, written down when it closed, would no longer hold)."""
    if period.state != PeriodState.OPEN:
        raise FundError(
            _("The book's year %(year)d is closed: it can no longer change.", year=period.year)
        )
    later = db.session.scalar(
        sa.select(sa.func.min(FundPeriod.year)).where(
            FundPeriod.book_id == period.book_id,
            FundPeriod.year > period.year,
            FundPeriod.state != PeriodState.OPEN,
        )
    )
    if later is not None:
        raise FundError(
            _(
                "The book's year %(later)d is closed, so %(year)d before it can no longer change.",
                later=later,
                year=period.year,
            )
        )


def record_receipt(user, period: FundPeriod, values: MovementValues) -> FundMovement:
    book = _ready(user, period)
    _check(values, period.year, MovementKind.RECEIPT)
    movement = _line(user, book, period, MovementKind.RECEIPT, values)
    _audit(user, "fund.received", movement, means=str(values.means))
    return movement


def _areas_ok(unit: Unit, beneficiaries: list[Beneficiary]) -> None:
    for beneficiary in beneficiaries:
        area = beneficiary.area
        if area is not None and (area.level != Level.AREA or not area.is_within(unit)):
            raise FundError(_("Choose a residential area of this unit."), "beneficiaries")


def record_spending(user, period: FundPeriod, values: MovementValues) -> FundMovement:
    book = _ready(user, period)
    _check(values, period.year, MovementKind.SPENDING)
    _areas_ok(book.unit, values.beneficiaries)
    movement = _line(user, book, period, MovementKind.SPENDING, values)
    for beneficiary in values.beneficiaries:
        movement.beneficiaries.append(
            FundBeneficiary(
                household=beneficiary.household, area=beneficiary.area, amount=beneficiary.amount
            )
        )
    db.session.flush()
    _audit(
        user,
        "fund.spent",
        movement,
        purpose=str(values.purpose),
        households=len(values.beneficiaries),
    )
    return movement


def record_transfer(
    user, period: FundPeriod, to_unit: Unit | None, values: MovementValues
) -> FundMovement:
    """Out of this book and into `to_unit`'s, both lines written together or neither. Both
    books are locked in the order of their ids, so two transfers crossing each other wait
    instead of deadlocking."""
    source = period.book
    if to_unit is None or to_unit.id == source.unit_id:
        raise FundError(_("Choose the unit that receives the transfer."), "to_unit")
    target = book_of(to_unit)
    for book in sorted((source, target), key=lambda b: b.id):
        _lock(book)
    db.session.refresh(period)
    _open(period)
    policy.ensure(user, Action.FUND_RECORD, period)
    _check(values, period.year, MovementKind.TRANSFER_OUT)
    # Into a closed year of the receiving book: refused rather than booked in another year
    # (both sides of a transfer carry one date, or the roll-up would not cancel them out).
    target_period = period_of(target, values.on.year)
    try:
        _open(target_period)
    except FundError:
        raise FundError(
            _(
                "%(unit)s has closed its book for %(year)d: the money it receives now is "
                "booked in an open year, so date the transfer in that year.",
                unit=to_unit.name,
                year=period.year,
            ),
            "to_unit",
        ) from None
    out_values = MovementValues(**{**values.__dict__, "counterparty": to_unit.name})
    out = _line(user, source, period, MovementKind.TRANSFER_OUT, out_values, other_unit=to_unit)
    in_values = MovementValues(
        **{**values.__dict__, "counterparty": source.unit.name, "voucher": None}
    )
    inward = _line(
        user, target, target_period, MovementKind.TRANSFER_IN, in_values, other_unit=source.unit
    )
    # By id, after both exist: each points at the other, which no single insert order allows.
    out.counterpart_id, inward.counterpart_id = inward.id, out.id
    db.session.flush()
    _audit(user, "fund.transferred", out, to_unit_id=to_unit.id)
    _audit(user, "fund.transfer_received", inward, from_unit_id=source.unit_id)
    return out


def reversal_of(movement: FundMovement) -> FundMovement | None:
    return db.session.scalar(sa.select(FundMovement).where(FundMovement.reverses_id == movement.id))


def reverse(user, movement: FundMovement, on: date | None, note: str | None) -> FundMovement:
    """A new line, in this book's year of `on` (today by default), with the opposite amount:
    the only correction of a line once its year is closed. For a transfer it reverses this
    book's side; the reconciliation shows the other side until its treasurer reverses it."""
    on = on or local_today()
    book = movement.book
    _lock(book)
    period = period_of(book, on.year)
    _open(period)
    policy.ensure(user, Action.FUND_RECORD, period)
    if movement.reverses_id is not None:
        raise FundError(_("A reversing entry is not reversed: record the line again instead."))
    if reversal_of(movement) is not None:
        raise FundError(_("This line has been reversed already."))
    if not note:
        raise FundError(_("Give the reason."), "note")
    if on > local_today() or on < movement.on:
        raise FundError(_("Enter a date between the line's date and today."), "on")
    values = MovementValues(
        on=on,
        amount=-movement.amount,  # the table's sign rule: a reversing line is negative
        means=movement.means,
        in_kind=movement.in_kind,
        counterparty=movement.counterparty,
        purpose=movement.purpose,
        note=note,
    )
    reversing = _line(
        user,
        book,
        period,
        movement.kind,
        values,
        other_unit_id=movement.other_unit_id,
        reverses=movement,
    )
    _audit(user, "fund.reversed", reversing, reverses_id=movement.id, reason=note)
    return reversing


EDITABLE = ("on", "amount", "means", "in_kind", "counterparty", "purpose", "voucher", "note")


def update_movement(
    user, movement: FundMovement, version: int, values: MovementValues
) -> FundMovement:
    """Change a line of an open year, against the version its editor saw. A transfer's amount
    and date belong to both books: they change by reversing it, not here."""
    book = movement.book
    _lock(book)
    lock_current(movement, version)
    db.session.refresh(movement.period)
    _open(movement.period)
    policy.ensure(user, Action.FUND_RECORD, movement.period)
    if movement.reverses_id is not None:
        raise FundError(_("A reversing entry cannot be changed."))
    transfer = movement.kind in (MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN)
    if transfer:
        values.on, values.amount, values.counterparty = (
            movement.on,
            movement.amount,
            movement.counterparty,
        )
    _check(values, movement.period.year, movement.kind)
    if values.voucher and values.voucher != movement.voucher:
        _voucher(book, movement.kind, movement.period.year, values.voucher)
    values.voucher = values.voucher or movement.voucher
    if movement.kind != MovementKind.SPENDING:
        values.purpose = None
    if values.means != Means.IN_KIND:
        values.in_kind = None
    before = {name: getattr(movement, name) for name in EDITABLE}
    book.balance += movement.kind.sign * (values.amount - movement.amount)
    for name in EDITABLE:
        setattr(movement, name, getattr(values, name))
    changes = {
        name: [str(before[name]), str(getattr(movement, name))]
        for name in EDITABLE
        if before[name] != getattr(movement, name)
    }
    if changes:
        flush_or_stale(movement)
        _audit(user, "fund.changed", movement, changes=changes)
    return movement


def close_period(user, period: FundPeriod, version: int) -> FundPeriod:
    """The treasurer closes the year: read-only from now on, its balances written down."""
    from webapp.fund.queries import opening_balance, year_effect

    _lock(period.book)
    lock_current(period, version)
    _open(period)
    policy.ensure(user, Action.FUND_CLOSE, period)
    earlier = db.session.scalar(
        sa.select(sa.func.min(FundPeriod.year)).where(
            FundPeriod.book_id == period.book_id,
            FundPeriod.year < period.year,
            FundPeriod.state == PeriodState.OPEN,
        )
    )
    if earlier is not None:
        raise FundError(_("Close the year %(year)d first: years close in order.", year=earlier))
    opening = opening_balance([period.book_id], period.year)
    period.opening_balance = opening
    period.closing_balance = opening + year_effect([period.book_id], period.year)
    period.state = PeriodState.CLOSED
    period.closed_at = utcnow()
    period.closed_by_id = user.id
    flush_or_stale(period)
    record(
        user,
        "fund.period_closed",
        period,
        unit_id=period.book.unit_id,
        year=period.year,
        closing_balance=period.closing_balance,
    )
    return period


def approve_period(user, period: FundPeriod, version: int) -> FundPeriod:
    lock_current(period, version)
    if period.state != PeriodState.CLOSED:
        raise FundError(_("Only a closed year can be approved."))
    policy.ensure(user, Action.FUND_APPROVE, period)
    period.state = PeriodState.APPROVED
    period.approved_at = utcnow()
    period.approved_by_id = user.id
    flush_or_stale(period)
    record(user, "fund.period_approved", period, unit_id=period.book.unit_id, year=period.year)
    return period
