"""The office pages in Chromium at 360 px, with htmx and with JavaScript off: changing one's
password, comparing years, the organization rules and the aggregated list of a district, the
official form, evaluations, editing a nomination, a list's and an entry's history, and reading
a notification. Each account signs in once for the module (`signed_in`); the demo data is
shared by the tests, so each works on its own commune, list or entry."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import DEMO_YEAR, demo_user, sign_in
from webapp.auth.models import User
from webapp.campaign.models import MemberOrganization
from webapp.commendations import services as commendations
from webapp.commendations.models import Evaluation, Nomination, NominationState, Rating
from webapp.extensions import db
from webapp.notifications.models import Notification, NotificationKind
from webapp.registrations import services as registrations
from webapp.registrations.models import Entry, EntryState, ListState, RegistrationList
from webapp.review import services as review
from webapp.units.models import Unit

pytestmark = pytest.mark.browser

both = pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
COMMUNE = "01858"  # Xã Bằng Thành
DISTRICT = "060"  # Huyện Pác Nặm


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _demo_list(code: str, organization: str) -> RegistrationList:
    """The demo 2017 list of the unit and organization."""
    lead = db.session.scalar(sa.select(MemberOrganization).filter_by(code=organization))
    return db.session.scalar(
        sa.select(RegistrationList).filter_by(
            unit_id=_unit(code).id, organization_id=lead.id, year=DEMO_YEAR
        )
    )


def _edit_scale(entry: Entry, scale: str) -> None:
    """The demo editor changes the entry's scale (editing is tested in test_review_flows)."""
    names = ("kind", "name", "content", "location", "lead_organization", "model_type",
             "description", "starts_on", "ends_on", "budget_people", "budget_state",
             "budget_other", "notes")  # fmt: skip
    values = registrations.EntryValues(
        **{name: getattr(entry, name) for name in names}, partners=list(entry.partners)
    )
    values.scale = scale
    registrations.update_entry(demo_user("editor.pacnam"), entry, entry.version, values)


@both
def test_an_account_changes_its_password(app, new_page, javascript):
    username = f"doi.matkhau.{'js' if javascript else 'nojs'}"
    old, new = "mat-khau-cu-2017", "mat-khau-moi-2018"
    with app.app_context():
        user = User(username=username, full_name="Lò Văn Đổi", home_unit=_unit(COMMUNE))
        user.set_password(old)
        db.session.add(user)
        db.session.commit()
        user_id, sessions = user.id, user.session_version
    page = new_page(javascript=javascript)
    sign_in(page, username, old)
    page.locator("header .who").get_by_role("link", name="Mật khẩu").click()
    page.get_by_label("Mật khẩu hiện tại").fill(old)
    page.get_by_label("Mật khẩu mới", exact=True).fill(new)
    page.get_by_label("Nhập lại mật khẩu mới").fill(new)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    page.locator(".flash", has_text="Đã đổi mật khẩu.").wait_for()
    page.get_by_role("button", name="Đăng xuất").click()
    page.locator(".flash", has_text="Bạn đã đăng xuất.").wait_for()
    # The old password no longer opens the account; the new one does.
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", old)
    page.click("main button[type=submit]")
    page.get_by_role("alert").filter(has_text="Tên đăng nhập hoặc mật khẩu không đúng").wait_for()
    assert page.url.endswith("/login")
    sign_in(page, username, new)
    assert "Lò Văn Đổi" in page.locator("header").inner_text()
    with app.app_context():
        saved = db.session.get(User, user_id)
        assert saved.check_password(new) and not saved.check_password(old)
        assert saved.session_version > sessions  # the sessions of the old password ended


