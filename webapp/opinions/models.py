"""Opinion: one person's (or one meeting's) opinion or proposal to the authorities, its
handling and its answer."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.campaign.models import Campaign, Content
from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.photos import Photo
from webapp.units.models import Unit

# Letters and digits no one mistakes for another when reading a code aloud or off a phone
# (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8


class OpinionState(Labelled, enum.StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"  # being handled
    FORWARDED = "forwarded"  # sent up a level, beyond this level's authority
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"
    MERGED = "merged"  # follows another opinion (merged_into)

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.RECEIVED: lazy_pgettext("opinion", "Received"),
            cls.ACCEPTED: lazy_pgettext("opinion", "Being handled"),
            cls.FORWARDED: lazy_pgettext("opinion", "Sent up a level"),
            cls.ANSWERED: lazy_pgettext("opinion", "Answered"),
            cls.CLOSED: lazy_pgettext("opinion", "Closed"),
            cls.REJECTED: lazy_pgettext("opinion", "Not accepted"),
            cls.MERGED: lazy_pgettext("opinion", "Merged"),
        }


# Waiting for an answer: these count towards "overdue".
OPEN_STATES = (OpinionState.RECEIVED, OpinionState.ACCEPTED, OpinionState.FORWARDED)
ANSWERABLE_STATES = (OpinionState.ACCEPTED, OpinionState.FORWARDED)


class OpinionSource(Labelled, enum.StrEnum):
    ONLINE = "online"
    MEETING = "meeting"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ONLINE: _l("Sent online"), cls.MEETING: _l("Raised at a meeting")}


class MeetingKind(Labelled, enum.StrEnum):
    AREA_MEETING = "area_meeting"  # họp khu dân cư
    VOTER_CONTACT = "voter_contact"  # tiếp xúc cử tri
    DIALOGUE = "dialogue"  # đối thoại
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.AREA_MEETING: _l("Residential area meeting"),
            cls.VOTER_CONTACT: _l("Voter contact session"),
            cls.DIALOGUE: _l("Dialogue with the authorities"),
            cls.OTHER: _l("Other meeting"),
        }


class Opinion(db.Model):
    """An opinion of the people of a commune, from receipt to answer. The sender's name and
    contact are for the handling committee only: never on public pages."""

    __tablename__ = "opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # The campaign content it is about; None: mechanisms and policies (cơ chế, chính sách).
    content_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contents.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    summary: Mapped[str | None] = mapped_column(sa.Text)  # a short Vietnamese rewording
    sender_name: Mapped[str | None] = mapped_column(sa.String(120))
    sender_contact: Mapped[str | None] = mapped_column(sa.String(120))
    source: Mapped[OpinionSource] = mapped_column(str_enum(OpinionSource, "opinion_source"))
    meeting_kind: Mapped[MeetingKind | None] = mapped_column(str_enum(MeetingKind, "meeting_kind"))
    meeting_place: Mapped[str | None] = mapped_column(sa.String(200))
    meeting_on: Mapped[date | None]
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    people: Mapped[int] = mapped_column(default=1, server_default="1")
    state: Mapped[OpinionState] = mapped_column(
        str_enum(OpinionState, "opinion_state"), default=OpinionState.RECEIVED, index=True
    )
    reason: Mapped[str | None] = mapped_column(sa.Text)  # of a rejection or a forwarding
    forwarded_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("opinions.id"), index=True)
    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    answer_agency: Mapped[str | None] = mapped_column(sa.String(200))
    answered_on: Mapped[date | None]
    # The authority's reply as a file (PDF, Word, image), stored like page attachments under
    # a generated name: public with the answer, as the official reply it is.
    answer_document: Mapped[str | None] = mapped_column(sa.String(60))  # stored name
    answer_document_name: Mapped[str | None] = mapped_column(sa.String(255))  # to download as
    answer_document_type: Mapped[str | None] = mapped_column(sa.String(100))
    answer_document_size: Mapped[int | None]
    # A photo the sender (or the committee, at a meeting) attached: the committee's only, until
    # the committee publishes it with the answer (it may show faces and homes).
    photo_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("photos.id", ondelete="SET NULL"), index=True
    )
    photo_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A keyed hash of the sender's address, for the hourly limit; never the address itself.
    address_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    area: Mapped[Unit | None] = relationship(foreign_keys=[area_id])
    forwarded_to: Mapped[Unit | None] = relationship(foreign_keys=[forwarded_to_id])
    content: Mapped[Content | None] = relationship()
    photo: Mapped[Photo | None] = relationship()
    merged_into: Mapped[Opinion | None] = relationship(
        remote_side=[id], back_populates="merged", foreign_keys=[merged_into_id]
    )
    merged: Mapped[list[Opinion]] = relationship(
        back_populates="merged_into", order_by="Opinion.id", foreign_keys=[merged_into_id]
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("people BETWEEN 1 AND 100000", name="people_range"),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_self"),
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("state", OpinionState.RECEIVED)
        kwargs.setdefault("people", 1)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<Opinion {self.code} unit={self.unit_id} {self.state}>"

    @property
    def photo_published(self) -> bool:
        """The photo shown to everyone: marked publishable by the committee, and answered."""
        return (
            self.photo_id is not None
            and self.photo_public
            and self.state in (OpinionState.ANSWERED, OpinionState.CLOSED)
        )

    def final(self) -> Opinion:
        """The opinion this one's sender follows: itself, or the one it was merged into."""
        seen, opinion = set(), self
        while opinion.merged_into is not None and opinion.id not in seen:
            seen.add(opinion.id)
            opinion = opinion.merged_into
        return opinion


class OpinionSetting(db.Model):
    """The campaign's settings for opinions, set by the province (data, not code): without a
    row, the defaults hold."""

    __tablename__ = "opinion_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), unique=True)
    # Days an opinion may wait for its answer before it is overdue.
    answer_days: Mapped[int] = mapped_column(default=30, server_default="30")

    campaign: Mapped[Campaign] = relationship()

    __table_args__ = (sa.CheckConstraint("answer_days BETWEEN 1 AND 3650", name="days_range"),)


class OpinionDispatch(db.Model):
    """A consolidated list of opinions the committee of a unit sent to the authorities (the
    Party committee, the People's Committee of its level): to whom, under which document
    number, on which day, and which opinions it carried (`items`)."""

    __tablename__ = "opinion_dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    # With the opinions of every commune below the unit, not only those it handles itself.
    with_below: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recipient: Mapped[str] = mapped_column(sa.String(200))
    number: Mapped[str] = mapped_column(sa.String(60))
    sent_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    items: Mapped[list[OpinionDispatchItem]] = relationship(
        back_populates="dispatch", cascade="all, delete-orphan", order_by="OpinionDispatchItem.id"
    )

    __table_args__ = (sa.CheckConstraint("period_to >= period_from", name="period_order"),)


class OpinionDispatchItem(db.Model):
    """One opinion carried by a dispatch, with the count of people it stood for that day."""

    __tablename__ = "opinion_dispatch_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispatch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("opinion_dispatches.id", ondelete="CASCADE"), index=True
    )
    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id"), index=True)
    people: Mapped[int]

    dispatch: Mapped[OpinionDispatch] = relationship(back_populates="items")
    opinion: Mapped[Opinion] = relationship()

    __table_args__ = (sa.UniqueConstraint("dispatch_id", "opinion_id"),)


class OpinionProvinceSetting(db.Model):
    """A province's own time for an answer: overrides the campaign's (OpinionSetting) for the
    opinions of its communes. Set by the province's admins."""

    __tablename__ = "opinion_province_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), unique=True)
    answer_days: Mapped[int] = mapped_column(default=30, server_default="30")
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.CheckConstraint("answer_days BETWEEN 1 AND 3650", name="days_range"),)
