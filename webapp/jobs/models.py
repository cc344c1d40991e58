"""ExportJob: one export asked by one person, run in the background, its file kept for a while."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled


class JobState(Labelled, enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"
    DONE = "done"  # its file is ready
    FAILED = "failed"  # `error` says why, in the owner's language

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.QUEUED: _l("Waiting for its turn"),
            cls.RUNNING: _l("Being prepared"),
            cls.DONE: _l("Ready"),
            cls.FAILED: _l("Failed"),
        }


FINISHED = (JobState.DONE, JobState.FAILED)


class ExportJob(db.Model):
    __tablename__ = "export_jobs"
    __table_args__ = (sa.Index("ix_export_jobs_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The registered kind that builds the file ("coverage.summary"), and what it was asked for.
    kind: Mapped[str] = mapped_column(sa.String(40))
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The owner's interface language when asking: the file's words and the error message.
    language: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(300))  # "Summary of registrations 2026 - …"
    file_name: Mapped[str] = mapped_column(sa.String(300))  # the download's name
    # The page the export was asked from: back there, or ask again after a failure.
    source_url: Mapped[str] = mapped_column(sa.String(1000))
    state: Mapped[JobState] = mapped_column(
        str_enum(JobState, "export_job_state"), default=JobState.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)  # rows written so far
    total: Mapped[int | None]  # rows to write, once known
    stored_name: Mapped[str | None] = mapped_column(sa.String(64))  # in the exports folder
    size: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int | None:
        """How far along, 0–100; None while the total is not known."""
        if self.state is JobState.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
