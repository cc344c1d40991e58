"""Key flows in Chromium, with JavaScript on (htmx) and off (plain forms), at 360 px."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from webapp.extensions import db
from webapp.units.models import Unit

pytestmark = pytest.mark.browser


def _commune_page_as_editor(app, new_page, code: str, javascript: bool):
    """The demo editor, signed in, on the page of one of their communes."""
    with app.app_context():
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    page = new_page(javascript=javascript)
    sign_in(page, "editor.pacnam", "edit-bang-thanh")
    page.goto(f"/units/{commune.id}")
    return page, commune


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_sign_in_reaches_the_home_page(new_page, javascript):
    page = new_page(javascript=javascript)
    sign_in(page, "editor.pacnam", "edit-bang-thanh")
    assert page.locator("h1").inner_text().startswith("Xin chào")
    assert "Xã Bằng Thành" in page.locator("header").inner_text()
    # Nothing overflows sideways on a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_editor_adds_a_residential_area(app, new_page, javascript):
    page, commune = _commune_page_as_editor(app, new_page, "01858", javascript)
    name = "Thôn Nà Pài" if javascript else "Bản Khuổi Ún"
    page.select_option("#kind", "thon")
    page.fill("#name", name)
    if javascript:
        page.evaluate("window.notReloaded = true")
        with page.expect_response(lambda r: r.url.endswith("/areas")) as response:
            page.click("#areas button[type=submit]")
        assert response.value.headers["hx-trigger"] == '{"areas-changed": true}'
        page.locator("#areas .columns li", has_text=name).wait_for()
        assert page.evaluate("window.notReloaded") is True  # swapped in place by htmx
    else:
        page.click("#areas button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith(f"/units/{commune.id}")
    assert page.locator("#areas .columns li", has_text=name).count() == 1
    assert page.locator("#name").input_value() == ""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_invalid_area_keeps_what_was_typed(app, new_page, javascript):
    page, _ = _commune_page_as_editor(app, new_page, "01861", javascript)
    existing = "Thôn Cốc Lùng" if javascript else "Bản Pác Giằng"
    typed = "thon coc lung" if javascript else "BAN PAC GIANG"
    page.fill("#name", existing)
    page.click("#areas button[type=submit]")
    page.locator("#areas .columns li", has_text=existing).wait_for()
    page.fill("#name", typed)
    page.click("#areas button[type=submit]")
    page.locator("#areas .errors").wait_for()
    assert existing in page.locator("#areas .errors").inner_text()
    assert page.locator("#name").input_value() == typed
    assert page.locator("#areas .columns li", has_text=existing).count() == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_admin_gives_a_role(app, new_page, javascript):
    page = new_page(javascript=javascript, width=1280)
    sign_in(page, "admin", "admin-bac-kan")
    page.goto("/admin/users")
    page.click("text=translator.tay")
    page.select_option("#role", "viewer")
    page.click("#roles button.primary")
    page.locator("#roles li", has_text="Người xem").wait_for()
    assert page.locator("#roles .roles li").count() == 2
