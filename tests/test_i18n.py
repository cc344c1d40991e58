"""Interface languages: Vietnamese by default and complete, English on request, and the
fallback of a minority language to Vietnamese (never to the English msgids)."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po

from tests import factories
from webapp import ROOT, create_app
from webapp.extensions import dispose_engines
from webapp.i18n.catalogs import TRANSLATIONS
from webapp.i18n.compile import compile_catalog


def _extract(tmp_path: Path) -> Catalog:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "pgettext:1c,2",
            "-k",
            "lazy_pgettext:1c,2",
            "-k",
            "lazy_ngettext:1,2",
            # As `make extract`: pybabel skips directories named _* by default (templates/_macros).
            "--ignore-dirs",
            ".*",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        return read_po(fh)


def test_vietnamese_catalog_translates_every_string_in_the_code(tmp_path):
    extracted = _extract(tmp_path)
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        vi = read_po(fh)
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = vi.get(message.id, context=message.context)
        strings = translated.string if translated else None
        if isinstance(strings, tuple):
            strings = all(strings)
        if not translated or not strings or translated.fuzzy:
            missing.append(message.id)
    assert missing == [], f"untranslated in vi: {missing[:10]}"


def test_default_language_is_vietnamese(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


def test_switching_to_english_is_kept_in_a_cookie(client):
    response = client.get("/language/en?next=/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page


def test_unknown_language_is_404(client):
    assert client.get("/language/xx").status_code == 404


def _tay_catalog(directory: Path) -> None:
    """A Tày catalog with one plain string translated and one plural left untranslated."""
    catalog = Catalog(locale=None, fuzzy=False)
    catalog.language_team = "tyz"
    catalog._num_plurals, catalog._plural_expr = 1, "0"
    catalog.add("Sign in", "Khảu slư [tyz]")
    catalog.add(("%(num)d user", "%(num)d users"), ("",))
    folder = directory / "tyz" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as fh:
        write_po(fh, catalog)
    compile_catalog(folder / "messages.po")


def test_own_compile_step_leaves_untranslated_plurals_out(tmp_path):
    _tay_catalog(tmp_path)
    with (tmp_path / "tyz" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        compiled = read_mo(fh)
    assert compiled.get("Sign in").string == "Khảu slư [tyz]"
    assert compiled.get(("%(num)d user", "%(num)d users")) is None


def test_minority_language_falls_back_to_vietnamese_not_english(tmp_path, database_url):
    shutil.copytree(TRANSLATIONS / "vi", tmp_path / "vi")
    _tay_catalog(tmp_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LANGUAGES": ["vi", "en", "tyz"],
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
        }
    )
    client = app.test_client()
    client.set_cookie("lang", "tyz")
    page = client.get("/login").get_data(as_text=True)
    assert '<strong lang="tyz" aria-current="true">' in page
    assert "Khảu slư [tyz]" in page  # translated into Tày
    assert "Mật khẩu" in page  # not translated into Tày: Vietnamese, not "Password"
    assert "Password" not in page
    with app.test_request_context():
        from flask import g
        from flask_babel import format_decimal, ngettext

        g.ui_lang = "tyz"
        assert ngettext("%(num)d user", "%(num)d users", 3) == "3 người dùng"
        assert format_decimal(1234567.5) == "1.234.567,5"  # formatted as Vietnamese
    with app.app_context():
        dispose_engines()  # its own pool: close it rather than leave it to the collector


# Campaign words (organizations, contents) are kept in Vietnamese and English, never in a
# minority language: Tày shows the Vietnamese, as its interface does.
CAMPAIGN_WORDS = [
    ("Hội Nông dân", "Farmers' Union"),
    ("Kinh tế – giảm nghèo", "Economy & poverty reduction"),
    (
        "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh",
        "All people unite to build new rural areas and civilized urban areas",
    ),
]


def test_campaign_words_in_a_minority_language_fall_back_to_vietnamese(app, campaign):
    from flask import g

    from webapp.campaign.deadlines import current_campaign

    with app.test_request_context():
        farmers, economy = factories.org("nong_dan"), factories.content(1)
        whole = current_campaign()

        def words() -> list[str]:
            return [farmers.tr("name"), economy.tr("short"), whole.tr("name")]

        assert getattr(farmers, "name_tyz", None) is None  # no Tày text of its own
        g.ui_lang = "en"
        assert words() == [en for _vi, en in CAMPAIGN_WORDS]  # the English text is there
        g.ui_lang = "tyz"
        assert words() == [vi for vi, _en in CAMPAIGN_WORDS]


def test_the_campaign_page_in_a_minority_language_shows_vietnamese_words(client, campaign):
    client.set_cookie("lang", "tyz")
    page = html.unescape(client.get("/campaign").get_data(as_text=True))
    assert '<strong lang="tyz" aria-current="true">' in page
    assert '<html lang="vi">' in page  # what it shows is Vietnamese, and labelled so
    for vi, en in CAMPAIGN_WORDS:
        assert vi in page and en not in page
    client.set_cookie("lang", "en")
    english = html.unescape(client.get("/campaign").get_data(as_text=True))
    assert all(en in english for _vi, en in CAMPAIGN_WORDS)


def test_compiling_keeps_a_message_whose_id_a_context_message_shares(tmp_path):
    """An untranslated plural with a context is dropped by id and context, so the message
    without context that shares its id keeps its translation."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import read_mo

    from webapp.i18n.catalogs import write_catalog
    from webapp.i18n.compile import compile_catalog

    catalog = Catalog(locale="vi")
    catalog.add("Not started", "Chưa lập")
    catalog.add("Not started", "Chưa thực hiện", context="progress")
    catalog.add(("%(num)d entry", "%(num)d entries"), ("", ""), context="list")
    catalog.add(("%(num)d entry", "%(num)d entries"), ("%(num)d mục",))
    po = tmp_path / "messages.po"
    write_catalog(catalog, po)
    compile_catalog(po)
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = read_mo(fh)
    assert compiled.get("Not started").string == "Chưa lập"
    assert compiled.get("Not started", context="progress").string == "Chưa thực hiện"
    assert compiled.get(("%(num)d entry", "%(num)d entries")) is not None
    assert compiled.get("%(num)d entry", context="list") is None
