"""Evaluation (a rating and remarks for a unit or organization in a year) and Nomination (a
proposal to commend a collective, an individual or an entry, decided by the level above)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.campaign.models import MemberOrganization
from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.registrations.models import Entry
from webapp.units.models import Unit


class Rating(Labelled, enum.StrEnum):
    """The Front's usual yearly grades, best first."""

    EXCELLENT = "excellent"  # Hoàn thành xuất sắc nhiệm vụ
    GOOD = "good"  # Hoàn thành tốt nhiệm vụ
    DONE = "done"  # Hoàn thành nhiệm vụ
    NOT_DONE = "not_done"  # Không hoàn thành nhiệm vụ

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.EXCELLENT: _l("Completed the tasks excellently"),
            cls.GOOD: _l("Completed the tasks well"),
            cls.DONE: _l("Completed the tasks"),
            cls.NOT_DONE: _l("Did not complete the tasks"),
        }


class Evaluation(db.Model):
    """The year's evaluation of a unit's Front committee (no organization) or of one member
    organization at the unit. One per (year, unit, organization); saves are versioned."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_organizations.id"))
    # The organization or 0 for the committee itself: NULLs never clash in a unique constraint.
    organization_key: Mapped[int] = mapped_column(default=0)
    rating: Mapped[Rating] = mapped_column(str_enum(Rating, "evaluation_rating"))
    remarks: Mapped[str] = mapped_column(sa.Text)
    evaluated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit] = relationship()
    organization: Mapped[MemberOrganization | None] = relationship()
    evaluated_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("year", "unit_id", "organization_key"),
        sa.CheckConstraint("organization_key = COALESCE(organization_id, 0)", name="key_matches"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("remarks <> ''", name="remarks_given"),
    )

    def __repr__(self) -> str:
        return f"<Evaluation {self.year} unit={self.unit_id} org={self.organization_id}>"


class NomineeKind(Labelled, enum.StrEnum):
    COLLECTIVE = "collective"  # a unit's committee, or an organization at a unit
    INDIVIDUAL = "individual"
    ENTRY = "entry"  # an approved work, model or task

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.COLLECTIVE: _l("A collective"),
            cls.INDIVIDUAL: _l("An individual"),
            cls.ENTRY: _l("A work, model or task"),
        }


class NominationState(Labelled, enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: lazy_pgettext("nomination", "Draft"),
            cls.SUBMITTED: lazy_pgettext("nomination", "Submitted"),
            cls.APPROVED: lazy_pgettext("nomination", "Approved"),
            cls.REJECTED: lazy_pgettext("nomination", "Not approved"),
        }


class Nomination(db.Model):
    """A proposal, by a unit, to commend someone for the year's campaign work."""

    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    kind: Mapped[NomineeKind] = mapped_column(str_enum(NomineeKind, "nominee_kind"))
    proposing_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # Collective: the unit and maybe one organization there.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_organizations.id"))
    # Individual: who, and their role or where they work.
    person_name: Mapped[str | None] = mapped_column(sa.String(200))
    person_role: Mapped[str | None] = mapped_column(sa.String(300))
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[NominationState] = mapped_column(
        str_enum(NominationState, "nomination_state"), default=NominationState.DRAFT
    )
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The commendation decision an approval records (Số quyết định … ngày …), if given.
    decision_number: Mapped[str | None] = mapped_column(sa.String(60))
    decision_date: Mapped[date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    proposing_unit: Mapped[Unit] = relationship(foreign_keys=[proposing_unit_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    organization: Mapped[MemberOrganization | None] = relationship()
    entry: Mapped[Entry | None] = relationship()
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("reason <> ''", name="reason_given"),
        sa.CheckConstraint(
            "(kind = 'collective' AND unit_id IS NOT NULL)"
            " OR (kind = 'individual' AND person_name IS NOT NULL AND person_name <> '')"
            " OR (kind = 'entry' AND entry_id IS NOT NULL)",
            name="nominee_given",
        ),
        sa.CheckConstraint(
            "state <> 'rejected' OR (reject_reason IS NOT NULL AND reject_reason <> '')",
            name="reject_reason_given",
        ),
        sa.Index("ix_nominations_year_state", "year", "state"),
    )

    def __init__(self, **kwargs):
        # Set now, not at flush: the policy judges unsaved nominations ("may I propose?").
        kwargs.setdefault("state", NominationState.DRAFT)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<Nomination {self.id} {self.kind} {self.year} {self.state}>"
