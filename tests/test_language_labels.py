"""True language labels and readiness: on a Tày page the text translated into Tày is labelled
`tyz` and the Vietnamese fallback `vi`; the switcher marks a language whose public strings are
not translated; the status page shows the shares; and the list of strings public readers see
(webapp/i18n/public_strings.json) is what a crawl of the public pages finds.

Test text is marked "[tyz-test]" and saved through the app: it is not Tày.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

from tests.conftest import CsrfClient
from webapp.auth.models import Role
from webapp.extensions import dispose_engines
from webapp.i18n import queries
from webapp.i18n.marking import CLOSE, OPEN, SEP, strip, to_labels
from webapp.i18n.models import message_key
from webapp.i18n.setup import clear_caches

SIGN_IN = "[tyz-test] sign in"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Texts(HTMLParser):
    """Each text node with the language it is in: the nearest `lang` of its ancestors."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []
        self.tags: list[tuple[str, dict]] = []

    def lang(self) -> str | None:
        return next((lang for _, lang in reversed(self.stack) if lang), None)

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data) -> None:
        if data.strip() and not (self.stack and self.stack[-1][0] in ("script", "style")):
            self.texts.append((" ".join(data.split()), self.lang()))


def texts(html: str) -> _Texts:
    parser = _Texts()
    parser.feed(html)
    return parser


def languages_of(html: str, text: str) -> set[str | None]:
    return {lang for t, lang in texts(html).texts if t == text}


def switcher_entry(html: str, code: str) -> str:
    """A language's entry in the switcher: its name and what follows, up to the next one."""
    nav = html.split('class="langs"')[1].split("</nav>")[0]
    return nav.split(f'lang="{code}"')[1].split("</small>")[0].split("<a ")[0].split("<form")[0]


def _sign_in_tay(client_factory, login_as, tree) -> None:
    """A translator sends "Sign in" in Tày for review, and a reviewer approves it."""
    client, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    key = message_key("Sign in")
    data = {"strings-0": SIGN_IN, "version": "0", "submit": "1"}
    assert client.post(f"/translations/tyz/{key}", data=data).status_code == 303
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    approved = reviewer.post(f"/translations/tyz/{key}/approve", data={"version": "1"})
    assert approved.status_code == 303


def _reader(app, code="tyz") -> CsrfClient:
    reader = app.test_client()
    reader.set_cookie("lang", code)
    return reader


def test_mostly_vietnamese_tay_page_is_vi_with_the_tay_string_labelled(app, db, tree, login_as):
    _sign_in_tay(app.test_client, login_as, tree)
    html = _reader(app).get("/").get_data(as_text=True)
    parsed = texts(html)
    assert parsed.tags[0] == ("html", {"lang": "vi"})  # 91 % of it is Vietnamese
    assert languages_of(html, SIGN_IN) == {"tyz"}
    assert languages_of(html, "Trang chủ") == {"vi"}  # "Home", from the Vietnamese catalog
    assert languages_of(html, "Cổng thông tin Cuộc vận động") == {"vi"}
    # Attributes and the title stay plain text, never markup.
    assert OPEN not in html and CLOSE not in html and "<title><span" not in html
    assert 'aria-label="Ngôn ngữ"' in html


def test_mostly_tay_page_is_tyz_with_the_fallback_labelled_vi(
    app, db, tree, login_as, tmp_path, monkeypatch
):
    public = tmp_path / "public.json"
    public.write_text(json.dumps([{"msgid": "Sign in"}]))
    monkeypatch.setattr(queries, "PUBLIC_STRINGS", public)
    clear_caches()
    _sign_in_tay(app.test_client, login_as, tree)
    html = _reader(app).get("/").get_data(as_text=True)
    parsed = texts(html)
    assert parsed.tags[0] == ("html", {"lang": "tyz"})  # every public string is Tày here
    assert languages_of(html, SIGN_IN) == {"tyz"}
    assert languages_of(html, "Trang chủ") == {"vi"}
    assert '<span lang="vi">Trang chủ</span>' in html
    # Ready now: no longer marked as untranslated in the switcher.
    assert "chưa có bản dịch" not in switcher_entry(html, "tyz")
    assert "chưa có bản dịch" in switcher_entry(html, "nut")
    status = _reader(app, "vi").get("/translations").get_data(as_text=True)
    row = status.split('lang="tyz">Tiếng Tày</th>')[1].split("</tr>")[0]
    assert "100% (1/1)" in row  # public strings
    total = len(queries.sources())
    assert f"0% (1/{total:,}".replace(",", ".") in row  # all strings


def test_switcher_marks_an_untranslated_language_or_hides_it(app, db):
    html = _reader(app, "vi").get("/").get_data(as_text=True)
    assert "(chưa có bản dịch)" in switcher_entry(html, "tyz")
    assert "chưa có bản dịch" not in switcher_entry(html, "vi")
    assert "chưa có bản dịch" not in switcher_entry(html, "en")
    app.config["UNREADY_LANGUAGES"] = "hide"
    try:
        nav = _reader(app, "vi").get("/").get_data(as_text=True).split('class="langs"')[1]
        assert 'lang="tyz"' not in nav.split("</nav>")[0]
        own = _reader(app, "tyz").get("/").get_data(as_text=True).split('class="langs"')[1]
        assert 'lang="tyz"' in own.split("</nav>")[0]  # the reader's own language stays
    finally:
        app.config["UNREADY_LANGUAGES"] = "mark"


