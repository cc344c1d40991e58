"""An editor registers two entries and submits the list, in Chromium at 360 px: with htmx
(rows swapped in place, no reload) and with JavaScript off (plain forms and redirects)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from tests.live import NetworkMeter
from webapp.campaign.models import MemberOrganization
from webapp.db import local_today
from webapp.extensions import db
from webapp.registrations.models import EntryState, ListState, RegistrationList
from webapp.units.models import Unit

pytestmark = pytest.mark.browser

FRAGMENT_BUDGET = 5 * 1024

ENTRIES = [
    {
        "kind": "cong_trinh",
        "name": "Đường bê tông thôn Nà Phặc",
        "content": "1. Kinh tế – giảm nghèo",
        "budget_people": "1.500.000",
        "budget_state": "250000000",
        "starts_on": "03/{year}",
        "ends_on": "10/{year}",
    },
    {
        "kind": "mo_hinh",
        "name": "Mô hình “Sạch nhà, tốt ruộng” bản Khuổi Ú",
        "content": "3. Môi trường",
        "budget_people": "20.000.000",
        "budget_state": "",
        "starts_on": "04/{year}",
        "ends_on": "12/{year}",
    },
]


def _fill(page, entry: dict, year: int) -> None:
    page.select_option("#kind", entry["kind"])
    # The catalogue of models is offered for a model only (CSS, so also without JavaScript).
    assert page.locator("#model_type_id").is_visible() == (entry["kind"] == "mo_hinh")
    page.fill("#name", entry["name"])
    page.select_option("#content_id", label=entry["content"])
    page.fill("#budget_people", entry["budget_people"])
    page.fill("#budget_state", entry["budget_state"])
    page.fill("#starts_on", entry["starts_on"].format(year=year))
    page.fill("#ends_on", entry["ends_on"].format(year=year))


@pytest.mark.parametrize(
    ("javascript", "organization"),
    [(True, "nong_dan"), (False, "cuu_chien_binh")],
    ids=["js", "nojs"],
)
def test_editor_registers_two_entries_and_submits(app, new_page, javascript, organization):
    with app.app_context():
        year = local_today().year + 1  # its deadline is ahead: the submission is on time
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        org_name = db.session.scalar(
            sa.select(MemberOrganization.name_vi).filter_by(code=organization)
        )
    page = new_page(javascript=javascript)
    sign_in(page, "editor.pacnam", "edit-bang-thanh")
    page.goto(f"/registrations/{year}/{commune.id}")
    page.locator(".lists li", has_text=org_name).get_by_role("button").click()
    page.wait_for_url("**/registrations/lists/*")
    meter = NetworkMeter(page)
    if javascript:
        page.evaluate("window.notReloaded = true")
    for number, entry in enumerate(ENTRIES, start=1):
        page.click("#new-entry a")
        if javascript:
            page.locator("#new-entry form").wait_for()
        else:
            page.wait_for_url("**/entries/new")
        _fill(page, entry, year)
        meter.reset()
        page.click("#new-entry button[type=submit]" if javascript else "main button.primary")
        page.locator("#entries > li", has_text=entry["name"]).wait_for()
        if javascript:
            page.locator("#list-summary", has_text=f"{number} mục").wait_for()
            # The row came back alone: a small fragment, no page.
            row = [size for url, size in meter.by_url().items() if url.endswith("/entries")]
            assert row and row[0] <= FRAGMENT_BUDGET
    if javascript:
        assert page.evaluate("window.notReloaded") is True
    assert page.locator("#entries > li").count() == 2
    assert "251.500.000 đ" in page.locator("#entries > li").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("text=Gửi danh sách để duyệt")
    page.get_by_role("button", name="Gửi", exact=True).click()  # the confirmation
    page.locator(".flash", has_text="Danh sách đã được gửi để duyệt.").wait_for()
    assert page.locator("#new-entry").count() == 0
    with app.app_context():
        saved = db.session.scalar(
            sa.select(RegistrationList)
            .join(MemberOrganization)
            .where(
                RegistrationList.unit_id == commune.id,
                RegistrationList.year == year,
                MemberOrganization.code == organization,
            )
        )
        assert saved.state == ListState.SUBMITTED and not saved.is_late
        assert [e.name for e in saved.entries] == [e["name"] for e in ENTRIES]
        assert [e.budget_people for e in saved.entries] == [1_500_000, 20_000_000]
        assert {e.state for e in saved.entries} == {EntryState.SUBMITTED}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_bad_amount_keeps_the_typed_row(app, new_page, javascript):
    with app.app_context():
        year = local_today().year + 1
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01861"))
    page = new_page(javascript=javascript)
    sign_in(page, "editor.pacnam", "edit-bang-thanh")
    page.goto(f"/registrations/{year}/{commune.id}")
    org = "Hội Người cao tuổi" if javascript else "Hội Khuyến học"
    page.locator(".lists li", has_text=org).get_by_role("button").click()
    page.wait_for_url("**/registrations/lists/*")
    page.click("#new-entry a")
    page.locator("#name").wait_for()
    _fill(page, {**ENTRIES[0], "budget_people": "-1.000"}, year)
    page.click("#new-entry button[type=submit]" if javascript else "main button.primary")
    page.locator("#budget_people-errors").wait_for()
    assert "Số tiền không được âm." in page.locator("#budget_people-errors").inner_text()
    assert page.locator("#budget_people").input_value() == "-1.000"
    assert page.locator("#name").input_value() == ENTRIES[0]["name"]


def _list_with_an_entry(app, organization: str):
    """A draft list of Bằng Thành for next year holding one entry, made by the demo editor."""
    from webapp.auth.models import User
    from webapp.campaign.models import Content
    from webapp.registrations import services

    with app.app_context():
        editor = db.session.scalar(sa.select(User).filter_by(username="editor.pacnam"))
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        lead = db.session.scalar(sa.select(MemberOrganization).filter_by(code=organization))
        registration_list = services.start_list(editor, commune, lead, local_today().year + 1)
        services.add_entry(
            editor,
            registration_list,
            services.EntryValues(
                kind="mo_hinh",
                name="Mô hình “Gia đình 5 không, 3 sạch”",
                content=db.session.scalar(sa.select(Content).filter_by(number=2)),
                location=commune,
                lead_organization=lead,
                budget_people=3_000_000,
            ),
        )
        db.session.commit()
        return registration_list.id, registration_list.entries[0].id


@pytest.mark.parametrize(
    ("javascript", "organization"), [(True, "cong_doan"), (False, "phu_nu")], ids=["js", "nojs"]
)
def test_editor_edits_duplicates_and_deletes_entries(app, new_page, javascript, organization):
    list_id, entry_id = _list_with_an_entry(app, organization)
    page = new_page(javascript=javascript)
    sign_in(page, "editor.pacnam", "edit-bang-thanh")
    page.goto(f"/registrations/lists/{list_id}")
    row = page.locator(f"#entry-{entry_id}")
    if javascript:
        page.evaluate("window.notReloaded = true")
    # Edit in place (or on its own page).
    row.get_by_role("link", name="Sửa").click()
    page.locator("#name").wait_for()
    page.fill("#name", "Mô hình “Gia đình 5 không, 3 sạch” bản Khuổi Ú")
    page.fill("#budget_people", "4.500.000")
    page.get_by_role("button", name="Lưu").click()
    row.locator(".entry-title", has_text="bản Khuổi Ú").wait_for()
    assert "4.500.000 đ" in row.inner_text()
    # Duplicate: the copy opens for editing at the end of the list.
    row.get_by_role("button", name="Nhân bản").click()
    page.locator("#name").wait_for()
    assert page.locator("#name").input_value().endswith("(bản sao)")
    page.fill("#name", "Mô hình “Gia đình 5 không, 3 sạch” thôn Nà Mò")
    page.get_by_role("button", name="Lưu").click()
    page.locator("#entries > li", has_text="thôn Nà Mò").wait_for()
    page.locator("#list-summary", has_text="2 mục").wait_for()
    # Delete the first: a confirmation dialog with htmx, a confirmation page without.
    if javascript:
        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("link", name="Xóa").click()
        row.wait_for(state="detached")
        assert page.evaluate("window.notReloaded") is True
    else:
        row.get_by_role("link", name="Xóa").click()
        page.wait_for_url("**/delete")
        page.get_by_role("button", name="Xóa").click()
        page.wait_for_url(f"**/registrations/lists/{list_id}")
    page.locator("#list-summary", has_text="1 mục").wait_for()
    assert page.locator("#entries > li").count() == 1
    with app.app_context():
        saved = db.session.get(RegistrationList, list_id)
        assert [e.name for e in saved.entries] == ["Mô hình “Gia đình 5 không, 3 sạch” thôn Nà Mò"]
        assert saved.entries[0].budget_people == 4_500_000
