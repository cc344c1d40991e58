"""Starting a job, running it (in a worker, or in the request without Redis), its progress and
its file, and pruning old ones.

A capability registers a kind: a function that builds the file's bytes for the job's owner,
reporting progress as it goes. `start` records the job and queues it on RQ when the app has
Redis; the worker (`flask jobs worker`) calls `perform`, which runs the kind in a fresh context
speaking the owner's language, writes the file into the exports folder and records the outcome.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from webapp import filestore, kv
from webapp.auth.models import User
from webapp.db import utcnow
from webapp.downloads import XLSX_MIMETYPE
from webapp.extensions import db
from webapp.forms import Refused
from webapp.i18n.choice import ui_language_code, use_language
from webapp.jobs.models import FINISHED, ExportJob, JobState

log = logging.getLogger(__name__)

QUEUE = "exports"
# Progress is written every this many rows, in a transaction of its own.
PROGRESS_EVERY = 2000


class Progress:
    """What a kind calls as it writes: `progress(done, total)`. Recorded when the total is first
    known, then every PROGRESS_EVERY rows and at the end, each time in its own short transaction
    (the export's own reads go on in theirs), so the job's page shows it at once."""

    def __init__(self, job_id: int, every: int = PROGRESS_EVERY):
        self.job_id, self.every = job_id, every
        self.recorded: tuple[int, int | None] = (0, None)

    def __call__(self, done: int, total: int | None = None) -> None:
        last_done, last_total = self.recorded
        if total == last_total and done - last_done < self.every and done != total:
            return
        self.recorded = (done, total)
        table = ExportJob.__table__
        with db.engine.begin() as connection:
            connection.execute(
                table.update().where(table.c.id == self.job_id).values(done=done, total=total)
            )


Build = Callable[[ExportJob, User, Progress], bytes]


@dataclass(frozen=True)
class Kind:
    build: Build
    extension: str = "xlsx"
    mimetype: str = XLSX_MIMETYPE


KINDS: dict[str, Kind] = {}


def register(name: str, build: Build, *, extension: str = "xlsx", mimetype: str = XLSX_MIMETYPE):
    """A capability's kind of job (create_app's init of the capability registers it)."""
    kind = Kind(build, extension, mimetype)
    if KINDS.get(name, kind) != kind:
        raise ValueError(f"job kind {name} already registered")
    KINDS[name] = kind


def exports_dir() -> Path:
    """Where finished files are kept: EXPORTS_DIR, else an "exports" folder beside the
    attachments (shared storage when several hosts serve the app)."""
    return filestore.kept_in("EXPORTS_DIR", "exports")


def stored_path(job: ExportJob) -> Path | None:
    if not job.stored_name:
        return None
    return exports_dir() / job.stored_name


def start(
    user: User, kind: str, parameters: dict[str, Any], *, title: str, file_name: str, source: str
) -> ExportJob:
    """Record the job and hand it to a worker; without Redis, run it now (the caller shows
    its page either way). Commits. The same export of the same person still waiting or
    running is that job: a second click, or a link followed twice, queues nothing more."""
    if kind not in KINDS:
        raise KeyError(kind)
    unfinished = db.session.scalars(
        sa.select(ExportJob)
        .where(
            ExportJob.user_id == user.id,
            ExportJob.kind == kind,
            ExportJob.state.in_((JobState.QUEUED, JobState.RUNNING)),
        )
        .order_by(ExportJob.id.desc())
    )
    if same := next((job for job in unfinished if job.parameters == parameters), None):
        return same
    job = ExportJob(
        owner=user,
        kind=kind,
        parameters=parameters,
        language=ui_language_code(),
        title=title[:300],
        file_name=file_name[:300],
        source_url=source[:1000],
        state=JobState.QUEUED,
    )
    db.session.add(job)
    db.session.commit()
    client = kv.client()
    if client is None:
        perform(job.id)
        db.session.refresh(job)
        return job
    import redis
    from rq import Queue  # only a deployment with Redis loads RQ

    timeout = int(current_app.config["EXPORT_JOB_TIMEOUT_SECONDS"])
    try:
        Queue(QUEUE, connection=client).enqueue_call(
            "webapp.jobs.services.perform",
            args=(job.id,),
            timeout=timeout,
            result_ttl=0,  # the outcome is the job's row, not RQ's
            failure_ttl=7 * 24 * 3600,
            job_id=f"export-{job.id}",
            description=f"export job {job.id} ({kind})",
        )
    except redis.RedisError as error:  # the page says so, rather than wait for ever
        log.exception("export job %s could not be queued", job.id)
        _fail(job.id, _failure_message(error))
    return job


def perform(job_id: int) -> None:
    """Run a queued job (what the worker calls): in a context of its own (its own database
    session), speaking its owner's language; the file is written, or the failure recorded."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.app_context(), app.test_request_context():
        job = db.session.get(ExportJob, job_id)
        if job is None or job.state is not JobState.QUEUED:
            return  # pruned meanwhile, or already taken
        use_language(job.language)
        job.state, job.started_at = JobState.RUNNING, utcnow()
        db.session.commit()
        try:
            body = KINDS[job.kind].build(job, job.owner, Progress(job.id))
            _finish(job, body)
        except Exception as error:  # any failure is the job's, shown to its owner
            db.session.rollback()
            log.exception("export job %s (%s) failed", job_id, job.kind)
            _fail(job_id, _failure_message(error))
        prune()
        db.session.commit()