@both
def test_compare_with_the_year_before(app, new_page, signed_in, javascript):
    with app.app_context():
        commune = _unit(COMMUNE)
        entries = db.session.scalars(
            sa.select(Entry.state)
            .join(RegistrationList)
            .where(RegistrationList.unit_id == commune.id, RegistrationList.year == DEMO_YEAR)
        ).all()
    page = new_page(javascript=javascript, storage_state=signed_in("editor"))
    page.goto(f"/registrations/{DEMO_YEAR + 1}/{commune.id}")
    page.get_by_role("link", name="So sánh với năm trước").click()
    page.wait_for_url(f"**/registrations/compare?earlier={DEMO_YEAR}&later={DEMO_YEAR + 1}")
    assert page.locator("h1").inner_text() == "So sánh các năm"
    row = page.locator("table.list tbody tr", has_text="Bằng Thành")
    cells = row.locator("td").all_inner_texts()
    approved = sum(state == EntryState.APPROVED for state in entries)
    # 2017: the demo season's entries of the commune (4 + 3 + 3 sent, 3 in a draft: every
    # entry of its lists counts as registered); nothing registered yet in 2018.
    assert len(entries) == 13
    assert cells[1:] == [f"{len(entries)} / {approved}", "0 / 0"]


@both
def test_organization_rules_of_the_district(app, new_page, signed_in, javascript):
    """Counted by hand from webapp/seed/data/demo_season_2017.yaml, where every list is sent
    or a draft and nothing is approved yet. Rules: 1 Women's Union model, 2 Youth Union
    environment, 3–4 Veterans' poverty and security models, 5 the Elderly, 6 learning
    community, 7 cooperative (new-rural communes only: none of Pác Nặm's in 2017).
    Bằng Thành: its Women's Union sent a "3 sạch" and a "happy family" model (rule 1); its Youth
    Union's environment model is in a draft. Nhạn Môn: the district Women's Union's "happy
    family" club there (rule 1), its Veterans' two models (rules 3 and 4)."""
    with app.app_context():
        district_id = _unit(DISTRICT).id
    page = new_page(javascript=javascript, storage_state=signed_in("reviewer"), width=1280)

    def rows() -> dict[str, list[str]]:
        shown = {}
        for name in ("Bằng Thành", "Nhạn Môn"):
            row = page.locator("table.matrix tbody tr", has_text=name)
            shown[name] = [" ".join(t.split()) for t in row.locator("td").all_inner_texts()]
        return shown

    # Approved entries only (the default): nothing is met anywhere yet.
    page.goto(f"/coverage/{DEMO_YEAR}/{district_id}/organizations")
    assert rows() == {name: ["✗ 0"] * 6 + ["–"] for name in ("Bằng Thành", "Nhạn Môn")}
    # With the entries awaiting review: approved + awaiting, and met on them.
    page.goto(f"/coverage/{DEMO_YEAR}/{district_id}/organizations?submitted=1")
    assert rows() == {
        "Bằng Thành": ["✓ 0+2", "✗ 0", "✗ 0", "✗ 0", "✗ 0", "✗ 0", "–"],
        "Nhạn Môn": ["✓ 0+1", "✗ 0", "✓ 0+1", "✓ 0+1", "✗ 0", "✗ 0", "–"],
    }
    # Communes meeting each rule, of the district's ten: rule 1 also in Cổ Linh (the
    # district's "3 sạch" there), rule 2 in Bộc Bố (its Youth Union's environment model).
    footer = page.locator("table.matrix tfoot td").all_inner_texts()
    assert footer == ["3/10", "1/10", "1/10", "1/10", "0/10", "0/10", "0/0"]
    with app.app_context():
        women = _demo_list(COMMUNE, "phu_nu")
        assert women.state == ListState.SUBMITTED
        assert sorted(e.model_type.code for e in women.entries if e.model_type) == [
            "ba_sach",
            "gia_dinh_hanh_phuc",
        ]


