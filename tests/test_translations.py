"""Interface languages end to end: a Tày request with a test catalog, choosing and remembering
a language, and translators saving strings in the app (checked, versioned, exported, and seen
by another process on its next request)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from markupsafe import escape

from tests import factories
from tests.conftest import CsrfClient
from webapp import ROOT, create_app
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role, User
from webapp.extensions import db as _db
from webapp.extensions import dispose_engines
from webapp.i18n.catalogs import TRANSLATIONS, read_catalog
from webapp.i18n.compile import compile_catalog
from webapp.i18n.models import InterfaceTranslation, ReviewState, message_key

VI = read_catalog(TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po")


def vi(msgid, context=None) -> str:
    string = VI.get(msgid, context=context).string
    return string[0] if isinstance(string, tuple) else string


# A test catalog: known entries, marked so nobody takes them for real Tày.
TAY = {
    "Sign in": "[tyz] Khảu",
    "This field is required.": "[tyz] Tẻo sle",
    "You have signed out.": "[tyz] Ok pây",
    ("%(num)d string", "%(num)d strings"): ("[tyz] %(num)d câu",),
}


@pytest.fixture(scope="module")
def tay_app(database_url, tmp_path_factory):
    """The app with a Tày catalog holding TAY only, beside the real Vietnamese one."""
    directory = tmp_path_factory.mktemp("translations")
    shutil.copytree(TRANSLATIONS / "vi", directory / "vi")
    catalog = Catalog(locale="tyz", fuzzy=False)
    catalog._num_plurals, catalog._plural_expr = 1, "0"
    for msgid, string in TAY.items():
        catalog.add(msgid, string)
    catalog.add(("%(num)d approved", "%(num)d approved"), ("",))  # untranslated plural
    folder = directory / "tyz" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as fh:
        write_po(fh, catalog)
    compile_catalog(folder / "messages.po")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "BABEL_TRANSLATION_DIRECTORIES": str(directory),
        }
    )
    app.test_client_class = CsrfClient
    yield app
    with app.app_context():
        dispose_engines()  # its own pool: close it rather than leave it to the collector


def test_tay_shows_tay_where_translated_and_vietnamese_elsewhere(db, tay_app):
    client = tay_app.test_client()
    client.set_cookie("lang", "tyz")
    page = client.get("/login").get_data(as_text=True)
    assert '<strong lang="tyz" aria-current="true">' in page
    assert '<span lang="tyz">[tyz] Khảu</span>' in page  # translated, and labelled so
    assert vi("Password") in page and ">Password<" not in page  # not translated: Vietnamese
    # A form error: WTForms' message through our catalog, in Tày.
    page = client.post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert "[tyz] Tẻo sle" in page


def test_tay_plurals_and_formats(db, tay_app):
    from flask import g
    from flask_babel import format_date, format_decimal, ngettext

    with tay_app.test_request_context():
        g.ui_lang = "tyz"
        assert ngettext("%(num)d string", "%(num)d strings", 3) == "[tyz] 3 câu"
        # Untranslated in Tày: the Vietnamese plural, never "3 approved".
        assert ngettext("%(num)d approved", "%(num)d approved", 3) == vi(
            ("%(num)d approved", "%(num)d approved")
        ).replace("%(num)d", "3")
        tay = (format_date(date(2025, 3, 8), "full"), format_decimal(1234567.5))
        g.ui_lang = "vi"
        assert tay == (format_date(date(2025, 3, 8), "full"), format_decimal(1234567.5))
        assert tay[1] == "1.234.567,5"


def test_flash_messages_follow_the_language(db, tay_app):
    user = factories.make_user(roles=[(Role.EDITOR, factories.make_unit())])
    _db.session.commit()
    client = tay_app.test_client()
    client.set_cookie("lang", "tyz")
    client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
    client.token = None
    page = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert "[tyz] Ok pây" in page


# Choosing a language.


def test_first_visit_follows_the_browser_then_vietnamese(client):
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Accept-Language" in english.headers["Vary"]
    other = client.get("/login", headers={"Accept-Language": "fr, de;q=0.5"})
    assert '<html lang="vi">' in other.get_data(as_text=True)


def test_a_chosen_language_beats_the_browser_and_keeps_the_page(client):
    response = client.get("/language/tyz?next=/pages")
    assert (response.status_code, response.headers["Location"]) == (303, "/pages")
    page = client.get("/pages", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<strong lang="tyz" aria-current="true">' in page


def test_language_link_changes_no_profile_only_the_visit(app, db, tree, login_as):
    client, user = login_as(Role.EDITOR, tree.c1)
    # A GET, even from our own pages, changes no data: the visit speaks Tày, the profile stays.
    response = client.get("/language/tyz?next=/", headers={"Sec-Fetch-Site": "same-origin"})
    assert (response.status_code, response.headers["Location"]) == (303, "/")
    assert '<strong lang="tyz" aria-current="true">' in client.get("/").get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(User, user.id).language is None


def test_signed_in_switcher_keeps_the_choice_in_the_profile(app, db, tree, login_as):
    client, user = login_as(Role.EDITOR, tree.c1)
    page = client.get("/").get_data(as_text=True)
    assert 'action="/language/hmn"' in page  # the switcher is a form for the signed-in
    response = client.post("/language/hmn", data={"next": "/pages"})
    assert (response.status_code, response.headers["Location"]) == (303, "/pages")
    _db.session.expire_all()
    assert _db.session.get(User, user.id).language == "hmn"
    # Without the form's CSRF token (a link or form on another site) nothing changes.
    assert client.post("/language/tyz", csrf=False).status_code == 400
    _db.session.expire_all()
    assert _db.session.get(User, user.id).language == "hmn"
    # Another device, no cookie: the profile decides.
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": factories.PASSWORD})
    html = other.get("/").get_data(as_text=True)
    assert '<strong lang="hmn-Latn-VN-x-viet1961" aria-current="true">' in html  # its BCP 47 tag


def test_minority_language_says_how_much_is_translated(client):
    client.set_cookie("lang", "nut")
    page = client.get("/login").get_data(as_text=True)
    assert "langnote" in page and "Tiếng Nùng" in page


# Translators in the app.


def _translator(login_as, tree, language="tyz"):
    return login_as(Role.TRANSLATOR, tree.province, language=language)


def _save(client, key, *strings, version=0, code="tyz", submit=True, **headers):
    """The translator saves the string and, unless `submit` is False, sends it for review."""
    data = {f"strings-{i}": s for i, s in enumerate(strings)} | {"version": str(version)}
    if submit:
        data["submit"] = "1"
    return client.post(f"/translations/{code}/{key}", data=data, headers=headers)


def _approve(login_as, tree, key, code="tyz", reviewer=None, **headers):
    """A reviewer of the language approves what was sent for review."""
    if reviewer is None:
        reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language=code)
    version = _db.session.scalar(
        sa.select(InterfaceTranslation.version).where(
            InterfaceTranslation.key == key, InterfaceTranslation.language == code
        )
    )
    _db.session.rollback()  # the next read sees what the request commits
    return reviewer.post(
        f"/translations/{code}/{key}/approve", data={"version": str(version)}, headers=headers
    )


def _login_page(app, lang="tyz") -> str:
    anonymous = app.test_client()
    anonymous.set_cookie("lang", lang)
    return anonymous.get("/login").get_data(as_text=True)


def test_a_draft_is_not_served_until_another_person_approves_it(app, db, tree, login_as):
    client, translator = _translator(login_as, tree)
    key = message_key("Sign in")
    assert _save(client, key, "Khảu slư", submit=False).status_code == 303
    row = db.session.scalar(sa.select(InterfaceTranslation).where(InterfaceTranslation.key == key))
    assert (row.language, row.strings, row.source_vi) == ("tyz", ["Khảu slư"], vi("Sign in"))
    assert (row.translated_by_id, row.state) == (translator.id, ReviewState.DRAFT)
    assert "Khảu slư" not in _login_page(app)  # a draft is served to nobody
    reviewer, reviewer_user = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    assert _approve(login_as, tree, key, reviewer=reviewer).status_code == 409  # not sent yet
    assert _save(client, key, "Khảu slư", version=row.version).status_code == 303
    assert "Khảu slư" not in _login_page(app)  # sent for review: still not served
    assert _approve(login_as, tree, key, reviewer=reviewer).status_code == 303
    assert "Khảu slư" in _login_page(app)
    assert "Khảu slư" not in _login_page(app, "vi")
    db.session.expire_all()
    row = db.session.scalar(sa.select(InterfaceTranslation).where(InterfaceTranslation.key == key))
    assert (row.approved_strings, row.approved_by_id, row.translated_by_id) == (
        ["Khảu slư"], reviewer_user.id, translator.id
    )  # fmt: skip
    assert row.state == ReviewState.APPROVED and row.approved_at is not None
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "interface.approved")
    )
    assert event.details["after"] == ["Khảu slư"] and event.actor_id == reviewer_user.id
    # A new draft leaves the approved text served until it is approved in turn.
    assert _save(client, key, "Khảu slư mới", version=row.version).status_code == 303
    page = _login_page(app)
    assert "Khảu slư" in page and "Khảu slư mới" not in page


def test_a_reviewer_cannot_approve_their_own_translation(app, db, tree, login_as):
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    key = message_key("Sign in")
    assert _save(reviewer, key, "Khảu slư").status_code == 303  # reviewers may translate
    response = _approve(login_as, tree, key, reviewer=reviewer)
    assert response.status_code == 403
    assert "another reviewer" in _text(response.get_data(as_text=True)) or (
        "người duyệt khác" in _text(response.get_data(as_text=True))
    )
    assert db.session.scalar(sa.select(InterfaceTranslation.state)) == ReviewState.REVIEW
    assert "Khảu slư" not in _login_page(app)


def test_a_reviewer_of_another_language_cannot_approve(db, tree, login_as):
    client, _ = _translator(login_as, tree, "hmn")
    key = message_key("Sign in")
    _save(client, key, "Nkag", code="hmn")
    tay, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    assert _approve(login_as, tree, key, code="hmn", reviewer=tay).status_code == 403
    assert db.session.scalar(sa.select(InterfaceTranslation.state)) == ReviewState.REVIEW


def test_a_reviewer_sends_a_draft_back_with_a_reason(db, tree, login_as):
    client, _ = _translator(login_as, tree)
    key = message_key("Sign in")
    _save(client, key, "Khảu slư")
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    version = db.session.scalar(sa.select(InterfaceTranslation.version))
    db.session.rollback()
    url = f"/translations/tyz/{key}/return"
    assert reviewer.post(url, data={"version": str(version), "note": ""}).status_code == 422
    response = reviewer.post(url, data={"version": str(version), "note": "Dùng từ khác"})
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.scalar(sa.select(InterfaceTranslation))
    assert (row.state, row.review_note, row.approved_strings) == (
        ReviewState.DRAFT, "Dùng từ khác", None
    )  # fmt: skip
    assert "Dùng từ khác" in client.get(f"/translations/tyz/{key}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("%(commune)s mì %(nam)s.", "%(commune)s, %(name)s"),  # a renamed placeholder
        ("%(commune)s mì.", "%(commune)s, %(name)s"),  # a dropped one
        ("%(commune mì %(name)s.", "Dấu % phải"),  # a mangled one
        ("<b>%(commune)s</b> mì %(name)s.", "thẻ HTML"),  # markup the original does not have
        # Out of an attribute: translated strings sit in aria-label="…" on every page.
        ('%(commune)s" onmouseover="alert(1) %(name)s', "thẻ HTML"),
        ("%(commune)s &lt;script&gt; %(name)s", "thẻ HTML"),
    ],
)
def test_placeholder_breaking_translation_is_refused_and_kept(db, tree, login_as, typed, complaint):
    client, _ = _translator(login_as, tree)
    key = message_key("%(commune)s already has %(name)s.")
    response = _save(client, key, typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert"' in page and complaint in _text(page)
    assert _escaped(typed) in page  # what was typed is still there
    assert db.session.scalar(sa.select(sa.func.count(InterfaceTranslation.id))) == 0


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page).replace("&#39;", "'").replace("&lt;", "<")


def _escaped(text: str) -> str:
    return str(escape(text))


def test_plural_translation_needs_the_number_and_then_counts(db, tree, login_as):
    client, _ = _translator(login_as, tree)
    key = message_key("%(num)d string")
    assert _save(client, key, "câu").status_code == 422
    assert _save(client, key, "%(num)d câu").status_code == 303
    assert _approve(login_as, tree, key).status_code == 303
    client.set_cookie("lang", "tyz")
    page = client.get("/translations/tyz?q=cau").get_data(as_text=True)
    assert re.search(r'<p class="muted"><span lang="tyz">\d+ câu</span></p>', page)  # in Tày


def test_a_colleagues_save_is_not_overwritten(db, tree, login_as, app):
    first, _ = _translator(login_as, tree)
    second, _ = _translator(login_as, tree)
    key = message_key("Sign in")
    assert 'value="0"' in first.get(f"/translations/tyz/{key}").get_data(as_text=True)
    assert _save(second, key, "Khảu").status_code == 303
    response = _save(first, key, "Khảu slư", version=0)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Khảu slư" in page and "Khảu</strong>" in page  # mine kept, theirs shown
    row = db.session.scalar(sa.select(InterfaceTranslation))
    assert row.strings == ["Khảu"]
    # Saving again on purpose, against the version now shown, replaces it.
    assert _save(first, key, "Khảu slư", version=row.version).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(InterfaceTranslation)).strings == ["Khảu slư"]


def test_a_cut_off_request_deletes_nothing(db, tree, login_as):
    client, _ = _translator(login_as, tree)
    key = message_key("Sign in")
    _save(client, key, "Khảu slư")
    version = db.session.scalar(sa.select(InterfaceTranslation.version))
    response = client.post(f"/translations/tyz/{key}", data={"version": str(version)})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(InterfaceTranslation.strings)) == ["Khảu slư"]


def test_emptying_a_translation_falls_back_to_vietnamese(app, db, tree, login_as):
    client, _ = _translator(login_as, tree)
    key = message_key("Sign in")
    _save(client, key, "Khảu slư")
    version = db.session.scalar(sa.select(InterfaceTranslation.version))
    assert _save(client, key, "", version=version).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(InterfaceTranslation.id))) == 0
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    page = reader.get("/login").get_data(as_text=True)
    assert vi("Sign in") in page and "Khảu slư" not in page


def test_inline_editing_with_htmx_returns_the_row(db, tree, login_as):
    client, _ = _translator(login_as, tree)
    key = message_key("Sign in")
    form = client.get(f"/translations/tyz/{key}", headers={"HX-Request": "true"})
    assert "<form" in form.get_data(as_text=True) and "<html" not in form.get_data(as_text=True)
    saved = _save(client, key, "Khảu slư", **{"HX-Request": "true"})
    assert saved.status_code == 200 and "translation-saved" in saved.headers["HX-Trigger"]
    assert "Khảu slư" in saved.get_data(as_text=True)
    assert len(saved.get_data()) < 5 * 1024
    refused = _save(client, message_key("%(num)d string"), "câu", **{"HX-Request": "true"})
    assert refused.status_code == 200 and 'role="alert"' in refused.get_data(as_text=True)


def test_list_filters_untranslated_and_changed(db, tree, login_as):
    client, _ = _translator(login_as, tree)
    key = message_key("Sign in")
    _save(client, key, "Khảu slư")
    review = client.get("/translations/tyz?state=review").get_data(as_text=True)
    assert f'id="s-{key}"' in review and review.count('class="string"') == 1
    _approve(login_as, tree, key)
    row = db.session.scalar(sa.select(InterfaceTranslation))
    row.approved_source_vi = "Đăng nhập cũ"  # as if the Vietnamese text changed since
    db.session.commit()
    changed = client.get("/translations/tyz?state=changed").get_data(as_text=True)
    assert f'id="s-{key}"' in changed and changed.count('class="string"') == 1
    assert "Đăng nhập cũ" not in changed
    untranslated = client.get("/translations/tyz?state=untranslated").get_data(as_text=True)
    assert f'id="s-{key}"' not in untranslated


def test_public_strings_come_first_and_the_vietnamese_before_the_english(db, tree, login_as):
    from webapp.i18n.queries import public_keys

    client, _ = _translator(login_as, tree)
    page = client.get("/translations/tyz").get_data(as_text=True)
    first = re.search(r'id="s-(\w+)"', page).group(1)
    assert first in public_keys()
    row = page[page.index(f'id="s-{first}"') :]
    assert row.index('lang="vi"') < row.index('lang="en"')


def test_export_lays_saved_translations_over_the_catalog(db, tree, login_as):
    client, _ = _translator(login_as, tree)
    _save(client, message_key("Sign in"), "Khảu slư")
    _save(client, message_key("%(num)d string"), "%(num)d câu")
    _save(client, message_key("Sign out"), "Ok")  # not approved: not exported
    _approve(login_as, tree, message_key("Sign in"))
    _approve(login_as, tree, message_key("%(num)d string"))
    assert client.get("/translations/tyz/messages.po").status_code == 403  # admins export
    admin, _ = login_as(Role.ADMIN, tree.province)
    response = admin.get("/translations/tyz/messages.po")
    assert response.status_code == 200
    assert "messages-tyz.po" in response.headers["Content-Disposition"]
    catalog = read_po(__import__("io").BytesIO(response.data))
    assert catalog.get("Sign in").string == "Khảu slư"
    assert catalog.get(("%(num)d string", "%(num)d strings")).string == ("%(num)d câu",)
    assert not catalog.get("Sign out").string
    assert catalog.num_plurals == 1 and catalog.locale_identifier == "tyz"
    assert len(catalog) == len(VI)  # every string of the interface, translated or not


@pytest.mark.parametrize(
    ("role", "unit", "language", "status"),
    [
        (Role.TRANSLATOR, "province", "nut", 403),  # another language
        (Role.TRANSLATOR, "d1", "tyz", 403),  # not on the top unit
        (Role.PUBLISHER, "province", None, 403),
        (Role.ADMIN, "province", None, 200),
    ],
)
def test_who_may_translate_the_interface(db, tree, login_as, role, unit, language, status):
    client, _ = login_as(role, getattr(tree, unit), language=language)
    key = message_key("Sign in")
    assert client.get("/translations/tyz").status_code == status
    assert _save(client, key, "Khảu slư").status_code == (303 if status == 200 else 403)


def test_anonymous_translators_are_sent_to_sign_in(client):
    assert client.get("/translations").status_code == 200  # the status page is public
    response = client.get("/translations/tyz")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_language_or_string_is_404(db, tree, login_as):
    client, _ = _translator(login_as, tree)
    assert client.get("/translations/xx").status_code == 404
    assert client.get("/translations/tyz/0000").status_code == 404


# Another process.

SERVER = """
import sys
from werkzeug.serving import make_server
from webapp import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x"})
server = make_server("127.0.0.1", 0, app)
print(server.server_port, flush=True)
server.serve_forever()
"""


def _fetch(base: str, path: str) -> str:
    request = urllib.request.Request(base + path, headers={"Cookie": "lang=tyz"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def test_a_saved_translation_shows_in_another_process_on_its_next_request(
    db, tree, login_as, database_url
):
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, database_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{process.stdout.readline().strip()}"
        before = _fetch(base, "/login")  # the other process builds and caches its catalog
        assert "Khảu slư" not in before and vi("Sign in") in before
        client, _ = _translator(login_as, tree)
        assert _save(client, message_key("Sign in"), "Khảu slư").status_code == 303
        assert _approve(login_as, tree, message_key("Sign in")).status_code == 303
        assert "Khảu slư" in _fetch(base, "/login")
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_new_catalog_for_a_language_cldr_does_not_know(tmp_path, monkeypatch):
    from webapp.i18n import update

    po = update.new_catalog("ium", directory=tmp_path)
    catalog = read_catalog(po)
    assert catalog.locale_identifier == "ium"
    assert (catalog.num_plurals, catalog.plural_expr) == (1, "0")
    assert all(not m.string or m.string == ("",) for m in catalog if m.id)
    assert "Plural-Forms: nplurals=1; plural=0;" in Path(po).read_text()


def test_shipped_minority_catalogs_are_honest(db):
    """No machine output: what a catalog ships, a translator stood behind; today nothing."""
    for code in ("tyz", "nut", "ium", "hmn"):
        catalog = read_catalog(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
        assert catalog.num_plurals == 1
        assert catalog.locale_identifier == code


def test_a_translators_role_names_the_language_not_its_code(db, tree, login_as):
    """Home and the account page say "Tiếng Tày", never the code "tyz"."""
    client, translator = _translator(login_as, tree)
    client.set_cookie("lang", "vi")
    home = client.get("/").get_data(as_text=True)
    assert "Tiếng Tày" in home.split("<main", 1)[1]
    assert "· tyz" not in home
    admin, _ = login_as(Role.ADMIN, tree.province)
    account = admin.get(f"/admin/users/{translator.id}").get_data(as_text=True)
    assert "· tyz" not in account and "· Tiếng Tày" in account
