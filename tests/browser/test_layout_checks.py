"""The layout checks of tests/layout.py and the crawl of tests/crawl.py, each shown a small
page with its defect (and a page without it), so a check cannot pass by seeing nothing."""

from __future__ import annotations

import pytest
from flask import Flask, abort

from tests.crawl import DESK, Crawl, crawl
from tests.layout import check_page, vocabulary
from tests.live import serve

pytestmark = pytest.mark.browser

VOCAB = vocabulary(("vi", "en", "tyz"))
GOOD_TABLE = """<table><thead><tr><th>Xã</th><th colspan="2">Số mục</th></tr></thead>
<tbody><tr><td>Xã Bằng Thành</td><td>3</td><td>5</td></tr></tbody></table>"""


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


def problems(page, body: str, *, width: int = 360, lang: str = "vi") -> dict[str, list[str]]:
    """What the checks find on a page of `body` (given a heading unless it has its own)."""
    if "<h1" not in body:
        body = f"<h1>Trang thử</h1>{body}"
    page.set_viewport_size({"width": width, "height": 740})
    page.set_content(
        f'<!doctype html><html lang="{lang}"><head><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"></head><body>{body}</body></html>'
    )
    found: dict[str, list[str]] = {}
    for check, detail in check_page(page, VOCAB)[0]:
        found.setdefault(check, []).append(detail)
    return found


def test_a_clean_page_has_no_problems(page):
    body = f"""<header class="site"><a href="/">Trang chủ</a></header>
    <main><h1>Danh sách đăng ký</h1><p>Bạn có 3 việc cần xử lý, gửi lúc 15/02/2026.</p>
    {GOOD_TABLE}<p>Tải <a href="/x.xlsx">bảng.xlsx</a>, xem <code>report.accepted</code>,
    <span translate="no">editor.pacnam</span>, tệp messages.po.</p></main>"""
    for width in (360, 1366):
        assert problems(page, body, width=width) == {}


def test_sideways_scroll_is_caught_unless_a_wrapper_scrolls(page):
    assert "sideways scroll" in problems(page, '<div style="width:600px">rộng</div>')
    wrapped = '<div class="scroll" style="overflow-x:auto"><div style="width:600px">x</div></div>'
    assert problems(page, wrapped) == {}


def test_a_table_laid_out_as_a_grid_is_caught(page):
    # The defect of issue 15: a layout helper `.grid{display:grid}` hitting a data table.
    body = f"<style>table{{display:grid;grid-template-columns:1fr 1fr}}</style>{GOOD_TABLE}"
    found = problems(page, body, width=1366)
    assert "table header off its column" in found, found
    assert problems(page, GOOD_TABLE, width=1366) == {}


def test_a_shifted_header_cell_is_caught(page):
    body = GOOD_TABLE.replace("<th>Xã</th>", '<th style="padding-left:200px">Xã</th>')
    assert problems(page, body) == {}  # padding widens the column: still over it
    shifted = GOOD_TABLE.replace("<thead>", '<thead style="display:block">')
    assert "table header off its column" in problems(page, shifted)


def test_a_table_stacked_into_cards_needs_a_label_on_each_cell(page):
    # On a phone a table may become one card a row, its header moved off screen on purpose.
    style = """<style>thead{position:absolute;left:-999px}tr,td{display:block}
    td[data-label]::before{content:attr(data-label) ": "}</style>"""
    labelled = GOOD_TABLE.replace("<td>", '<td data-label="Số mục">')
    assert problems(page, style + labelled) == {}
    assert "table header off its column" in problems(page, style + GOOD_TABLE)


def test_text_one_character_per_line_is_caught(page):
    body = '<table><tr><td style="width:6px;overflow-wrap:anywhere">Nông thôn</td></tr></table>'
    assert "one character per line" in problems(page, body)


def test_a_date_broken_over_two_lines_is_caught(page):
    body = '<p style="width:60px;overflow-wrap:anywhere"><time>20/06/2026</time></p>'
    assert "word broken over lines" in problems(page, body)
    assert problems(page, '<p style="width:60px"><time>20/06/2026</time></p>') == {}


def test_a_header_taller_than_a_fifth_of_a_phone_is_caught(page):
    found = problems(page, '<header class="site" style="height:301px">Cổng thông tin</header>')
    assert found["header too tall"] == ["header.site is 301 px, more than 148 px"]
    assert problems(page, '<header class="site" style="height:140px">Cổng</header>') == {}


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("report.accepted", "raw code"),
        ("progress_reports #1", "snake_case word"),
        ("Đã sửa: status, percent_done, money_people", "snake_case word"),
        ("Mời anh/chị đăng nhập", "anh/chị"),
        ("each of the 5 contents has at least 1 entry", "English text"),
        ("Người dịch · tyz", "language code"),
    ],
)
def test_codes_and_english_in_a_vietnamese_page_are_caught(page, text, check):
    assert check in problems(page, f"<p>{text}</p>")


def test_a_page_without_exactly_one_heading_is_caught(page):
    assert "page heading" in problems(page, "<h1 hidden>Ẩn</h1><p>Không có tiêu đề</p>")
    assert "page heading" in problems(page, "<h1>Một</h1><h1>Hai</h1>")
    assert "page heading" in problems(page, "<h1> </h1>")
    assert problems(page, "<h1>Danh sách</h1><h2>Các mục</h2>") == {}


def test_an_english_msgid_is_caught_in_vietnamese_only(page):
    assert "Sign in" in VOCAB.english
    assert "English msgid" in problems(page, "<p><a href='/login'>Sign in</a></p>")
    assert problems(page, "<p><a lang='en' href='/language/en'>Sign in</a></p>") == {}
    assert problems(page, "<p><a href='/login'>Sign in</a></p>", lang="en") == {}


@pytest.fixture(scope="module")
def tiny_site():
    """Three pages: home links to a page, a refusal, a download and a page of a list."""
    site = Flask("tiny")

    @site.get("/")
    def home():
        links = ["/ok", "/secret", "/ok?page=2", "/list.xlsx", "/units/1", "/units/2", "/units/3"]
        return "<h1>Trang chủ</h1>" + "".join(f'<a href="{link}">liên kết</a> ' for link in links)

    @site.get("/ok")
    def ok():
        return '<h1>Được</h1><a href="/">Trang chủ</a> <p>report.accepted</p>'

    @site.get("/units/<int:number>")
    def unit(number):
        return f"<h1>Đơn vị {number}</h1>"

    @site.get("/secret")
    @site.get("/list.xlsx")
    def refused():
        abort(403)

    with serve(site) as url:
        yield url


def test_the_crawl_names_refused_links_and_problems_by_role_and_width(browser, tiny_site):
    context = browser.new_context(base_url=tiny_site)
    try:
        result: Crawl = crawl(context.new_page(), "visitor", tiny_site, VOCAB, per_pattern=2)
    finally:
        context.close()
    # Paging links, downloads and a third page of a pattern are not crawled …
    assert result.urls == ["/", "/ok", "/units/1", "/units/2"]
    # … but every link the person is shown is checked.
    assert result.failures(DESK) == [
        "visitor · 1366 · / · link answers 403 · /secret",
        "visitor · 1366 · / · link answers 403 · /list.xlsx",
        'visitor · 1366 · /ok · raw code · "report.accepted" in "report.accepted"',
    ]
