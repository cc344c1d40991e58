"""The fund's book on a phone in Chromium, JavaScript off, 360 px: the commune's treasurer
records a donation and a spending through the plain forms (a typo first: the message, and what
was typed kept), then a reader without an account opens the commune's public statement, on
screen and printed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from webapp.db import local_today
from webapp.extensions import db
from webapp.units.models import Unit

pytestmark = pytest.mark.browser


def _commune_and_today(app):
    """Nhạn Môn, the treasurer's other commune: its book starts empty (seed --demo fills
    Bằng Thành's), so the balance shown is this test's own."""
    with app.app_context():
        return db.session.scalar(sa.select(Unit.id).where(Unit.code == "01861")), local_today()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_treasurer_records_a_donation_and_a_spending_and_a_reader_sees_them(app, new_page):
    commune, day = _commune_and_today(app)
    year, today = day.year, day.strftime("%d/%m/%Y")
    page = new_page(javascript=False)
    sign_in(page, "editor.pacnam", "edit-bang-thanh")
    page.goto(f"/fund/units/{commune}/{year}")
    _fits(page)
    page.get_by_role("link", name="Ghi khoản thu").click()
    page.fill("#on", today)
    page.fill("#amount", "5 triệu")  # words: refused, kept
    page.fill("#counterparty", "Bà Lường Thị Dung, thôn Nà Mò")
    page.locator("main button.primary").click()
    assert page.input_value("#amount") == "5 triệu"
    assert page.input_value("#counterparty") == "Bà Lường Thị Dung, thôn Nà Mò"
    assert page.locator(".field.invalid").count() >= 1
    _fits(page)
    page.fill("#amount", "5.000.000")  # grouped as on a voucher
    page.locator("main button.primary").click()
    page.wait_for_url(f"**/fund/units/{commune}/{year}")
    assert "Đã ghi dòng PT-" in page.locator(".flash").inner_text()

    page.get_by_role("link", name="Ghi khoản chi").click()
    page.fill("#on", today)
    page.fill("#amount", "3000000")
    page.fill("#counterparty", "Hộ ông Hoàng Văn Páo")
    page.select_option("#purpose", "houses")
    page.fill("#beneficiaries-0-household", "Hoàng Văn Páo")
    page.fill("#beneficiaries-0-amount", "3000000")
    _fits(page)
    page.locator("main button.primary").click()
    page.wait_for_url(f"**/fund/units/{commune}/{year}")
    book = page.locator("main").inner_text()
    assert "Đã ghi dòng PC-" in book and "2.000.000" in book

    reader = new_page(javascript=False)
    reader.goto(f"/fund/public/{commune}/{year}")
    text = reader.locator("main").inner_text()
    assert "Công khai Quỹ “Vì người nghèo”" in text
    assert "5.000.000" in text and "3.000.000" in text
    assert "Hoàng Văn Páo" not in text  # counts per area, never names
    assert "Tháng cao điểm" in text and "Số liệu tính đến ngày" in text
    _fits(reader)
    # Printed (the statement is posted up at the commune's office): the figures only.
    reader.emulate_media(media="print")
    assert not reader.locator("header.site").is_visible()
    assert not reader.locator("footer.site").is_visible()
    assert not reader.locator("main .actions").is_visible()
    assert reader.locator("main table.data").first.is_visible()
