"""Background exports (webapp/jobs): a large scope's spreadsheet becomes a job, a real RQ worker
runs it (in this process, burst mode) and records its progress, its page follows it with and
without JavaScript, and its file downloads as the same workbook a direct download gives. Without
Redis the request runs the job itself. Only its owner (and the admins above them) see it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests import factories
from tests.test_coverage_summary import make_sums, sheet_rows, this_year, url
from webapp.auth.models import Role, RoleAssignment
from webapp.db import utcnow
from webapp.extensions import db
from webapp.jobs import services
from webapp.jobs.models import ExportJob, JobState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPROVED_NAMES = sorted(["PN một", "PN hai", "ND thôn", "ND Cao Sơn"])
REFRESH = '<noscript><meta http-equiv="refresh" content="3"></noscript>'


@pytest.fixture
def sums(db, campaign, tree):
    return make_sums(tree, this_year())


@pytest.fixture
def large(app, redis_app, monkeypatch):
    """Every scope of two communes or more is large (the tree's province has three)."""
    for each in (app, redis_app):
        monkeypatch.setitem(each.config, "EXPORT_JOB_MIN_COMMUNES", 2)


def _jobs() -> list[ExportJob]:
    db.session.expire_all()  # written by the worker's or the request's own session
    return list(db.session.scalars(sa.select(ExportJob).order_by(ExportJob.id)))


def _job_id(response) -> int:
    assert response.status_code == 303, response.status_code
    return int(re.fullmatch(r".*/jobs/(\d+)", response.headers["Location"]).group(1))


def _work(redis_app, store) -> None:
    """A real RQ worker on the app's queue, in this process, until the queue is empty."""
    from rq import Queue, SimpleWorker

    with redis_app.app_context():
        SimpleWorker([Queue(services.QUEUE, connection=store)], connection=store).work(burst=True)


def _entry_names(data: bytes) -> list[str]:
    _totals, entries = load_workbook(io.BytesIO(data)).worksheets
    return sorted(line[4] for line in sheet_rows(entries))


def test_a_small_scope_still_downloads_at_once(sums, large, login_as):
    client, _ = login_as(Role.VIEWER, sums.c1)  # one commune: below the threshold
    response = client.get(url("export_summary", sums.c1))
    assert response.status_code == 200 and response.mimetype == XLSX
    assert _entry_names(response.data) == ["PN hai", "PN một"]
    assert _jobs() == []


def test_a_large_scope_is_queued_and_a_worker_runs_it(
    sums, large, login_as, redis_app, redis_store
):
    client, viewer = login_as(Role.VIEWER, sums.province, client=redis_app.test_client())
    job_id = _job_id(client.get(url("export_summary", sums.province)))
    # Asked again while it waits (a second click): the same job, nothing more queued.
    assert _job_id(client.get(url("export_summary", sums.province))) == job_id
    [job] = _jobs()
    assert (job.id, job.state, job.user_id, job.kind) == (
        job_id, JobState.QUEUED, viewer.id, "coverage.summary"
    )  # fmt: skip
    assert job.parameters["unit_id"] == sums.province.id and job.language == "vi"

    # Queued: the page refreshes itself without JavaScript, htmx polls the small fragment.
    page = client.get(f"/jobs/{job_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and REFRESH in html
    assert 'hx-trigger="every 2s"' in html and "<progress" in html
    assert page.headers["Cache-Control"] == "private, no-store"
    fragment = client.get(f"/jobs/{job_id}/status", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and len(fragment.data) <= 5 * 1024
    assert 'hx-trigger="every 2s"' in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert client.get(f"/jobs/{job_id}/download").status_code == 404  # not ready yet

    _work(redis_app, redis_store)

    [job] = _jobs()
    assert job.state is JobState.DONE and job.error is None
    assert (job.done, job.total) == (4, 4)  # the progress recorded: every approved entry
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert services.stored_path(job).is_file()
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "http-equiv" not in html and "hx-trigger" not in html  # finished: no more polling
    assert f"/jobs/{job_id}/download" in html and "Tải về" in html
    fragment = client.get(f"/jobs/{job_id}/status").get_data(as_text=True)
    assert "hx-trigger" not in fragment and f"/jobs/{job_id}/download" in fragment

    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200 and download.mimetype == XLSX
    assert "no-store" in download.headers["Cache-Control"]
    assert "attachment" in download.headers["Content-Disposition"]
    assert _entry_names(download.data) == APPROVED_NAMES
    totals, _entries = load_workbook(io.BytesIO(download.data)).worksheets
    assert sheet_rows(totals)[-1][2:] == (4, 6_200_000, 4_300_000, 1_150_000, 11_650_000)
    download.close()
    assert f"/jobs/{job_id}" in client.get("/jobs").get_data(as_text=True)


def test_the_worker_command_runs_the_queued_job_in_a_child_process(
    sums, large, login_as, app, redis_app, redis_store, database_url, redis_url
):
    """`flask jobs worker --burst` as production starts it: a process of its own whose work
    horse (forked per job) opens its own database connections."""
    client, _ = login_as(Role.VIEWER, sums.province, client=redis_app.test_client())
    job_id = _job_id(client.get(url("export_summary", sums.province)))
    env = dict(
        os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY="test-secret",
        WEBAPP_ATTACHMENTS_DIR=app.config["ATTACHMENTS_DIR"],
    )  # fmt: skip
    worker = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "jobs", "worker", "--burst"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr
    [job] = _jobs()
    assert (job.id, job.state, job.done, job.total) == (job_id, JobState.DONE, 4, 4), job.error
    download = client.get(f"/jobs/{job_id}/download")
    assert _entry_names(download.data) == APPROVED_NAMES
    download.close()


def test_without_redis_the_request_runs_the_job_and_shows_its_page(sums, large, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    job_id = _job_id(client.get(url("export_summary", sums.province, submitted="1")))
    [job] = _jobs()
    assert job.state is JobState.DONE and (job.done, job.total) == (6, 6)
    page = client.get(f"/jobs/{job_id}")
    assert REFRESH not in page.get_data(as_text=True)
    download = client.get(f"/jobs/{job_id}/download")
    names = _entry_names(download.data)
    download.close()
    assert "PN gửi" in names and "ND nháp" not in names and len(names) == 6
    services.stored_path(job).unlink()  # a restored backup holds no export files
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f"/jobs/{job_id}/download" not in html and "Xuất lại" in html
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_the_gap_list_as_a_job_is_the_direct_download(sums, large, login_as, app, monkeypatch):
    client, _ = login_as(Role.REVIEWER, sums.province)
    job_id = _job_id(client.get(url("export_gaps", sums.province)))
    from_job = client.get(f"/jobs/{job_id}/download")
    monkeypatch.setitem(app.config, "EXPORT_JOB_MIN_COMMUNES", 500)
    direct = client.get(url("export_gaps", sums.province))
    assert direct.status_code == 200

    def rows(data):
        return [list(ws.iter_rows(values_only=True)) for ws in load_workbook(io.BytesIO(data))]

    assert rows(from_job.data) == rows(direct.data) and len(rows(direct.data)[0]) > 3
    [job] = _jobs()
    assert job.total == job.done == sum(len(sheet) - 3 for sheet in rows(direct.data))
    from_job.close()


def test_a_job_that_fails_says_why_in_its_owners_language(
    sums, large, login_as, redis_app, redis_store
):
    client, viewer = login_as(Role.VIEWER, sums.province, client=redis_app.test_client())
    job_id = _job_id(client.get(url("export_summary", sums.province)))
    # Between the asking and the running, the viewer loses the role.
    db.session.execute(sa.delete(RoleAssignment).where(RoleAssignment.user_id == viewer.id))
    db.session.commit()
    _work(redis_app, redis_store)
    [job] = _jobs()
    assert job.state is JobState.FAILED and job.stored_name is None
    assert job.error == "Bạn không còn được xem mức độ bao phủ mà tệp xuất này được yêu cầu."
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert job.error in html and "http-equiv" not in html
    assert f'href="{url("export_summary", sums.province)}"' in html  # try again
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_only_the_owner_and_the_admins_above_see_a_job(sums, large, login_as, app):
    client, _ = login_as(Role.VIEWER, sums.d1)
    job_id = _job_id(client.get(url("export_summary", sums.d1)))
    paths = [f"/jobs/{job_id}", f"/jobs/{job_id}/status", f"/jobs/{job_id}/download"]
    for role, unit in [(Role.VIEWER, sums.d1), (Role.ADMIN, sums.d2), (Role.EDITOR, sums.c1)]:
        other, _ = login_as(role, unit)
        assert [other.get(path).status_code for path in paths] == [403] * 3
        assert f"/jobs/{job_id}" not in other.get("/jobs").get_data(as_text=True)
    admin, _ = login_as(Role.ADMIN, sums.province)  # could reset the owner's password
    assert [admin.get(path).status_code for path in paths[:2]] == [200] * 2
    assert app.test_client().get(paths[0]).status_code in (302, 303)  # sign in first


def test_old_jobs_are_pruned_with_their_files(sums, large, login_as, app):
    client, _ = login_as(Role.VIEWER, sums.province)
    job_id = _job_id(client.get(url("export_summary", sums.province)))
    job = db.session.get(ExportJob, job_id)
    path = services.stored_path(job)
    assert path.is_file()
    job.created_at = utcnow() - timedelta(days=8)
    stuck = ExportJob(
        owner=job.owner, kind=job.kind, parameters={}, language="vi", title="t",
        file_name="t.xlsx", source_url="/", state=JobState.RUNNING,
        started_at=utcnow() - timedelta(hours=1),
    )  # fmt: skip
    db.session.add(stuck)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["jobs", "prune"])
    assert result.exit_code == 0, result.output
    assert not path.exists()
    [left] = _jobs()
    assert left.id == stuck.id and left.state is JobState.FAILED  # its worker was lost
    html = client.get(f"/jobs/{stuck.id}").get_data(as_text=True)
    assert "bị gián đoạn" in html


def test_the_worker_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output


def test_a_job_kind_is_registered_once(app):
    with pytest.raises(ValueError, match="already registered"):
        services.register("coverage.summary", factories.make_user)
