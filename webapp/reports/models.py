"""ProgressReport: what an organization at a unit reports for a period of a year; its lines
(one per approved entry of that year's list) and its report-level figures."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.campaign.models import DeadlineKind, MemberOrganization
from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.i18n.content import Localized
from webapp.labels import Labelled
from webapp.registrations.models import Entry
from webapp.units.models import Unit


class Period(Labelled, enum.StrEnum):
    HALF_YEAR = "half_year"  # the first six months
    YEAR = "year"  # the whole year

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.HALF_YEAR: _l("First six months"),
            cls.YEAR: _l("Whole year"),
        }


PERIOD_DEADLINES = {
    Period.HALF_YEAR: DeadlineKind.REPORT_HALF_YEAR,
    Period.YEAR: DeadlineKind.REPORT_YEAR,
}


class ReportState(Labelled, enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: lazy_pgettext("report", "Draft"),
            cls.SUBMITTED: lazy_pgettext("report", "Submitted"),
            cls.ACCEPTED: lazy_pgettext("report", "Accepted"),
            cls.RETURNED: lazy_pgettext("report", "Returned"),
        }


EDITABLE_REPORT_STATES = (ReportState.DRAFT, ReportState.RETURNED)


class LineStatus(Labelled, enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    STOPPED = "stopped"

    @classmethod
    def _labels(cls) -> dict:
        return {
            # "Not started" also says a list or report has not been begun: each meaning has
            # a context.
            cls.NOT_STARTED: lazy_pgettext("progress", "Not started"),
            cls.IN_PROGRESS: _l("In progress"),
            cls.COMPLETED: _l("Completed"),
            cls.STOPPED: _l("Stopped"),
        }


class FigureMeasure(Labelled, enum.StrEnum):
    MONEY = "money"  # whole đồng
    COUNT = "count"  # houses, households, families …

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.COUNT: _l("A count (houses, households …)"),
            cls.MONEY: _l("Money (đồng)"),
        }


class ReportFigure(Localized, db.Model):
    """One figure every report gives (the catalogue is data: the seed ships the Front's usual
    ones, admins add more on the figures screen or with `flask report-figure`); a retired one
    (not active) is no longer asked for, and the reports that gave it keep their values."""

    __tablename__ = "report_figures"
    # How translators see this catalogue (i18n/words.py).
    catalogue_label = _l("Report figures")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    measure: Mapped[FigureMeasure] = mapped_column(str_enum(FigureMeasure, "figure_measure"))
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ReportFigure {self.code}>"


class ProgressReport(db.Model):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("member_organizations.id"))
    year: Mapped[int]
    period: Mapped[Period] = mapped_column(str_enum(Period, "report_period"))
    state: Mapped[ReportState] = mapped_column(
        str_enum(ReportState, "report_state"), default=ReportState.DRAFT
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    is_late: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The last decision on it: who, when, and why it came back.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit] = relationship()
    organization: Mapped[MemberOrganization] = relationship()
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    lines: Mapped[list[ProgressLine]] = relationship(
        back_populates="report",
        order_by="ProgressLine.id",
        cascade="all, delete-orphan",
    )
    figure_values: Mapped[list[ReportFigureValue]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "organization_id", "year", "period"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint(
            "state <> 'returned' OR (return_reason IS NOT NULL AND return_reason <> '')",
            name="return_reason_given",
        ),
    )

    def __init__(self, **kwargs):
        # Set now, not at flush: the policy judges unsaved reports ("may I start this one?").
        kwargs.setdefault("state", ReportState.DRAFT)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<ProgressReport {self.id} unit={self.unit_id} {self.year} {self.period}>"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_REPORT_STATES

    def figure_value(self, figure_id: int) -> int | None:
        return next((v.value for v in self.figure_values if v.figure_id == figure_id), None)


class ProgressLine(db.Model):
    """Where one approved entry stands at the end of the period."""

    __tablename__ = "progress_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    status: Mapped[LineStatus] = mapped_column(
        str_enum(LineStatus, "line_status"), default=LineStatus.NOT_STARTED
    )
    percent_done: Mapped[int] = mapped_column(default=0, server_default="0")
    # Mobilized in whole đồng, by source.
    money_people: Mapped[int | None] = mapped_column(sa.BigInteger)
    money_state: Mapped[int | None] = mapped_column(sa.BigInteger)
    money_other: Mapped[int | None] = mapped_column(sa.BigInteger)
    workdays: Mapped[int | None]  # ngày công
    land_m2: Mapped[int | None]
    beneficiaries: Mapped[int | None]
    result: Mapped[str | None] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    report: Mapped[ProgressReport] = relationship(back_populates="lines")
    entry: Mapped[Entry] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("report_id", "entry_id"),
        sa.CheckConstraint("percent_done BETWEEN 0 AND 100", name="percent_range"),
        sa.CheckConstraint(
            "(money_people IS NULL OR money_people >= 0)"
            " AND (money_state IS NULL OR money_state >= 0)"
            " AND (money_other IS NULL OR money_other >= 0)"
            " AND (workdays IS NULL OR workdays >= 0)"
            " AND (land_m2 IS NULL OR land_m2 >= 0)"
            " AND (beneficiaries IS NULL OR beneficiaries >= 0)",
            name="not_negative",
        ),
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("status", LineStatus.NOT_STARTED)
        kwargs.setdefault("percent_done", 0)
        super().__init__(**kwargs)

    @property
    def money_total(self) -> int | None:
        parts = [self.money_people, self.money_state, self.money_other]
        if all(part is None for part in parts):
            return None
        return sum(part or 0 for part in parts)


class ReportFigureValue(db.Model):
    __tablename__ = "report_figure_values"

    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("progress_reports.id", ondelete="CASCADE"), primary_key=True
    )
    figure_id: Mapped[int] = mapped_column(sa.ForeignKey("report_figures.id"), primary_key=True)
    value: Mapped[int | None] = mapped_column(sa.BigInteger)

    report: Mapped[ProgressReport] = relationship(back_populates="figure_values")
    figure: Mapped[ReportFigure] = relationship()

    __table_args__ = (sa.CheckConstraint("value IS NULL OR value >= 0", name="not_negative"),)
