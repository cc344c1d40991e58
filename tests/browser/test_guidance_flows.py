"""Guidance in Chromium at 360 px: a publisher writes, previews and publishes a page, and an
anonymous reader finds it by searching without accents, with JavaScript on and off."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("javascript", "title", "accentless"),
    [
        (True, "Hướng dẫn giữ gìn đường làng sạch đẹp", "giu gin duong lang"),
        (False, "Hướng dẫn trồng cây xanh ở bản Đồng Tâm", "trong cay xanh ban dong tam"),
    ],
    ids=["js", "nojs"],
)
def test_publish_then_find_without_accents(new_page, javascript, title, accentless):
    publisher = new_page(javascript=javascript)
    sign_in(publisher, "publisher.backan", "dang-bai-bac-kan")
    publisher.goto("/pages/new")
    publisher.select_option("#kind", "guidance")
    publisher.fill("#title", title)
    publisher.fill("#summary", "Việc mỗi hộ nên làm")
    publisher.fill(
        "#body", "## Việc cần làm\n\n- Quét dọn **hằng tuần**\n- Trồng hoa hai bên đường"
    )
    publisher.get_by_role("button", name="Xem trước").click()
    publisher.locator(".preview strong", has_text="hằng tuần").wait_for()
    assert publisher.locator("#title").input_value() == title  # nothing lost by previewing
    publisher.get_by_role("button", name="Lưu", exact=True).click()
    publisher.wait_for_url("**/pages/*/edit")
    publisher.get_by_role("button", name="Đăng", exact=True).click()
    publisher.locator(".flash", has_text="Trang đã được đăng").wait_for()

    reader = new_page(javascript=javascript)
    reader.goto("/search")
    reader.fill("#search-q", accentless)
    if javascript:
        reader.evaluate("window.notReloaded = true")
        reader.locator("#search-results a", has_text=title).wait_for()  # live, as typed
        assert reader.evaluate("window.notReloaded") is True
    else:
        reader.press("#search-q", "Enter")
        reader.wait_for_url("**/search?q=*")
    result = reader.locator("#search-results a", has_text=title)
    assert "mark" in reader.locator("#search-results").inner_html()
    result.click()
    reader.locator("h1", has_text=title).wait_for()
    assert "Quét dọn" in reader.locator(".prose").inner_text()
    assert reader.evaluate("document.documentElement.scrollWidth") <= 360
