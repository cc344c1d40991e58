"""Interface languages in Chromium at 360 px, with JavaScript on and off: a translator
translates a label of the registration form in the app, and an editor switches that form to
Tày from the language links — the same page comes back in Tày where translated and in
Vietnamese elsewhere, with a notice saying so."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import language_menu, sign_in
from webapp.extensions import db
from webapp.i18n.models import message_key
from webapp.registrations.models import ListState, RegistrationList
from webapp.units.models import Unit

pytestmark = pytest.mark.browser

SEARCH = "[tyz-test] search"

# Marked test text, not Tày: nobody should mistake it for a translation.
CASES = {
    True: ("Name of the work, model or task", "Tên công trình", "[tyz-test] work name"),
    False: ("Scale", "Quy mô", "[tyz-test] scale"),
}


def _draft_list_id(app) -> int:
    with app.app_context():
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        return db.session.scalar(
            sa.select(RegistrationList.id).where(
                RegistrationList.unit_id == commune.id,
                RegistrationList.state == ListState.DRAFT,
            )
        )


def _chosen(page) -> str | None:
    """The language the reader chose: the switcher's current entry (the document's own label
    is the language most of the page is in, which may be the fallback)."""
    return page.locator("nav.langs [aria-current=true]").get_attribute("lang")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_translator_translates_and_editor_switches_the_form_to_tay(app, new_page, javascript):
    msgid, vietnamese, tay = CASES[javascript]

    translator = new_page(javascript=javascript)
    sign_in(translator, "translator.tay", "dich-tieng-tay")
    translator.goto(f"/translations/tyz?q={msgid}")
    row = translator.locator("li.string", has_text=msgid).first
    row.get_by_role("link", name="Dịch").click()
    box = translator.locator("textarea[lang=tyz]")
    box.fill(tay)
    translator.get_by_role("button", name="Lưu và gửi duyệt").click()
    saved = translator.locator("li.string", has_text=tay)
    saved.wait_for()
    if javascript:  # swapped in place
        assert "/translations/tyz?q=" in translator.url
    else:  # the plain form went to its own page and came back to the list
        assert translator.url.endswith(f"/translations/tyz?q={msgid.replace(' ', '+')}") or (
            "/translations/tyz?" in translator.url
        )

    # The Tày reviewer, another person, approves it: served from then on.
    reviewer = new_page(javascript=javascript)
    sign_in(reviewer, "reviewer.tay", "duyet-tieng-tay")
    reviewer.goto(f"/translations/tyz?state=review&q={msgid}")
    reviewer.locator("li.string", has_text=tay).get_by_role("link", name="Dịch").click()
    reviewer.get_by_role("button", name="Duyệt", exact=True).click()
    if javascript:  # the row swapped in place
        reviewer.locator("li.string", has_text=tay).locator(".tag", has_text="Đã dịch").wait_for()
    else:  # back to the list of strings to review, saying so
        reviewer.locator(".flash", has_text="Bản dịch đã được duyệt").wait_for()

    editor = new_page(javascript=javascript)
    sign_in(editor, "editor.pacnam", "edit-bang-thanh")
    path = f"/registrations/lists/{_draft_list_id(app)}/entries/new"
    editor.goto(path)
    assert editor.locator("html").get_attribute("lang") == "vi"
    assert editor.locator("form label", has_text=vietnamese).count() >= 1
    # Signed in, the switcher is a form: the choice goes into the profile.
    language_menu(editor).get_by_role("button", name="Tiếng Tày").click()
    editor.wait_for_url(f"**{path}")
    assert _chosen(editor) == "tyz"
    # Mostly Vietnamese, so labelled vi; the string translated in the app is labelled Tày.
    assert editor.locator("html").get_attribute("lang") == "vi"
    assert editor.locator("form label span[lang=tyz]", has_text=tay).count() == 1
    assert editor.locator("label[for=description]").inner_text() == "Mô tả"  # Vietnamese
    assert "Tiếng Tày" in editor.locator(".langnote").inner_text()

    # Bad input on the Tày page: the message falls back to Vietnamese, the typed text stays.
    editor.fill("#name", "Nhà văn hóa bản Nà Mò")
    editor.fill("#budget_people", "1,5")
    editor.locator("main form button[type=submit]").first.click()
    error = editor.locator(".errors", has_text="đồng")
    error.wait_for()
    assert _chosen(editor) == "tyz"
    assert editor.input_value("#budget_people") == "1,5"
    assert editor.input_value("#name") == "Nhà văn hóa bản Nà Mò"

    # The choice is kept in the profile: a new device opens in Tày.
    other = new_page(javascript=javascript)
    sign_in(other, "editor.pacnam", "edit-bang-thanh")
    assert _chosen(other) == "tyz"
    language_menu(other).get_by_role("button", name="Tiếng Việt").click()  # back, for the next run
    other.locator("nav.langs strong[lang=vi][aria-current=true]").wait_for(state="attached")


def _approved_recording(app) -> dict:
    """A second of silent MPEG frames, uploaded for a published page by the Tày translator and
    approved by the Tày reviewer (the seed holds no voices)."""
    import io

    from werkzeug.datastructures import FileStorage

    from webapp.auth.models import User
    from webapp.pages import audio
    from webapp.pages.models import Page, PageState

    with app.app_context():
        page = db.session.scalar(
            sa.select(Page).where(Page.state == PageState.PUBLISHED, Page.parent_id.is_not(None))
        )
        users = {
            u.username: u
            for u in db.session.scalars(
                sa.select(User).where(User.username.in_(["translator.tay", "reviewer.tay"]))
            )
        }
        silent = (bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * 40
        recording = audio.add_recording(
            users["translator.tay"], page, "tyz", FileStorage(io.BytesIO(silent), "doc.mp3")
        )
        audio.decide(users["reviewer.tay"], recording, recording.version, approve=True)
        db.session.commit()
        found = {"id": recording.id, "path": page.path}
        db.session.remove()
        return found


def _lang_of(locator) -> str | None:
    """The language an element's text is in: its own or its nearest ancestor's `lang`."""
    return locator.locator("xpath=ancestor-or-self::*[@lang][1]").get_attribute("lang")


def test_a_tay_reader_on_a_phone_without_javascript_sees_each_language_labelled(
    app, new_page, base_url, tmp_path
):
    """A string the translator saved through the app is Tày and labelled tyz; the rest of the
    interface and the untranslated guidance are Vietnamese and labelled vi."""
    translator = app.test_client()
    response = translator.post(
        "/login", data={"username": "translator.tay", "password": "dich-tieng-tay"}
    )
    assert response.status_code == 303
    translator.token = None
    key = message_key("Search")
    data = {"strings-0": SEARCH, "version": "0", "submit": "1"}
    assert translator.post(f"/translations/tyz/{key}", data=data).status_code == 303
    reviewer = app.test_client()
    response = reviewer.post(
        "/login", data={"username": "reviewer.tay", "password": "duyet-tieng-tay"}
    )
    assert response.status_code == 303
    reviewer.token = None
    approved = reviewer.post(f"/translations/tyz/{key}/approve", data={"version": "1"})
    assert approved.status_code == 303
    recording = _approved_recording(app)

    reader = new_page(javascript=False)
    reader.context.add_cookies([{"name": "lang", "value": "tyz", "url": base_url}])
    reader.goto("/pages")
    assert reader.locator("html").get_attribute("lang") == "vi"  # mostly Vietnamese
    assert _chosen(reader) == "tyz"
    assert "chưa có bản dịch" in language_menu(reader).inner_text()
    reader.screenshot(path=tmp_path / "tay-reader-360-languages.png", full_page=True)
    reader.locator("details.fold-langs > summary").click()  # folded again
    reader.locator("details.fold-menu > summary").click()
    tay = reader.locator("nav.menu a", has_text=SEARCH)
    assert tay.is_visible() and _lang_of(tay.locator("span")) == "tyz"
    home = reader.locator("nav.menu a", has_text="Trang chủ")
    assert _lang_of(home) == "vi"
    reader.screenshot(path=tmp_path / "tay-reader-360-menu.png", full_page=True)
    reader.goto(reader.locator("main a[href^='/pages/']").first.get_attribute("href"))
    assert reader.locator("article.guidance").get_attribute("lang") == "vi"  # no Tày version
    reader.screenshot(path=tmp_path / "tay-reader-360-page.png", full_page=True)
    # The page read aloud in Tày: a player that loads nothing until tapped, then plays.
    reader.goto(f"/pages/{recording['path']}")
    player = reader.locator("audio")
    assert player.get_attribute("preload") == "none"
    assert "0:02" in reader.locator(".recording figcaption").inner_text()
    played = reader.request.get(player.get_attribute("src"))
    assert played.status == 200 and played.headers["content-type"] == "audio/mpeg"
    assert reader.evaluate("document.documentElement.scrollWidth") <= 360
