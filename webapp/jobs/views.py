"""A person's background exports: the list, one job's page (its progress, then its file), the
small fragment htmx polls, and the download.

Without JavaScript the page refreshes itself every few seconds while the job is unfinished
(a `<meta http-equiv="refresh">` inside `<noscript>`); with htmx only the fragment is asked
for, every two seconds, until it comes back finished.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, render_template, send_file
from flask_login import current_user, login_required

from webapp import policy
from webapp.downloads import content_disposition
from webapp.extensions import db
from webapp.filestore import cached_as, human_size
from webapp.jobs import services
from webapp.jobs.models import ExportJob, JobState
from webapp.policy import Action

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

# The page and its fragment change as the job runs: never kept by a browser or a proxy.
NO_STORE = "private, no-store"


def _load(job_id: int) -> ExportJob:
    job = db.get_or_404(ExportJob, job_id)
    policy.require(current_user, Action.JOB_VIEW, job)
    return job


def _context(job: ExportJob) -> dict:
    keep = timedelta(days=int(current_app.config["EXPORT_JOB_KEEP_DAYS"]))
    path = services.stored_path(job)
    return {
        # Gone when a backup older than the export was restored, or the folder was cleared.
        "available": path is not None and path.is_file(),
        "job": job,
        "JobState": JobState,
        "kept_until": job.created_at + keep,
        "size": human_size(job.size) if job.size else "",
    }


def _fresh(body: str) -> Response:
    response = Response(body)
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("")
@login_required
def index():
    """The signed-in person's exports of the last days, the latest first."""
    jobs = services.recent(current_user)
    return _fresh(render_template("jobs/index.html", jobs=jobs, JobState=JobState))


@bp.get("/<id:job_id>")
@login_required
def show(job_id: int):
    return _fresh(render_template("jobs/show.html", **_context(_load(job_id))))


@bp.get("/<id:job_id>/status")
@login_required
def status(job_id: int):
    """The state and progress alone (what htmx polls): no layout, a few hundred bytes."""
    return _fresh(render_template("jobs/_status.html", **_context(_load(job_id))))


@bp.get("/<id:job_id>/download")
@login_required
def download(job_id: int):
    job = _load(job_id)
    path = services.stored_path(job)
    if job.state is not JobState.DONE or path is None or not path.is_file():
        abort(404)
    kind = services.KINDS.get(job.kind)
    response = send_file(
        path, mimetype=kind.mimetype if kind else "application/octet-stream", conditional=True
    )
    response.headers["Content-Disposition"] = content_disposition(job.file_name)
    # Names of people and amounts: kept by no cache, shared or not.
    return cached_as(response, public=False)