def test_status_page_shows_public_signed_in_and_pages_shares(app, db):
    html = _reader(app, "vi").get("/translations").get_data(as_text=True)
    assert "Chuỗi người đọc chưa đăng nhập thấy" in html
    assert "Chuỗi người đã đăng nhập thấy" in html
    row = html.split('lang="nut">Tiếng Nùng</th>')[1].split("</tr>")[0]
    public = len(queries.public_keys())
    assert f"0% (0/{public}" in row


def test_markers_become_labels_in_text_and_vanish_elsewhere():
    marked = f"{OPEN}tyz{SEP}A{CLOSE}"
    html = (
        f'<title>{marked}</title><a title="{marked}">{marked} <b>x</b></a><option>{marked}</option>'
    )
    assert to_labels(html) == (
        '<title>A</title><a title="A"><span lang="tyz">A</span> <b>x</b></a><option>A</option>'
    )
    assert strip(f"Mail: {marked}") == "Mail: A"
    # What a person typed is never taken for a marker, private-use characters or not.
    typed = '<p>\ue000x" onclick="alert(1)\ue001t\ue002</p>'
    assert to_labels(typed + marked) == typed + '<span lang="tyz">A</span>'


def _approve(login_as, tree, code: str, msgid: str, text: str) -> None:
    """A translator of `code` sends `msgid`, a reviewer of `code` approves it."""
    client, _ = login_as(Role.TRANSLATOR, tree.province, language=code)
    key = message_key(msgid)
    data = {"strings-0": text, "version": "0", "submit": "1"}
    assert client.post(f"/translations/{code}/{key}", data=data).status_code == 303
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language=code)
    assert (
        reviewer.post(f"/translations/{code}/{key}/approve", data={"version": "1"}).status_code
        == 303
    )


def test_labels_carry_the_configured_bcp47_tag(app, db, tree, login_as):
    """Mông is configured as the 1961 Vietnamese-based script: its text, the switcher entry and
    the Read-this-page link say hmn-Latn-VN-x-viet1961; the catalog code stays hmn."""
    _approve(login_as, tree, "hmn", "Sign in", "[hmn-test] sign in")
    html = _reader(app, "hmn").get("/").get_data(as_text=True)
    assert languages_of(html, "[hmn-test] sign in") == {"hmn-Latn-VN-x-viet1961"}
    assert "Tiếng Mông (chữ 1961)" in switcher_entry(html, "hmn-Latn-VN-x-viet1961")
    assert 'lang="hmn"' not in html
    assert "Tiếng Dao (Iu Miền)" in switcher_entry(html, "ium-Latn-VN")


def test_changing_languages_yaml_changes_the_labels_without_code(app, db, tree, login_as, tmp_path):
    """The province switches Mông to RPA and Dao to Kim Mun in its own languages.yaml."""
    from webapp import create_app
    from webapp.i18n.languages import DEFAULT_FILE, use_file

    text = DEFAULT_FILE.read_text(encoding="utf-8")
    text = text.replace(
        'tag: hmn-Latn-VN-x-viet1961, script_name: "chữ 1961"',
        'tag: hmn-Latn-x-rpa, script_name: "chữ RPA"',
    )
    text = text.replace(
        'tag: ium-Latn-VN, script_name: "Iu Miền"', 'tag: mji-Latn-VN, script_name: "Kim Mun"'
    )
    assert "x-rpa" in text and "mji" in text
    own = tmp_path / "languages.yaml"
    own.write_text(text, encoding="utf-8")
    _approve(login_as, tree, "hmn", "Sign in", "[hmn-test] sign in")
    province = create_app(dict(app.config) | {"LANGUAGES_FILE": str(own)})
    province.test_client_class = CsrfClient
    try:
        reader = province.test_client()
        reader.set_cookie("lang", "hmn")
        html = reader.get("/").get_data(as_text=True)
        assert languages_of(html, "[hmn-test] sign in") == {"hmn-Latn-x-rpa"}
        assert "Tiếng Mông (chữ RPA)" in switcher_entry(html, "hmn-Latn-x-rpa")
        assert "Tiếng Dao (Kim Mun)" in switcher_entry(html, "mji-Latn-VN")
        assert "viet1961" not in html and "Iu Miền" not in html
    finally:
        use_file(None)  # the session's app reads the shipped file again
        with province.app_context():
            dispose_engines()  # its own pool: left open, PostgreSQL's connections warn when freed


def test_a_tag_that_is_not_bcp47_stops_the_start(tmp_path):
    import pytest

    from webapp.i18n.languages import all_languages, use_file

    own = tmp_path / "languages.yaml"
    own.write_text(
        "default: vi\nlanguages:\n  - {code: vi, name: V, name_en: V, format_locale: vi,"
        " tag: 'vi_VN'}\n",
        encoding="utf-8",
    )
    use_file(own)
    try:
        with pytest.raises(RuntimeError, match="not a BCP 47 tag"):
            all_languages()
    finally:
        use_file(None)
