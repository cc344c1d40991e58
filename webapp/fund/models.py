"""The fund's book: one per unit, its yearly periods, its movements (receipts, the two sides of
a transfer, spendings, and the entries that reverse them) and the beneficiaries of spendings.

Amounts are whole đồng (BigInteger, never floats). A movement's `amount` is positive, except
in a reversing entry, which carries the opposite of the amount it reverses: the book's
balance is always the signed sum of its movements."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.units.models import Unit


class MovementKind(Labelled, enum.StrEnum):
    RECEIPT = "receipt"  # thu: a donation, from a drive, an organization, a person
    TRANSFER_OUT = "transfer_out"  # chuyển đi: to another unit's book
    TRANSFER_IN = "transfer_in"  # nhận về: from another unit's book
    SPENDING = "spending"  # chi: support given

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.RECEIPT: lazy_pgettext("fund", "Receipt"),
            cls.TRANSFER_OUT: lazy_pgettext("fund", "Transfer out"),
            cls.TRANSFER_IN: lazy_pgettext("fund", "Transfer in"),
            cls.SPENDING: lazy_pgettext("fund", "Spending"),
        }

    @property
    def sign(self) -> int:
        return 1 if self in (MovementKind.RECEIPT, MovementKind.TRANSFER_IN) else -1


class Means(Labelled, enum.StrEnum):
    CASH = "cash"
    BANK = "bank"
    IN_KIND = "in_kind"  # hiện vật: booked at its valued amount

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.CASH: _l("Cash"),
            cls.BANK: _l("Bank transfer"),
            cls.IN_KIND: _l("In kind (valued)"),
        }


class Purpose(Labelled, enum.StrEnum):
    """What a spending was for: the uses the fund's regulation names."""

    HOUSES = "houses"  # nhà Đại đoàn kết built or repaired
    PRODUCTION = "production"
    HEALTH = "health"
    SCHOOLING = "schooling"
    TET_GIFTS = "tet_gifts"
    DISASTER_RELIEF = "disaster_relief"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.HOUSES: _l("“Great solidarity” houses built or repaired"),
            cls.PRODUCTION: _l("Support for production"),
            cls.HEALTH: _l("Health care"),
            cls.SCHOOLING: _l("Schooling"),
            cls.TET_GIFTS: _l("Tết gifts"),
            cls.DISASTER_RELIEF: _l("Disaster relief"),
            cls.OTHER: lazy_pgettext("fund", "Other"),
        }


class PeriodState(Labelled, enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # by the treasurer: read-only, waiting for approval
    APPROVED = "approved"  # by the Standing Committee

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.OPEN: lazy_pgettext("fund period", "Open"),
            cls.CLOSED: lazy_pgettext("fund period", "Closed, awaiting approval"),
            cls.APPROVED: lazy_pgettext("fund period", "Approved"),
        }


class FundBook(db.Model):
    """A unit's book of the fund. Its row is what recording locks (FOR UPDATE), so two
    treasurers recording at once take turns: the running balance and the voucher counter
    never lose a movement."""

    __tablename__ = "fund_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    # The signed sum of every movement, kept under the book's lock (checked against the sum).
    balance: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # The last number given to a voucher the treasurer left blank.
    last_voucher: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<FundBook unit={self.unit_id} balance={self.balance}>"


class FundPeriod(db.Model):
    """A year of a book: open while the treasurer records, closed by them (read-only), then
    approved by the Standing Committee. Its opening balance is carried forward from the
    movements before it."""

    __tablename__ = "fund_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_books.id"), index=True)
    year: Mapped[int]
    state: Mapped[PeriodState] = mapped_column(
        str_enum(PeriodState, "fund_period_state"), default=PeriodState.OPEN
    )
    opening_balance: Mapped[int | None] = mapped_column(sa.BigInteger)  # set when closed
    closing_balance: Mapped[int | None] = mapped_column(sa.BigInteger)  # set when closed
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    book: Mapped[FundBook] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("book_id", "year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("state", PeriodState.OPEN)
        super().__init__(**kwargs)

    @property
    def unit(self) -> Unit:
        return self.book.unit

    @property
    def is_open(self) -> bool:
        return self.state == PeriodState.OPEN


class FundMovement(db.Model):
    """One line of a book. A transfer is two lines, one in each book, written together and
    pointing at each other (`counterpart_id`); a correction is a new line that reverses
    another (`reverses_id`, with the opposite amount), never an edit of a closed year."""

    __tablename__ = "fund_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_books.id"), index=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_periods.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind, "fund_movement_kind"))
    on: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    means: Mapped[Means] = mapped_column(str_enum(Means, "fund_means"))
    in_kind: Mapped[str | None] = mapped_column(sa.String(300))  # what was given, if in kind
    counterparty: Mapped[str | None] = mapped_column(sa.String(200))
    purpose: Mapped[Purpose | None] = mapped_column(str_enum(Purpose, "fund_purpose"))
    voucher: Mapped[str] = mapped_column(sa.String(40))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    # The other unit of a transfer, and the other side's line.
    other_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    counterpart_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fund_movements.id"), index=True
    )
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_movements.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    book: Mapped[FundBook] = relationship()
    period: Mapped[FundPeriod] = relationship()
    other_unit: Mapped[Unit | None] = relationship()
    counterpart: Mapped[FundMovement | None] = relationship(
        remote_side=[id], foreign_keys=[counterpart_id]
    )
    reverses: Mapped[FundMovement | None] = relationship(
        remote_side=[id], foreign_keys=[reverses_id]
    )
    beneficiaries: Mapped[list[FundBeneficiary]] = relationship(
        back_populates="movement", order_by="FundBeneficiary.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("book_id", "voucher"),
        sa.CheckConstraint(
            "(reverses_id IS NULL AND amount > 0) OR (reverses_id IS NOT NULL AND amount < 0)",
            name="amount_sign",
        ),
        sa.CheckConstraint("amount BETWEEN -1000000000000000 AND 1000000000000000", name="bound"),
        sa.CheckConstraint("reverses_id IS NULL OR reverses_id <> id", name="not_self"),
    )

    @property
    def unit(self) -> Unit:
        return self.book.unit

    @property
    def effect(self) -> int:
        """What the line does to the balance."""
        return self.kind.sign * self.amount


class FundBeneficiary(db.Model):
    """A household a spending supported: its name is personal data (the committee only); the
    public sees counts and amounts per residential area."""

    __tablename__ = "fund_beneficiaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    movement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fund_movements.id", ondelete="CASCADE"), index=True
    )
    household: Mapped[str] = mapped_column(sa.String(120))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    movement: Mapped[FundMovement] = relationship(back_populates="beneficiaries")
    area: Mapped[Unit | None] = relationship()

    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_positive"),)
