"""Commendation in Chromium at 360 px, with htmx and with JavaScript off: a commune editor
proposes an individual and sends it, the district reviewer approves it from the queue, and
a visitor finds it on the public page of the year."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from webapp.db import local_today
from webapp.extensions import db
from webapp.units.models import Unit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("javascript", "name"),
    [(True, "Lục Văn Quyết"), (False, "Hà Thị Nhung")],
    ids=["js", "nojs"],
)
def test_nominate_approve_and_read_it_on_the_public_page(app, new_page, javascript, name):
    with app.app_context():
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        commune_id = commune.id
        today = local_today()
        year = today.year
    editor = new_page(javascript=javascript)
    sign_in(editor, "editor.pacnam", "edit-bang-thanh")
    editor.goto(f"/commendations/nominations/{year}/{commune_id}")
    editor.get_by_role("link", name="Đề nghị khen thưởng", exact=True).click()
    editor.locator('input[name="kind"][value="individual"]').check()
    editor.locator('input[name="person_name"]').fill(name)
    editor.locator('input[name="person_role"]').fill("Trưởng bản Khuổi Ú")
    # Nothing written as the reason: refused, and what was typed is kept.
    editor.get_by_role("button", name="Lưu bản nháp").click()
    editor.locator(".errors", has_text="Hãy nêu lý do đề nghị khen thưởng.").wait_for()
    assert editor.locator('input[name="person_name"]').input_value() == name
    editor.locator('textarea[name="reason"]').fill("Vận động bà con hiến 1.200 m² đất làm đường")
    editor.get_by_role("button", name="Lưu bản nháp").click()
    editor.get_by_role("link", name="Gửi cấp trên xét duyệt").click()
    editor.get_by_role("button", name="Gửi", exact=True).click()  # the confirmation
    editor.locator(".flash", has_text="Đã gửi đề nghị lên cấp trên xét duyệt.").wait_for()

    reviewer = new_page(javascript=javascript)
    sign_in(reviewer, "reviewer.pacnam", "review-pac-nam")
    reviewer.goto("/commendations/queue")
    reviewer.get_by_role("link", name=f"Cá nhân: {name}, Trưởng bản Khuổi Ú").click()
    # A decision date in the future is refused, the typed values kept; then approved.
    tomorrow = f"{today + timedelta(days=1):%d/%m/%Y}"
    reviewer.get_by_label("Số quyết định").fill("125/QĐ-MTTQ-BTT")
    reviewer.get_by_label("Ngày quyết định").fill(tomorrow)
    reviewer.get_by_role("button", name="Phê duyệt khen thưởng").click()
    reviewer.locator(".errors", has_text="không được sau ngày hôm nay").wait_for()
    assert reviewer.get_by_label("Số quyết định").input_value() == "125/QĐ-MTTQ-BTT"
    day = f"{today:%d/%m/%Y}"
    reviewer.get_by_label("Ngày quyết định").fill(day)
    reviewer.get_by_role("button", name="Phê duyệt khen thưởng").click()
    reviewer.locator(".flash", has_text="Đã phê duyệt đề nghị khen thưởng.").wait_for()

    visitor = new_page(javascript=javascript)
    visitor.goto("/")
    visitor.get_by_role("link", name="Khen thưởng").click()
    visitor.wait_for_url(f"**/commendations/{year}")
    assert visitor.get_by_text(f"{name}, Trưởng bản Khuổi Ú").is_visible()
    assert visitor.get_by_text("Vận động bà con hiến 1.200 m² đất làm đường").first.is_visible()
    assert visitor.get_by_text(f"Quyết định số 125/QĐ-MTTQ-BTT ngày {day}").first.is_visible()
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Tải tệp Excel (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_proposer_withdraws_a_draft(app, new_page, javascript):
    with app.app_context():
        commune_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == "01858"))
        year = local_today().year
    name = f"Bản nháp rút {'js' if javascript else 'nojs'}"
    editor = new_page(javascript=javascript)
    sign_in(editor, "editor.pacnam", "edit-bang-thanh")
    editor.goto(f"/commendations/nominations/{year}/{commune_id}/new")
    editor.locator('input[name="kind"][value="individual"]').check()
    editor.locator('input[name="person_name"]').fill(name)
    editor.locator('textarea[name="reason"]').fill("Nhập nhầm")
    editor.get_by_role("button", name="Lưu bản nháp").click()
    editor.get_by_text("Rút bản nháp này…").click()
    editor.get_by_role("button", name="Rút và xóa").click()
    editor.locator(".flash", has_text="Đã rút và xóa bản nháp đề nghị khen thưởng.").wait_for()
    assert editor.get_by_text(name).count() == 0
