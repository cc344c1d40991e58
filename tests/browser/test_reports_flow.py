"""A half-year result report from the commune to the province in Chromium at 360 px, with htmx
and with JavaScript off: the commune editor fills an entry's progress and a figure and sends
the report, the district reviewer accepts it, the province sees the numbers in its
consolidated report."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from tests.browser.conftest import DEMO_YEAR, approve_demo_list, sign_in
from webapp.extensions import db
from webapp.reports.models import ProgressReport, ReportFigure, ReportState
from webapp.units.models import Unit

pytestmark = pytest.mark.browser

YEAR = DEMO_YEAR


def _approved_list(app, organization: str) -> dict:
    """The demo 2017 list of Bằng Thành of the organization, its entries approved by the
    district (the review itself is tested in test_review_flows)."""
    with app.app_context():
        registration_list = approve_demo_list(organization)
        commune, lead = registration_list.unit, registration_list.organization
        province = db.session.scalar(sa.select(Unit).where(Unit.code == "06"))
        db.session.commit()
        figures = {f.code: f.id for f in db.session.scalars(sa.select(ReportFigure))}
        return {
            "commune": commune.id,
            "province": province.id,
            "organization": lead.id,
            "name": lead.name_vi,
            "figures": figures,
        }


@pytest.mark.parametrize(
    ("javascript", "organization", "money", "figure", "count"),
    [(True, "nong_dan", "1234000", "nha_ddk_built", 7),
     (False, "phu_nu", "2468000", "ho_thoat_ngheo", 11)],
    ids=["js", "nojs"],
)  # fmt: skip
def test_commune_reports_district_accepts_province_sees_it(
    app, new_page, javascript, organization, money, figure, count
):
    data = _approved_list(app, organization)
    editor = new_page(javascript=javascript)
    sign_in(editor, "editor.pacnam", "edit-bang-thanh")
    editor.goto(f"/reports/{YEAR}/{data['commune']}")
    row = editor.locator("tr", has_text=data["name"]).filter(has_text="6 tháng đầu năm")
    row.get_by_role("button", name="Bắt đầu báo cáo").click()
    editor.wait_for_url("**/reports/*")
    report_path = urlparse(editor.url).path

    first = editor.locator("#lines > li").first
    first.get_by_role("link", name="Cập nhật tiến độ").click()
    editor.locator("#money_people").wait_for()
    editor.select_option("#status", "completed")
    editor.fill("#percent_done", "100")
    editor.fill("#money_people", money)
    editor.fill("#workdays", "40")
    editor.get_by_role("button", name="Lưu").click()
    editor.locator("#lines > li .state", has_text="Hoàn thành").first.wait_for()
    assert editor.evaluate("document.documentElement.scrollWidth") <= 360

    editor.goto(report_path)
    editor.get_by_role("link", name="Nhập các chỉ tiêu").click()
    editor.fill(f"#figure_{data['figures'][figure]}", str(count))
    editor.get_by_role("button", name="Lưu").click()
    editor.locator(".flash", has_text="Đã lưu các chỉ tiêu.").wait_for()
    editor.get_by_role("link", name="Gửi báo cáo để duyệt").click()
    editor.get_by_role("button", name="Gửi", exact=True).click()  # the confirmation
    editor.locator(".flash", has_text="nộp muộn").wait_for()  # 2017's due date has passed

    reviewer = new_page(javascript=javascript)
    sign_in(reviewer, "reviewer.pacnam", "review-pac-nam")
    reviewer.goto(report_path)
    reviewer.get_by_role("button", name="Chấp nhận báo cáo").click()
    reviewer.locator(".flash", has_text="Đã chấp nhận báo cáo.").wait_for()

    province = new_page(javascript=javascript)
    sign_in(province, "admin", "admin-bac-kan")
    province.goto(f"/reports/{YEAR}/{data['province']}")
    province.get_by_role("link", name="Báo cáo tổng hợp: 6 tháng đầu năm").click()
    province.locator("#rollup-organizations").wait_for()
    typed = f"{int(money):,}".replace(",", ".")
    organization_row = province.locator("#rollup-organizations tr", has_text=data["name"])
    assert typed in organization_row.inner_text()
    figures = province.locator("#rollup-figures").inner_text()
    name = _figure_name(app, figure)
    assert any(name in line and line.rstrip().endswith(str(count)) for line in figures.split("\n"))
    assert province.evaluate("document.documentElement.scrollWidth") <= 360
    province.get_by_role("link", name="Báo cáo nào chưa nộp hoặc nộp muộn?").click()
    province.locator("#per-organization").wait_for()
    assert data["name"] in province.locator("#per-organization").inner_text()

    with app.app_context():
        report = db.session.scalar(
            sa.select(ProgressReport).filter_by(
                unit_id=data["commune"], organization_id=data["organization"], year=YEAR
            )
        )
        assert report.state == ReportState.ACCEPTED and report.is_late


def _figure_name(app, code: str) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(ReportFigure.name_vi).filter_by(code=code))
