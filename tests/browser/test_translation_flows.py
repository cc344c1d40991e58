"""Translated guidance in Chromium at 360 px, with JavaScript on and off: the Tày translator
translates a page side by side and sends it for review, the Tày reviewer approves it; an
anonymous reader switches to Tày with the
language switcher and reads it, and sees the "not yet translated" notice on another page; after
the publisher changes the original, the translator finds the translation flagged outdated.

"[tyz]" marks test text: no Tày is invented here."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import language_menu, main_menu, sign_in
from webapp.extensions import db
from webapp.pages.models import Page

pytestmark = pytest.mark.browser

UNTRANSLATED = "tin-tuc"  # a section nobody translates here
TO_DO = "Việc dịch cần làm"


def _page(app, slug: str) -> tuple[int, str, str]:
    with app.app_context():
        page = db.session.scalar(sa.select(Page).where(Page.slug == slug))
        found = (page.id, page.path, page.title)
        db.session.remove()
        return found


@pytest.mark.parametrize(
    ("javascript", "slug"),
    [(True, "ke-hoach-129-2017"), (False, "mau-danh-sach-dang-ky")],
    ids=["js", "nojs"],
)
def test_translate_read_in_tay_and_see_it_outdated(app, new_page, javascript, slug):
    page_id, path, title = _page(app, slug)
    tay_title = f"[tyz] {title}"

    translator = new_page(javascript=javascript)
    sign_in(translator, "translator.tay", "dich-tieng-tay")
    main_menu(translator).get_by_role("link", name="Bản dịch", exact=True).click()
    translator.wait_for_url("**/translations")  # how far each language is
    translator.locator("tr", has_text="Tiếng Tày").get_by_role("link", name=TO_DO).click()
    translator.wait_for_url("**/translations/tyz/pages")
    translator.locator("main a", has_text=title).first.click()
    translator.wait_for_url(f"**/pages/{page_id}/translations/tyz")
    translator.locator(".original h2", has_text="phiên bản 1").wait_for()
    translator.fill("#title", tay_title)
    translator.fill("#summary", "[tyz] Tóm tắt")
    translator.fill("#body", "## [tyz] Mục đích\n\n[tyz] Đoàn kết **xây dựng**.")
    translator.get_by_role("button", name="Xem trước").click()
    translator.locator(".preview strong", has_text="xây dựng").wait_for()
    assert translator.locator("#title").input_value() == tay_title  # kept by the preview
    translator.get_by_role("button", name="Lưu và gửi duyệt").click()
    translator.locator(".flash", has_text="Đã gửi duyệt bản dịch").wait_for()
    assert translator.locator(".state", has_text="Chờ duyệt").count() == 1
    assert translator.get_by_role("button", name="Duyệt và đăng").count() == 0  # not theirs
    assert translator.evaluate("document.documentElement.scrollWidth") <= 360

    # Another person, the language's reviewer, approves it: only then do readers see it.
    reviewer = new_page(javascript=javascript)
    sign_in(reviewer, "reviewer.tay", "duyet-tieng-tay")
    reviewer.goto(f"/pages/{page_id}/translations/tyz")
    reviewer.get_by_role("button", name="Duyệt và đăng").click()
    reviewer.locator(".flash", has_text="đã được duyệt và đăng").wait_for()
    assert reviewer.locator(".state", has_text="Đã đăng").count() == 1

    reader = new_page(javascript=javascript)
    reader.goto(f"/pages/{path}")
    reader.locator("h1", has_text=title).wait_for()
    language_menu(reader).locator("a[lang=tyz]").click()
    reader.wait_for_url(f"**/pages/{path}")
    reader.locator("article[lang=tyz] h1", has_text=tay_title).wait_for()
    assert "[tyz] Đoàn kết" in reader.locator(".prose").inner_text()
    reader.goto(f"/pages/{UNTRANSLATED}")
    reader.locator(".notice", has_text="chưa được dịch sang Tiếng Tày").wait_for()
    assert reader.locator("article").get_attribute("lang") == "vi"
    assert reader.evaluate("document.documentElement.scrollWidth") <= 360

    publisher = new_page(javascript=javascript)
    sign_in(publisher, "publisher.backan", "dang-bai-bac-kan")
    publisher.goto(f"/pages/{page_id}/edit")
    publisher.fill("#body", publisher.locator("#body").input_value() + "\n\nĐoạn bổ sung mới.")
    publisher.get_by_role("button", name="Lưu", exact=True).click()
    publisher.locator(".flash", has_text="phiên bản 2").wait_for()

    translator.goto("/translations/tyz/pages")
    row = translator.locator(".lists li", has_text=title)
    row.locator(".state", has_text="Đã cũ").wait_for()
    row.locator("a").first.click()
    translator.locator(".diff ins", has_text="Đoạn bổ sung mới.").wait_for()
    reader.goto(f"/pages/{path}")
    reader.locator("article[lang=tyz] .muted", has_text="đã thay đổi").wait_for()
