"""The home page as a work queue in Chromium, with JavaScript on and off: the district reviewer
finds a sent report on the home page (after reading its notification), follows the link to
the reports awaiting acceptance, accepts it, and the count on the home page goes down."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DEMO_YEAR, approve_demo_list, demo_user, sign_in
from webapp.extensions import db
from webapp.notifications.services import mark_read
from webapp.reports import services as reports
from webapp.reports.models import Period, ProgressReport, ReportState

pytestmark = pytest.mark.browser

YEAR = DEMO_YEAR
WAITING = re.compile(r"(\d+) báo cáo chờ bạn chấp nhận")


def _sent_report(app, organization: str) -> int:
    """The demo 2017 list of Bằng Thành of the organization approved, and its half-year report
    sent by the commune; the reviewer has read the notification about it."""
    with app.app_context():
        registration_list = approve_demo_list(organization)
        editor, reviewer = demo_user("editor.pacnam"), demo_user("reviewer.pacnam")
        commune, lead = registration_list.unit, registration_list.organization
        report = reports.start_report(editor, commune, lead, YEAR, Period.HALF_YEAR)
        reports.submit_report(editor, report)
        mark_read(reviewer)
        db.session.commit()
        return report.id


def _waiting(page) -> int:
    found = WAITING.search(page.locator(".home-queue").inner_text())
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize(
    ("javascript", "organization"), [(True, "nong_dan"), (False, "phu_nu")], ids=["js", "nojs"]
)
def test_reviewer_follows_the_home_queue_to_a_report_and_accepts_it(
    app, new_page, javascript, organization
):
    report_id = _sent_report(app, organization)
    page = new_page(javascript=javascript)
    sign_in(page, "reviewer.pacnam", "review-pac-nam")
    before = _waiting(page)
    assert before >= 1

    page.locator(".home-queue").get_by_role("link", name=WAITING).click()
    page.wait_for_url("**/reports/queue")
    page.locator(f'a[href="/reports/{report_id}"]').click()
    page.wait_for_url(f"**/reports/{report_id}")
    page.get_by_role("button", name="Chấp nhận báo cáo").click()
    page.locator(".flash", has_text="Đã chấp nhận báo cáo.").wait_for()

    page.goto("/")
    assert _waiting(page) == before - 1
    with app.app_context():
        assert db.session.get(ProgressReport, report_id).state == ReportState.ACCEPTED
