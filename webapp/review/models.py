"""ReviewDecision: who decided what on which entry, when, why, and what the entry said then."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db


class Decision(enum.StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"  # back to the editor, with a reason
    REOPENED = "reopened"  # an approved entry unlocked again, with a reason


class ReviewDecision(db.Model):
    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True
    )
    list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration_lists.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[Decision] = mapped_column(str_enum(Decision, "review_decision"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The entry as the reviewer saw it, so a resubmission can be compared field by field.
    entry_version: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint(
            "decision = 'approved' OR (reason IS NOT NULL AND reason <> '')",
            name="reason_given",
        ),
    )
