"""A background export in Chromium, with JavaScript on and off: the district reviewer asks for
the gap list's spreadsheet of a scope large enough to be a job, lands on the job's page and
downloads the file; and a job still waiting for a worker is followed on its page until its
download appears, by htmx polling the fragment (JavaScript on) or by the page refreshing itself
(off). The served app has no Redis: a job is run by the request, or here by the test."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from webapp.auth.models import User
from webapp.extensions import db
from webapp.jobs import services as jobs
from webapp.jobs.models import ExportJob, JobState
from webapp.units.models import Unit

pytestmark = pytest.mark.browser

YEAR = 2017


@pytest.fixture
def district(app, seeded) -> tuple[int, int]:
    """Pác Nặm's id and its reviewer's; every scope of two communes or more is a job."""
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "060"))
        reviewer = db.session.scalar(sa.select(User).filter_by(username="reviewer.pacnam"))
        found = unit.id, reviewer.id
        db.session.remove()
    old = app.config["EXPORT_JOB_MIN_COMMUNES"]
    app.config["EXPORT_JOB_MIN_COMMUNES"] = 2
    yield found
    app.config["EXPORT_JOB_MIN_COMMUNES"] = old


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_large_export_leads_to_its_page_and_downloads(new_page, district, javascript):
    district_id, _reviewer = district
    page = new_page(javascript=javascript)
    sign_in(page, "reviewer.pacnam", "review-pac-nam")
    page.goto(f"/coverage/{YEAR}/{district_id}/gaps")
    # A large scope: the link leads to the export's page, it is not a download itself.
    link = page.get_by_role("link", name="Chuẩn bị tệp Excel (.xlsx)")
    assert link.get_attribute("download") is None
    link.click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    assert "Đã xong" in page.locator("#job-status").inner_text()
    with page.expect_download() as download_info:
        page.locator("#job-status a[download]").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"Còn thiếu {YEAR} - ")
    workbook = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    rows = [r for r in workbook.worksheets[0].iter_rows(min_row=4, values_only=True) if any(r)]
    assert len(rows) > 0
    page.goto("/jobs")
    assert page.locator("main li a[href*='/jobs/']").count() >= 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_waiting_export_is_followed_until_it_is_ready(app, new_page, district, javascript):
    district_id, reviewer_id = district
    with app.app_context():
        job = ExportJob(
            owner=db.session.get(User, reviewer_id), kind="coverage.gaps", language="vi",
            parameters={"unit_id": district_id, "year": YEAR, "submitted": False},
            title="Còn thiếu (đang chờ)", file_name="Còn thiếu.xlsx",
            source_url=f"/coverage/{YEAR}/{district_id}/gaps.xlsx",
        )  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        db.session.remove()
    page = new_page(javascript=javascript)
    sign_in(page, "reviewer.pacnam", "review-pac-nam")
    page.goto(f"/jobs/{job_id}")
    status = page.locator("#job-status")
    assert "Đang chờ đến lượt" in status.inner_text()
    assert status.locator("a[download]").count() == 0
    if javascript:
        page.evaluate("window.stayed = true")  # gone if the page itself were loaded again
    with app.app_context():
        jobs.perform(job_id)  # what the worker does
        assert db.session.get(ExportJob, job_id).state is JobState.DONE
    # htmx asks for the fragment every 2 s; without JavaScript the page reloads every 3 s.
    page.locator("#job-status a[download]").wait_for(timeout=10_000)
    assert page.url.endswith(f"/jobs/{job_id}")
    assert "Đã xong" in page.locator("#job-status").inner_text()
    if javascript:
        assert page.evaluate("window.stayed === true")  # the fragment was swapped in
