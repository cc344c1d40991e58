"""Notification: one message for one user about one list (and maybe one entry)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db


class NotificationKind(enum.StrEnum):
    SUBMITTED = "submitted"  # to reviewers: a list awaits their decision
    RETURNED = "returned"  # to the submitter: an entry came back with a reason
    APPROVED = "approved"  # to the submitter: the whole list is approved
    REOPENED = "reopened"  # to the submitter: an approved entry was unlocked


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration_lists.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration_list = relationship("RegistrationList")
    entry = relationship("Entry")
    actor = relationship("User", foreign_keys=[actor_id])

    __table_args__ = (sa.Index("ix_notifications_unread", "user_id", "read_at"),)
