"""Unit: an administrative unit in the tree, its successions over reorganizations, and its
per-year attributes."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import TreeNode, UTCDateTime, str_enum
from webapp.extensions import db
from webapp.labels import Labelled


class Level(Labelled, enum.StrEnum):
    """Where a unit stands in the hierarchy; what it is called is its `kind`."""

    # The national root of an installation that serves several provinces (or all of them).
    COUNTRY = "country"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    AREA = "area"  # thôn, bản, tổ dân phố: residential areas inside a commune

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.COUNTRY: lazy_pgettext("level", "Country"),
            cls.PROVINCE: lazy_pgettext("level", "Province"),
            cls.DISTRICT: lazy_pgettext("level", "District"),
            cls.COMMUNE: lazy_pgettext("level", "Commune"),
            cls.AREA: lazy_pgettext("level", "Residential area"),
        }


class Kind(Labelled, enum.StrEnum):
    QUOC_GIA = "quoc_gia"
    TINH = "tinh"
    THANH_PHO = "thanh_pho"
    HUYEN = "huyen"
    THI_XA = "thi_xa"
    XA = "xa"
    PHUONG = "phuong"
    THI_TRAN = "thi_tran"
    # Special zone (đặc khu): a commune-level island unit of the 2025 structure.
    DAC_KHU = "dac_khu"
    THON = "thon"
    BAN = "ban"
    TO_DAN_PHO = "to_dan_pho"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.QUOC_GIA: _l("Country (cả nước)"),
            cls.TINH: _l("Province (tỉnh)"),
            cls.THANH_PHO: _l("City (thành phố)"),
            cls.HUYEN: _l("District (huyện)"),
            cls.THI_XA: _l("Town (thị xã)"),
            cls.XA: _l("Commune (xã)"),
            cls.PHUONG: _l("Ward (phường)"),
            cls.THI_TRAN: _l("Township (thị trấn)"),
            cls.DAC_KHU: _l("Special zone (đặc khu)"),
            cls.THON: _l("Hamlet (thôn)"),
            cls.BAN: _l("Village (bản)"),
            cls.TO_DAN_PHO: _l("Residential group (tổ dân phố)"),
        }


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
    # The units that took over this one when it ended (merged into one, or split into several).
    successors: Mapped[list[Unit]] = relationship(
        secondary="unit_successions",
        primaryjoin="Unit.id == UnitSuccession.predecessor_id",
        secondaryjoin="Unit.id == UnitSuccession.successor_id",
        order_by="Unit.code, Unit.name",
        viewonly=True,
    )
    predecessors: Mapped[list[Unit]] = relationship(
        secondary="unit_successions",
        primaryjoin="Unit.id == UnitSuccession.successor_id",
        secondaryjoin="Unit.id == UnitSuccession.predecessor_id",
        order_by="Unit.code, Unit.name",
        viewonly=True,
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

    def has_ended(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day

    def covering_units(self) -> list[Unit]:
        """This unit and every unit whose roles reach it, nearest first: the units above it
        and, once it has ended, its successors and the units above them. A province admin of
        the merged province keeps seeing the records of the old communes and districts."""
        found = [self]
        frontier = [self]
        while frontier:
            step = []
            for unit in frontier:
                for up in ([unit.parent] if unit.parent is not None else []) + unit.successors:
                    if up not in found:
                        found.append(up)
                        step.append(up)
            frontier = step
        return found


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


class Reorganization(db.Model):
    """One change of the administrative structure (a merger of communes, the end of the
    district level), applied on its effective day; records that it was applied and by whom."""

    __tablename__ = "reorganizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    basis: Mapped[str] = mapped_column(sa.String(300))
    effective_on: Mapped[date]
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class UnitSuccession(db.Model):
    """A unit that ended and one that took over (part of) it: many rows to one successor for
    a merger, one predecessor to many for a split, each with its legal basis."""

    __tablename__ = "unit_successions"

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    successor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    reorganization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reorganizations.id", ondelete="SET NULL"), index=True
    )
    basis: Mapped[str | None] = mapped_column(sa.String(300))
    effective_on: Mapped[date]

    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id])
    reorganization: Mapped[Reorganization | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("predecessor_id", "successor_id"),
        sa.CheckConstraint("predecessor_id <> successor_id", name="not_own_successor"),
    )