@both
def test_aggregated_list_and_its_print_view(app, new_page, signed_in, javascript):
    with app.app_context():
        district = _unit(DISTRICT)
        women = _demo_list(COMMUNE, "phu_nu")
        names = [e.name for e in women.entries]
        assert {e.state for e in women.entries} == {EntryState.SUBMITTED}
    page = new_page(javascript=javascript, storage_state=signed_in("reviewer"), width=1280)
    page.goto(f"/coverage/{DEMO_YEAR}/{district.id}/summary?submitted=1")
    assert page.locator("h1").inner_text().startswith(f"Tổng hợp đăng ký năm {DEMO_YEAR}")
    sums = page.locator("table.sums").first
    assert sums.locator("tr.org", has_text="Hội Liên hiệp Phụ nữ").count() == 1
    assert page.locator("table.entries-print").count() == 0  # the totals only
    page.get_by_role("link", name="Bản in (kèm danh sách các mục)").click()
    page.wait_for_url("**print=1**")
    printed = page.locator("table.entries-print")
    for name in names:
        line = printed.locator("tr", has_text=name)
        assert line.count() == 1
        assert "Bằng Thành" in line.inner_text() and "Đã gửi" in line.inner_text()
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.get_by_role("navigation", name="Menu chính").is_visible()
    assert printed.is_visible()


@both
def test_official_form_of_a_submitted_list(app, new_page, signed_in, javascript):
    with app.app_context():
        women = _demo_list(COMMUNE, "phu_nu")
        list_id, names = women.id, [e.name for e in women.entries]
        assert women.state == ListState.SUBMITTED
        assert (women.signer_title, women.signer_name) == (
            "Chủ tịch Hội Liên hiệp Phụ nữ xã Bằng Thành",
            "Nông Thị Hoa",
        )
    page = new_page(javascript=javascript, storage_state=signed_in("editor"))
    page.goto(f"/registrations/lists/{list_id}/print")
    sheet = page.locator("main.sheet")
    assert sheet.locator("h1").inner_text() == "DANH SÁCH"
    rows = sheet.locator("tbody tr:not(.total)")
    assert rows.count() == len(names) == 3
    for row, name in zip(rows.all(), names, strict=True):
        assert name in row.inner_text()
    text = sheet.inner_text()
    assert "Nông Thị Hoa" in text and "CHỦ TỊCH HỘI LIÊN HIỆP PHỤ NỮ" in text.upper()
    assert page.locator("header.site").count() == 0  # the sheet only, no site menu


@both
def test_reviewer_evaluates_a_commune(app, new_page, signed_in, javascript):
    code = COMMUNE if javascript else "01861"
    remarks = f"Vận động tốt nhân dân hiến đất ({code})"
    with app.app_context():
        district, commune = _unit(DISTRICT), _unit(code)
    page = new_page(javascript=javascript, storage_state=signed_in("reviewer"))
    page.goto(f"/commendations/evaluations/{DEMO_YEAR}/{district.id}")
    row = page.locator("tbody tr", has_text=commune.name)
    assert "Chưa đánh giá" in row.inner_text()
    row.get_by_role("link", name="Đánh giá").click()
    page.get_by_label("Hoàn thành tốt nhiệm vụ").check()
    page.get_by_label("Nhận xét").fill(remarks)
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.locator(".flash", has_text="Đã lưu đánh giá.").wait_for()
    # Back on the commune's own evaluations: its Front committee's row shows the rating.
    assert page.url.endswith(f"/commendations/evaluations/{DEMO_YEAR}/{commune.id}")
    row = page.locator("tbody tr", has_text="Ban Thường trực Ủy ban MTTQ")
    assert "Hoàn thành tốt nhiệm vụ" in row.inner_text() and remarks in row.inner_text()
    with app.app_context():
        saved = db.session.scalar(
            sa.select(Evaluation).filter_by(
                year=DEMO_YEAR, unit_id=commune.id, organization_id=None
            )
        )
        assert (saved.rating, saved.remarks) == (Rating.GOOD, remarks)
        assert saved.evaluated_by.username == "reviewer.pacnam"