def _finish(job: ExportJob, body: bytes) -> None:
    directory = exports_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{KINDS[job.kind].extension}"
    partial = directory / f".{name}.part"
    with os.fdopen(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as out:
        out.write(body)
    path = directory / name
    os.replace(partial, path)
    filestore.written(db.session, path)  # gone again if the row is not saved
    job.stored_name, job.size = name, len(body)
    job.state, job.finished_at = JobState.DONE, utcnow()
    job.done = max(job.done, job.total or 0)
    db.session.commit()


def _fail(job_id: int, message: str) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return
    job.state, job.error, job.finished_at = JobState.FAILED, message, utcnow()
    db.session.commit()


def _failure_message(error: Exception) -> str:
    if isinstance(error, Refused):
        return str(error)
    return _(
        "The export could not be completed. Try again; if it fails again, tell the "
        "administrator (the error is in the server's log)."
    )


def prune() -> int:
    """Forget jobs older than EXPORT_JOB_KEEP_DAYS, with their files (removed when the caller
    commits); a job still unfinished long after the time allowed (its worker stopped) is marked
    failed. Returns how many were forgotten."""
    now = utcnow()
    keep = timedelta(days=int(current_app.config["EXPORT_JOB_KEEP_DAYS"]))
    old = db.session.scalars(
        sa.select(ExportJob).where(ExportJob.created_at < now - keep).order_by(ExportJob.id)
    ).all()
    for job in old:
        if (path := stored_path(job)) is not None:
            filestore.doomed(db.session, path)
        db.session.delete(job)
    # Queued jobs wait for a worker; a day without one, or a run past twice its time, is lost.
    timeout = timedelta(seconds=2 * int(current_app.config["EXPORT_JOB_TIMEOUT_SECONDS"]))
    lost = db.session.scalars(
        sa.select(ExportJob)
        .where(
            ExportJob.state.not_in(FINISHED),
            sa.or_(
                sa.and_(ExportJob.state == JobState.RUNNING, ExportJob.started_at < now - timeout),
                ExportJob.created_at < now - timedelta(days=1),
            ),
        )
        .order_by(ExportJob.id)
    ).all()
    for job in lost:  # no error of its own: its page says it was interrupted
        job.state, job.finished_at = JobState.FAILED, now
    return len(old)


def recent(user: User, limit: int = 50) -> list[ExportJob]:
    return list(
        db.session.scalars(
            sa.select(ExportJob)
            .where(ExportJob.user_id == user.id)
            .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
            .limit(limit)
        )
    )
