"""Unit: an administrative unit in the tree, and its per-year attributes."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import TreeNode, str_enum
from webapp.extensions import db


class Level(enum.StrEnum):
    """Where a unit stands in the hierarchy; what it is called is its `kind`."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    AREA = "area"  # thôn, bản, tổ dân phố: residential areas inside a commune


class Kind(enum.StrEnum):
    TINH = "tinh"
    THANH_PHO = "thanh_pho"
    HUYEN = "huyen"
    THI_XA = "thi_xa"
    XA = "xa"
    PHUONG = "phuong"
    THI_TRAN = "thi_tran"
    THON = "thon"
    BAN = "ban"
    TO_DAN_PHO = "to_dan_pho"


AREA_KINDS = (Kind.THON, Kind.BAN, Kind.TO_DAN_PHO)


class Unit(TreeNode, db.Model):
    """An administrative unit. A GSO code is unique only within its validity period."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    # GSO codes have leading zeros; residential areas have none.
    code: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, "unit_kind"))
    level: Mapped[Level] = mapped_column(str_enum(Level, "unit_level"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", order_by="Unit.code, Unit.name"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="valid_period"
        ),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code or self.id} {self.name}>"

    def is_within(self, other: Unit) -> bool:
        return other in self.ancestors()

    def is_active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class UnitYearAttribute(db.Model):
    """Facts about a unit that hold for one year, such as recognition as a new-rural commune."""

    __tablename__ = "unit_year_attributes"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))
    year: Mapped[int]
    is_new_rural: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )
