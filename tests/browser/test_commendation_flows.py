"""Commendation in Chromium at 360 px, with htmx and with JavaScript off: a commune editor
proposes an individual and sends it, the district reviewer approves it from the queue, and
a visitor finds it on the public page of the year."""

from __future__ import annotations

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
        year = local_today().year
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
    editor.get_by_role("button", name="Gửi cấp trên xét duyệt").click()
    editor.locator(".flash", has_text="Đã gửi đề nghị lên cấp trên xét duyệt.").wait_for()

    reviewer = new_page(javascript=javascript)
    sign_in(reviewer, "reviewer.pacnam", "review-pac-nam")
    reviewer.goto("/commendations/queue")
    reviewer.get_by_role("link", name=f"Cá nhân: {name}, Trưởng bản Khuổi Ú").click()
    reviewer.get_by_role("button", name="Phê duyệt khen thưởng").click()
    reviewer.locator(".flash", has_text="Đã phê duyệt đề nghị khen thưởng.").wait_for()

    visitor = new_page(javascript=javascript)
    visitor.goto("/")
    visitor.get_by_role("link", name="Khen thưởng").click()
    visitor.wait_for_url(f"**/commendations/{year}")
    assert visitor.get_by_text(f"{name}, Trưởng bản Khuổi Ú").is_visible()
    assert visitor.get_by_text("Vận động bà con hiến 1.200 m² đất làm đường").first.is_visible()
