"""Effective models ("mô hình hiệu quả"): an approved entry recognised for a year by the level
above its unit, with its results and the decision; the photos shown with it; and the entries
that replicate it ("nhân rộng") in other communes."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.photos import Photo
from webapp.registrations.models import Entry
from webapp.units.models import Unit

CITATION_MAX = 1000
REASON_MAX = 500
DECISION_NUMBER_MAX = 60
CAPTION_MAX = 200


class ModelState(Labelled, enum.StrEnum):
    RECOGNISED = "recognised"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.RECOGNISED: _l("Recognised"), cls.WITHDRAWN: _l("Withdrawn")}


class EffectiveModel(db.Model):
    """An entry recognised as an effective model for a year. The figures are those of its
    report lines when it was recognised (the citation quotes them; later reports do not
    change what the decision said)."""

    __tablename__ = "effective_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    year: Mapped[int]
    state: Mapped[ModelState] = mapped_column(
        str_enum(ModelState, "model_state"), default=ModelState.RECOGNISED
    )
    recognising_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    citation: Mapped[str] = mapped_column(sa.String(CITATION_MAX))
    decision_number: Mapped[str] = mapped_column(sa.String(DECISION_NUMBER_MAX))
    decision_date: Mapped[date]
    money_mobilized: Mapped[int | None] = mapped_column(sa.BigInteger)  # đồng
    households: Mapped[int | None]
    land_m2: Mapped[int | None]
    # Folded name, description, citation and places, for the public search (webapp.text.fold).
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    recognised_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recognised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    entry: Mapped[Entry] = relationship()
    recognising_unit: Mapped[Unit] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("entry_id", "year", name="one_per_entry_and_year"),
        sa.CheckConstraint(
            "state <> 'withdrawn' OR withdrawal_reason IS NOT NULL", name="withdrawn_with_reason"
        ),
        sa.Index("ix_effective_models_state_year", "state", "year"),
    )

    @property
    def is_public(self) -> bool:
        return self.state == ModelState.RECOGNISED


class EntryPhoto(db.Model):
    """A photo shown with an entry (and so with the model it became)."""

    __tablename__ = "entry_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True
    )
    photo_id: Mapped[int] = mapped_column(
        sa.ForeignKey("photos.id", ondelete="CASCADE"), unique=True
    )
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    caption: Mapped[str | None] = mapped_column(sa.String(CAPTION_MAX))

    entry: Mapped[Entry] = relationship()
    photo: Mapped[Photo] = relationship(cascade="all, delete-orphan", single_parent=True)


class Replication(db.Model):
    """An entry that replicates an effective model in another commune. A table of its own,
    so registrations need not know the models above them."""

    __tablename__ = "replications"

    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True
    )
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("effective_models.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()
    model: Mapped[EffectiveModel] = relationship()
