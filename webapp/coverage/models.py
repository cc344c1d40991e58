"""OverlapDecision: what a reviewer decided about two entries flagged as a likely duplicate."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.registrations.models import Entry


class OverlapKind(enum.StrEnum):
    NOT_DUPLICATE = "not_duplicate"  # looked at: two different works, leave them be
    JOINT = "joint"  # one work done together: the lead entry's organization leads


class OverlapDecision(db.Model):
    """One per pair of entries, stored in a canonical order (the smaller id first), so the
    same two entries can never carry two decisions."""

    __tablename__ = "overlap_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by the unique pair (first, second) or by either entry alone.
    first_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    second_entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OverlapKind] = mapped_column(str_enum(OverlapKind, "overlap_kind"))
    lead_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("entries.id", ondelete="CASCADE")
    )
    # Whether joining added the other organization as a partner of the lead entry (it may
    # have been one already): undoing the decision takes back only what it added.
    partner_added: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    note: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    first_entry: Mapped[Entry] = relationship(foreign_keys=[first_entry_id])
    second_entry: Mapped[Entry] = relationship(foreign_keys=[second_entry_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("first_entry_id", "second_entry_id"),
        sa.CheckConstraint("first_entry_id < second_entry_id", name="canonical_order"),
        sa.CheckConstraint(
            "(kind = 'joint') = (lead_entry_id IS NOT NULL)"
            " AND (lead_entry_id IS NULL OR lead_entry_id IN (first_entry_id, second_entry_id))",
            name="lead_of_joint",
        ),
    )

    @property
    def pair(self) -> tuple[int, int]:
        return self.first_entry_id, self.second_entry_id

    def other(self, entry_id: int) -> int:
        return self.second_entry_id if entry_id == self.first_entry_id else self.first_entry_id