@both
def test_editor_edits_a_draft_nomination(app, new_page, signed_in, javascript):
    name = f"Sửa đề nghị {'js' if javascript else 'nojs'}"
    with app.app_context():
        nomination = commendations.create_nomination(
            demo_user("editor.pacnam"), _unit(COMMUNE), DEMO_YEAR,
            commendations.NomineeValues(kind="individual", person_name=name,
                                        person_role="Trưởng bản", reason="Hiến đất"),
        )  # fmt: skip
        db.session.commit()
        nomination_id, version = nomination.id, nomination.version
    page = new_page(javascript=javascript, storage_state=signed_in("editor"))
    page.goto(f"/commendations/nominations/{nomination_id}/edit")
    assert page.locator('input[name="person_name"]').input_value() == name
    page.locator('input[name="person_role"]').fill("Trưởng bản Khuổi Ú")
    page.locator('textarea[name="reason"]').fill("Hiến 800 m² đất làm đường bê tông")
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.locator(".flash", has_text="Đã lưu đề nghị khen thưởng.").wait_for()
    assert page.get_by_text("Hiến 800 m² đất làm đường bê tông").first.is_visible()
    with app.app_context():
        saved = db.session.get(Nomination, nomination_id)
        assert saved.person_role == "Trưởng bản Khuổi Ú"
        assert saved.reason == "Hiến 800 m² đất làm đường bê tông"
        assert saved.state == NominationState.DRAFT and saved.version > version


@both
def test_history_lists_a_return_and_an_edit(app, new_page, signed_in, javascript):
    """The district returns an entry and the editor changes it (both tested in
    test_review_flows): the list's history shows the return, the entry's the edit."""
    organization = "mttq" if javascript else "nong_dan"
    reason = f"Ghi rõ số hộ tham gia ({organization})"
    with app.app_context():
        registration_list = _demo_list("01861", organization)
        entry = registration_list.entries[0]
        review.return_entry(demo_user("reviewer.pacnam"), entry, entry.version, reason)
        _edit_scale(entry, f"{entry.scale}, 40 hộ")
        db.session.commit()
        list_id, entry_id, name = registration_list.id, entry.id, entry.name
    page = new_page(javascript=javascript, storage_state=signed_in("editor"))
    page.goto(f"/history/lists/{list_id}")
    returned = page.locator(".timeline li", has_text="đã trả lại")
    assert returned.count() == 1
    assert name in returned.inner_text() and reason in returned.inner_text()
    assert returned.locator("strong").inner_text() == "Cán bộ duyệt huyện Pác Nặm"  # who
    page.goto(f"/history/entries/{entry_id}")
    assert page.locator("h1").inner_text() == f"Lịch sử: {name}"
    edited = page.locator(".timeline li", has_text="đã sửa mục")
    assert edited.count() == 1 and "Quy mô" in edited.inner_text()
    with app.app_context():
        assert db.session.get(Entry, entry_id).state == EntryState.RETURNED


@both
def test_editor_reads_the_notification_of_a_returned_entry(app, new_page, signed_in, javascript):
    organization = "mttq" if javascript else "nong_dan"
    with app.app_context():
        entry = _demo_list(COMMUNE, organization).entries[-1]
        review.return_entry(demo_user("reviewer.pacnam"), entry, entry.version, "Bổ sung")
        db.session.commit()
        entry_id, list_id, name = entry.id, entry.list_id, entry.name
    page = new_page(javascript=javascript, storage_state=signed_in("editor"))
    page.goto("/notifications")
    item = page.locator("li.unread", has_text=name)
    assert "Một mục bị trả lại" in item.inner_text() and "mới" in item.inner_text()
    item.get_by_role("button").click()  # opening it is a POST that marks it read
    page.wait_for_url(f"**/registrations/lists/{list_id}**")
    page.locator(f"#entry-{entry_id}").wait_for()
    page.goto("/notifications")
    assert page.locator("li.unread", has_text=name).count() == 0
    assert page.locator("li a", has_text=name).count() == 1
    with app.app_context():
        notification = db.session.scalar(
            sa.select(Notification).filter_by(entry_id=entry_id, kind=NotificationKind.RETURNED)
        )
        assert notification.user_id == demo_user("editor.pacnam").id
        assert notification.read_at is not None
