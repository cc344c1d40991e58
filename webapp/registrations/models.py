"""RegistrationList and Entry: what an organization registers for a year, and its rows."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.campaign.models import Content, MemberOrganization, ModelType
from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.units.models import Unit


class ListState(Labelled, enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # some entries came back from review: editable again
    APPROVED = "approved"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: lazy_pgettext("list", "Draft"),
            cls.SUBMITTED: lazy_pgettext("list", "Submitted"),
            cls.RETURNED: lazy_pgettext("list", "Returned"),
            cls.APPROVED: lazy_pgettext("list", "Approved"),
        }


class EntryState(Labelled, enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: lazy_pgettext("entry", "Draft"),
            cls.SUBMITTED: lazy_pgettext("entry", "Submitted"),
            cls.RETURNED: lazy_pgettext("entry", "Returned"),
            cls.APPROVED: lazy_pgettext("entry", "Approved"),
        }


class EntryKind(Labelled, enum.StrEnum):
    CONG_TRINH = "cong_trinh"  # a work (construction)
    MO_HINH = "mo_hinh"  # a model
    PHAN_VIEC = "phan_viec"  # a task

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.CONG_TRINH: _l("Work"),
            cls.MO_HINH: _l("Model"),
            cls.PHAN_VIEC: _l("Task"),
        }


EDITABLE_LIST_STATES = (ListState.DRAFT, ListState.RETURNED)
EDITABLE_ENTRY_STATES = (EntryState.DRAFT, EntryState.RETURNED)


class RegistrationList(db.Model):
    """The "DANH SÁCH" of one organization at one unit for one year, with its header."""

    __tablename__ = "registration_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("member_organizations.id"))
    year: Mapped[int]
    state: Mapped[ListState] = mapped_column(
        str_enum(ListState, "list_state"), default=ListState.DRAFT
    )
    # The header of the official form: its date line and signature block.
    registered_on: Mapped[date | None]
    signer_title: Mapped[str | None] = mapped_column(sa.String(120))
    signer_name: Mapped[str | None] = mapped_column(sa.String(120))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it was first sent: the queue's order; later submissions are resubmissions.
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    is_late: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit] = relationship()
    organization: Mapped[MemberOrganization] = relationship()
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    entries: Mapped[list[Entry]] = relationship(
        back_populates="registration_list",
        order_by="(Entry.position, Entry.id)",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "organization_id", "year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    def __init__(self, **kwargs):
        # Set now, not at flush: the policy judges unsaved lists ("may I start this one?").
        kwargs.setdefault("state", ListState.DRAFT)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<RegistrationList {self.id} unit={self.unit_id} org={self.organization_id}>"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_LIST_STATES


entry_partners = sa.Table(
    "entry_partners",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("member_organizations.id"), primary_key=True),
)


class Entry(db.Model):
    """One work, model or task of a list."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration_lists.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "entry_kind"))
    name: Mapped[str] = mapped_column(sa.String(300))
    content_id: Mapped[int] = mapped_column(sa.ForeignKey("contents.id"))
    model_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("model_types.id"))
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    scale: Mapped[str | None] = mapped_column(sa.String(300))
    # The first day of the start and end months.
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    # Estimated budget in whole đồng, by source.
    budget_people: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_state: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_other: Mapped[int | None] = mapped_column(sa.BigInteger)
    lead_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("member_organizations.id"))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[EntryState] = mapped_column(
        str_enum(EntryState, "entry_state"), default=EntryState.DRAFT
    )
    # Who wrote, last changed and last submitted it: none of them may decide on it.
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    registration_list: Mapped[RegistrationList] = relationship(back_populates="entries")
    content: Mapped[Content] = relationship()
    model_type: Mapped[ModelType | None] = relationship()
    location: Mapped[Unit] = relationship()
    lead_organization: Mapped[MemberOrganization] = relationship(
        foreign_keys=[lead_organization_id]
    )
    partners: Mapped[list[MemberOrganization]] = relationship(
        secondary=entry_partners, order_by="MemberOrganization.sort_order"
    )
    # Review (above registrations) adds `decisions` and `last_decision` (webapp/review/models.py).

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR starts_on <= ends_on", name="period"
        ),
        sa.CheckConstraint(
            "(budget_people IS NULL OR budget_people >= 0)"
            " AND (budget_state IS NULL OR budget_state >= 0)"
            " AND (budget_other IS NULL OR budget_other >= 0)",
            name="budget_not_negative",
        ),
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("state", EntryState.DRAFT)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.name!r}>"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_ENTRY_STATES and self.registration_list.is_editable

    def authored_by(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in (
            self.created_by_id,
            self.updated_by_id,
            self.submitted_by_id,
        )

    @property
    def budget_total(self) -> int | None:
        parts = [self.budget_people, self.budget_state, self.budget_other]
        if all(part is None for part in parts):
            return None
        return sum(part or 0 for part in parts)
