"""Campaign, Content, MemberOrganization, ModelType, Requirement and Deadline."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.i18n.content import Localized
from webapp.labels import Labelled


class Campaign(Localized, db.Model):
    __tablename__ = "campaigns"
    # How translators see this catalogue (i18n/words.py).
    catalogue_label = _l("Campaign")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    plan_vi: Mapped[str | None] = mapped_column(sa.Text)
    based_on_vi: Mapped[str | None] = mapped_column(sa.Text)
    # The line under the registration form's title: "Kèm theo Kế hoạch số …".
    form_reference_vi: Mapped[str | None] = mapped_column(sa.Text)
    launched: Mapped[str | None] = mapped_column(sa.String(7))  # "2015-11": only the month is known

    contents: Mapped[list[Content]] = relationship(
        back_populates="campaign", order_by="Content.number"
    )
    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="campaign", order_by="Requirement.id"
    )
    deadlines: Mapped[list[Deadline]] = relationship(back_populates="campaign")


class Content(Localized, db.Model):
    """One of the campaign's contents ("05 nội dung" in the 2017 plan); how many is data."""

    __tablename__ = "contents"
    # How translators see this catalogue (i18n/words.py).
    catalogue_label = _l("The 5 contents")

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    number: Mapped[int]
    short_vi: Mapped[str] = mapped_column(sa.String(120))
    short_en: Mapped[str | None] = mapped_column(sa.String(120))
    text_vi: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str | None] = mapped_column(sa.Text)

    campaign: Mapped[Campaign] = relationship(back_populates="contents")

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "number"),
        sa.CheckConstraint("number BETWEEN 1 AND 9", name="number_range"),
    )


class MemberOrganization(Localized, db.Model):
    """A member organization of the Front; the levels where it has committees are data."""

    __tablename__ = "member_organizations"
    # How translators see this catalogue (i18n/words.py).
    catalogue_label = _l("Organizations")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    at_province: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    at_district: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    at_commune: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_coordinator: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")

    model_types: Mapped[list[ModelType]] = relationship(back_populates="organization")


model_type_contents = sa.Table(
    "model_type_contents",
    db.metadata,
    sa.Column(
        "model_type_id", sa.ForeignKey("model_types.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("content_id", sa.ForeignKey("contents.id", ondelete="CASCADE"), primary_key=True),
)


class ModelType(Localized, db.Model):
    """A named model or movement of the catalogue; its contents are suggestions for entries."""

    __tablename__ = "model_types"
    # How translators see this catalogue (i18n/words.py).
    catalogue_label = _l("Model types")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member_organizations.id"), index=True
    )
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    organization: Mapped[MemberOrganization | None] = relationship(back_populates="model_types")
    contents: Mapped[list[Content]] = relationship(
        secondary=model_type_contents, order_by="Content.number"
    )


class RequirementKind(Labelled, enum.StrEnum):
    EVERY_CONTENT = "every_content"  # each content has at least `min_count` entries
    MODEL_TYPES = "model_types"  # at least `min_count` entries of any of the listed model types

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.EVERY_CONTENT: _l("Entries in every content"),
            cls.MODEL_TYPES: _l("Models of given types"),
        }


class AppliesTo(Labelled, enum.StrEnum):
    ALL_COMMUNES = "all_communes"
    NEW_RURAL_COMMUNES = "new_rural_communes"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.ALL_COMMUNES: _l("Every commune"),
            cls.NEW_RURAL_COMMUNES: _l("Communes recognised as new-rural that year"),
        }


requirement_model_types = sa.Table(
    "requirement_model_types",
    db.metadata,
    sa.Column(
        "requirement_id", sa.ForeignKey("requirements.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("model_type_id", sa.ForeignKey("model_types.id"), primary_key=True),
)

requirement_partners = sa.Table(
    "requirement_partners",
    db.metadata,
    sa.Column(
        "requirement_id", sa.ForeignKey("requirements.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("organization_id", sa.ForeignKey("member_organizations.id"), primary_key=True),
)


class Requirement(db.Model):
    """A minimum rule evaluated per commune per year; retired by setting `valid_to_year`."""

    __tablename__ = "requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[RequirementKind] = mapped_column(str_enum(RequirementKind, "requirement_kind"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_organizations.id"))
    min_count: Mapped[int] = mapped_column(default=1, server_default="1")
    applies_to: Mapped[AppliesTo] = mapped_column(
        str_enum(AppliesTo, "requirement_applies_to"), default=AppliesTo.ALL_COMMUNES
    )
    rule_vi: Mapped[str | None] = mapped_column(sa.Text)
    source_vi: Mapped[str | None] = mapped_column(sa.Text)
    valid_from_year: Mapped[int | None]
    valid_to_year: Mapped[int | None]
    # Set on every save: changing only the model types or partners must bump the version too.
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    campaign: Mapped[Campaign] = relationship(back_populates="requirements")
    organization: Mapped[MemberOrganization | None] = relationship(foreign_keys=[organization_id])
    model_types: Mapped[list[ModelType]] = relationship(secondary=requirement_model_types)
    partners: Mapped[list[MemberOrganization]] = relationship(secondary=requirement_partners)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "code"),
        sa.CheckConstraint("min_count >= 1", name="min_count_positive"),
        sa.CheckConstraint(
            "valid_to_year IS NULL OR valid_from_year IS NULL OR valid_from_year <= valid_to_year",
            name="valid_years",
        ),
    )

    def applies_in(self, year: int) -> bool:
        return (self.valid_from_year is None or self.valid_from_year <= year) and (
            self.valid_to_year is None or year <= self.valid_to_year
        )


class DeadlineKind(Labelled, enum.StrEnum):
    REGISTRATION = "registration"
    REPORT_HALF_YEAR = "report_half_year"
    REPORT_YEAR = "report_year"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.REGISTRATION: _l("Registration of works, models and tasks"),
            cls.REPORT_HALF_YEAR: _l("Six-month report"),
            cls.REPORT_YEAR: _l("Annual report"),
        }


class Deadline(db.Model):
    """A yearly due date (day/month); a row with a year overrides the yearly one for that year."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    kind: Mapped[DeadlineKind] = mapped_column(str_enum(DeadlineKind, "deadline_kind"))
    year: Mapped[int | None]
    day: Mapped[int]
    month: Mapped[int]
    is_assumption: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    source_vi: Mapped[str | None] = mapped_column(sa.Text)

    campaign: Mapped[Campaign] = relationship(back_populates="deadlines")

    __table_args__ = (
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        sa.CheckConstraint("day BETWEEN 1 AND 31", name="day_range"),
    )
