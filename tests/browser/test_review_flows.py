"""The review loop in Chromium at 360 px, with htmx and with JavaScript off: the editor
submits, the reviewer returns one entry and approves another, the editor fixes and
resubmits, the reviewer sees what changed and approves."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from webapp.auth.models import User
from webapp.campaign.models import Content, MemberOrganization
from webapp.db import local_today
from webapp.extensions import db
from webapp.registrations import services
from webapp.registrations.models import EntryState, ListState, RegistrationList
from webapp.units.models import Unit

pytestmark = pytest.mark.browser


def _draft_list(app, organization: str) -> tuple[int, int, int]:
    """A draft list of Bằng Thành for next year with two entries, by the demo editor."""
    with app.app_context():
        editor = db.session.scalar(sa.select(User).filter_by(username="editor.pacnam"))
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        lead = db.session.scalar(sa.select(MemberOrganization).filter_by(code=organization))
        year = local_today().year + 1
        registration_list = services.start_list(editor, commune, lead, year)
        for number, name in ((1, "Đường bê tông bản Khuổi Ú"), (4, "Tổ an ninh tự quản")):
            services.add_entry(
                editor,
                registration_list,
                services.EntryValues(
                    kind="cong_trinh",
                    name=name,
                    content=db.session.scalar(sa.select(Content).filter_by(number=number)),
                    location=commune,
                    lead_organization=lead,
                    scale="800 m",
                ),
            )
        db.session.commit()
        first, second = (e.id for e in registration_list.entries)
        return registration_list.id, first, second


@pytest.mark.parametrize(
    ("javascript", "organization"),
    [(True, "nguoi_cao_tuoi"), (False, "khuyen_hoc")],
    ids=["js", "nojs"],
)
def test_submit_return_fix_resubmit_approve(app, new_page, javascript, organization):
    list_id, road, team = _draft_list(app, organization)
    list_path = f"/registrations/lists/{list_id}"
    editor = new_page(javascript=javascript)
    sign_in(editor, "editor.pacnam", "edit-bang-thanh")
    editor.goto(list_path)
    editor.click("text=Gửi danh sách để duyệt")
    editor.get_by_role("button", name="Gửi", exact=True).click()  # the confirmation
    editor.locator(".flash", has_text="Danh sách đã được gửi để duyệt.").wait_for()

    reviewer = new_page(javascript=javascript)
    sign_in(reviewer, "reviewer.pacnam", "review-pac-nam")
    reviewer.goto("/review")
    reviewer.locator(f'a[href="{list_path}"]').click()
    reviewer.wait_for_url(f"**{list_path}")
    if javascript:
        reviewer.evaluate("window.notReloaded = true")
    approve_all = reviewer.get_by_role("button", name="Duyệt tất cả các mục đang chờ")
    assert approve_all.count() == 1
    road_row = reviewer.locator(f"#entry-{road}")
    road_row.locator("summary", has_text="Trả lại").click()
    road_row.locator("textarea").fill("Ghi rõ chiều rộng mặt đường")
    road_row.get_by_role("button", name="Trả lại cho người nhập").click()
    road_row.locator(".state", has_text="Bị trả lại").wait_for()
    team_row = reviewer.locator(f"#entry-{team}")
    team_row.get_by_role("button", name="Duyệt").click()
    team_row.locator(".state", has_text="Đã duyệt").wait_for()
    # Nothing awaits a decision any more: "approve all" went with the last decision.
    assert approve_all.count() == 0
    if javascript:
        assert reviewer.evaluate("window.notReloaded") is True

    editor.goto("/")
    editor.locator(".attention", has_text="1 mục bị trả lại cho bạn").wait_for()
    editor.goto(list_path)
    assert "Ghi rõ chiều rộng mặt đường" in editor.locator(f"#entry-{road}").inner_text()
    editor.locator(f"#entry-{road}").get_by_role("link", name="Sửa").click()
    editor.locator("#scale").wait_for()
    editor.fill("#scale", "800 m, rộng 3 m")
    editor.get_by_role("button", name="Lưu").click()
    editor.locator(f"#entry-{road} .meta", has_text="rộng 3 m").wait_for()
    editor.click("text=Gửi danh sách để duyệt")
    editor.get_by_role("button", name="Gửi", exact=True).click()  # the confirmation
    editor.locator(".flash", has_text="Danh sách đã được gửi để duyệt.").wait_for()

    reviewer.goto(list_path)
    changes = reviewer.locator(f"#entry-{road} table.changes")
    assert "800 m, rộng 3 m" in changes.inner_text() and "Quy mô" in changes.inner_text()
    reviewer.locator(f"#entry-{road}").get_by_role("button", name="Duyệt").click()
    reviewer.locator(f"#entry-{road} .state", has_text="Đã duyệt").wait_for()
    reviewer.locator("#list-summary .state-approved", has_text="Đã duyệt").wait_for()
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= 360

    with app.app_context():
        saved = db.session.get(RegistrationList, list_id)
        assert saved.state == ListState.APPROVED
        assert {e.state for e in saved.entries} == {EntryState.APPROVED}
        assert saved.entries[0].scale == "800 m, rộng 3 m"
