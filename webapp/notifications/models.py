"""Notification: one message for one user about one list (and maybe one entry), one progress
report or one nomination for commendation."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled


class NotificationKind(Labelled, enum.StrEnum):
    SUBMITTED = "submitted"  # to reviewers: a list awaits their decision
    RETURNED = "returned"  # to the submitter: an entry came back with a reason
    APPROVED = "approved"  # to the submitter: the whole list is approved
    REOPENED = "reopened"  # to the submitter: an approved entry was unlocked
    REPORT_SUBMITTED = "report_submitted"  # to reviewers: a report awaits their decision
    REPORT_ACCEPTED = "report_accepted"  # to the report's editors
    REPORT_RETURNED = "report_returned"  # to the report's editors, with the reason
    NOMINATION_SUBMITTED = "nomination_submitted"  # to those who decide it
    NOMINATION_APPROVED = "nomination_approved"  # to the proposers
    NOMINATION_REJECTED = "nomination_rejected"  # to the proposers, with the reason

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.SUBMITTED: _l("Submitted for your review"),
            cls.RETURNED: _l("An entry was returned"),
            cls.APPROVED: _l("The list was approved"),
            cls.REOPENED: _l("An approved entry was reopened"),
            cls.REPORT_SUBMITTED: _l("A report was sent for your review"),
            cls.REPORT_ACCEPTED: _l("The report was accepted"),
            cls.REPORT_RETURNED: _l("The report was returned"),
            cls.NOMINATION_SUBMITTED: _l("A nomination awaits your decision"),
            cls.NOMINATION_APPROVED: _l("The nomination was approved"),
            cls.NOMINATION_REJECTED: _l("The nomination was not approved"),
        }


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    # What it is about: a list (and maybe one of its entries), a report or a nomination.
    list_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration_lists.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration_list = relationship("RegistrationList")
    entry = relationship("Entry")
    report = relationship("ProgressReport")
    nomination = relationship("Nomination")
    actor = relationship("User", foreign_keys=[actor_id])

    __table_args__ = (
        sa.Index("ix_notifications_unread", "user_id", "read_at"),
        sa.CheckConstraint(
            "(CASE WHEN list_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN report_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN nomination_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
    )
