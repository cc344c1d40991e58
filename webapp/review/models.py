"""ReviewDecision: who decided what on which entry, when, why, and what the entry said then; and
an entry's decisions, which review adds to Entry from above (registrations know nothing of
review)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Load, Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.registrations.models import Entry


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


# An entry's decisions, oldest first; they go with the entry. Declared here rather than on
# Entry, so registrations import nothing of review; the database is the same either way.
Entry.decisions = relationship(
    ReviewDecision, order_by=ReviewDecision.id, cascade="all, delete-orphan", passive_deletes=True
)


def _last_decision(entry: Entry) -> ReviewDecision | None:
    return entry.decisions[-1] if entry.decisions else None


Entry.last_decision = property(_last_decision)


def with_decisions(entries: Load) -> Load:
    """A list's entries loaded with their decisions and who made them (every row shows its
    last one): review's part of registrations.queries.load_list."""
    return entries.selectinload(Entry.decisions).joinedload(ReviewDecision.decided_by)
