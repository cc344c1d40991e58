"""Search: accent- and case-insensitive matching including đ→d, ranking, what never shows up,
attachment titles, highlighted and escaped snippets, the page without JavaScript and the htmx
fragment, paging, and odd input. The expected rows are spelled out, so passing on SQLite and on
PostgreSQL means both give the same results in the same order."""

from __future__ import annotations

import gzip
import re
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from tests import factories
from webapp.auth.models import Role
from webapp.pages import services
from webapp.pages.models import Attachment, PageKind, PageState
from webapp.pages.search import excerpt, fold_map, highlight, query_words, search
from webapp.pages.services import PageValues
from webapp.text import fold

FRAGMENT_BUDGET = 5 * 1024


@pytest.fixture
def publisher(db, tree):
    return factories.make_user(roles=[(Role.PUBLISHER, tree.province)])


@pytest.fixture
def publish(db, tree, publisher):
    """Create a page; published unless told otherwise; `days_ago` fixes its publication time."""

    def make(
        title,
        body="",
        *,
        state=PageState.PUBLISHED,
        kind=PageKind.GUIDANCE,
        summary=None,
        days_ago=None,
    ):
        page = services.create_page(
            publisher,
            unit=tree.province,
            parent=None,
            kind=kind,
            values=PageValues(title, body, summary),
        )
        if state != PageState.DRAFT:
            services.set_state(publisher, page, page.version, PageState.PUBLISHED)
        if state == PageState.ARCHIVED:
            services.set_state(publisher, page, page.version, PageState.ARCHIVED)
        if days_ago is not None:
            page.published_at = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=days_ago)
        db.session.commit()
        return page

    return make


def titles(query: str, **kwargs) -> list[str]:
    return [hit.page.title for hit in search(query, **kwargs).hits]


def attach(db, page, title: str) -> Attachment:
    attachment = Attachment(
        page=page,
        title=title,
        filename="mau.docx",
        stored_name=uuid.uuid4().hex,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size=24_576,
        search_title=fold(title),
    )
    db.session.add(attachment)
    db.session.commit()
    return attachment


# Matching


def test_search_dong_finds_dong_with_d_stroke_and_tones(publish):
    publish("Xã Đồng Phúc ra quân", "Cả xã cùng làm.")
    publish("Xã Cao Sơn", "Không liên quan.")
    assert titles("dong") == ["Xã Đồng Phúc ra quân"]
    assert titles("Đồng") == titles("dong") == titles("DONG")


def test_search_nong_thon_finds_nong_thon_in_any_case(publish):
    publish("Kế hoạch năm 2027", "Xây dựng nông thôn mới ở các xã.")
    publish("Đô thị văn minh", "Phố phường sạch đẹp.")
    expected = ["Kế hoạch năm 2027"]
    assert titles("nong thon") == expected
    assert titles("Nong Thon") == expected
    assert titles("NÔNG THÔN") == expected
    assert titles("nông thôn") == expected


def test_search_duong_and_duong_with_accents_give_the_same_results(publish):
    publish("Làm đường giao thông", "Bê tông hoá đường thôn.")
    publish("Tuyên dương", "Khen thưởng tập thể.")
    publish("Nhà văn hoá", "Không có từ đó.")
    accented = titles("đường")
    assert accented == titles("duong") == titles("Đuong") == titles("DƯỜNG")
    assert set(accented) == {"Làm đường giao thông", "Tuyên dương"}


def test_search_every_word_must_match_in_title_or_text(publish):
    publish("Nông thôn mới", "Giao thông và thuỷ lợi.")
    publish("Nông nghiệp", "Giao thông nội đồng.")
    assert titles("nong thon thuy loi") == ["Nông thôn mới"]
    # Both have "nong" in the title and the rest in the text: same rank, newest first.
    assert titles("nong giao thong") == ["Nông nghiệp", "Nông thôn mới"]
    assert titles("nong thon xyz") == []


def test_search_old_and_new_tone_placement_and_apostrophes_match(publish):
    publish("Hoà giải ở cơ sở", "Đồng bào H'Mông ở Ủy ban xã.")
    assert titles("hòa giai") == titles("hoa giai") == ["Hoà giải ở cơ sở"]
    assert titles("hmong") == titles("H’Mông") == ["Hoà giải ở cơ sở"]
    assert titles("uỷ ban") == ["Hoà giải ở cơ sở"]


def test_search_ignores_one_letter_words_unless_alone(publish):
    publish("Quy chế a", "Nội dung b.")
    assert query_words("xa a") == ("xa",)
    assert query_words("a") == ("a",)
    assert query_words("Đồng, đồng; ĐỒNG!") == ("dong",)
    assert titles("quy a") == ["Quy chế a"]


# Ranking


def test_search_ranks_title_matches_above_text_matches(publish):
    publish("Tin hoạt động", "Bàn về nông thôn mới.", days_ago=1)  # text only, newest
    publish("Nông nghiệp sạch", "Thôn Nà Phặc làm mẫu.", days_ago=3)  # one word in title
    publish("Nông thôn mới", "Kế hoạch.", days_ago=5)  # all words in title, oldest
    assert titles("nong thon") == ["Nông thôn mới", "Nông nghiệp sạch", "Tin hoạt động"]


def test_search_orders_equal_ranks_newest_first_and_sections_after_pages(publish):
    publish("Hướng dẫn", "", kind=PageKind.SECTION, days_ago=0)
    publish("Hướng dẫn đăng ký", "Cách đăng ký.", days_ago=10)
    publish("Hướng dẫn chấm điểm", "Cách chấm.", days_ago=2)
    assert titles("huong dan") == ["Hướng dẫn chấm điểm", "Hướng dẫn đăng ký", "Hướng dẫn"]


# What is searched


def test_search_never_shows_drafts_or_archived_pages(publish):
    publish("Đồng Phúc công khai", "Đã xuất bản.")
    publish("Đồng Phúc nháp", "Bản nháp.", state=PageState.DRAFT)
    publish("Đồng Phúc cũ", "Đã lưu trữ.", state=PageState.ARCHIVED)
    results = search("dong phuc")
    assert [h.page.title for h in results.hits] == ["Đồng Phúc công khai"] and results.total == 1


def test_search_finds_attachment_titles_of_published_pages_only(db, client, publish):
    page = publish("Biểu mẫu", "Các mẫu dùng trong phong trào.")
    draft = publish("Biểu mẫu mới", "Chưa xong.", state=PageState.DRAFT)
    attach(db, page, "Mẫu đăng ký công trình, phần việc")
    attach(db, page, "Hướng dẫn điền")
    attach(db, draft, "Mẫu đăng ký năm sau")
    results = search("dang ky cong trinh")
    assert [h.page.title for h in results.hits] == ["Biểu mẫu"]
    [(attachment, title)] = results.hits[0].attachments
    assert attachment.title == "Mẫu đăng ký công trình, phần việc"
    assert (
        str(title)
        == "Mẫu <mark>đăng</mark> <mark>ký</mark> <mark>công</mark> <mark>trình</mark>, phần việc"
    )
    shown = client.get("/search?q=dang+ky+cong+trinh").get_data(as_text=True)
    assert 'href="/pages/bieu-mau#attachments"' in shown and str(title) in shown


def test_search_percent_and_underscore_match_only_themselves(publish):
    publish("Tỷ lệ", "Đạt 50% kế hoạch.")
    publish("Mã số", "Ký hiệu KH_129.")
    publish("Khác", "Không có ký tự đặc biệt.")
    assert titles("%") == ["Tỷ lệ"]
    assert titles("50%") == ["Tỷ lệ"]
    assert titles("_") == ["Mã số"]
    assert titles("h_1") == ["Mã số"]  # "_" is a character here, not a wildcard
    assert titles("h%1") == titles("k__1") == []


# Highlighting


def test_fold_map_folds_like_fold_and_points_back_to_the_original():
    samples = [
        "Đồng Văn đường Ủy ban H'Mông",
        "  Nông   thôn\nmới\t ",
        "Straße ﬁnal Ωμέγα",
        unicodedata.normalize("NFD", "Hoà giải Đồng"),
        "q\u0303 x",  # a mark NFC cannot compose
        "emoji 🎉 ok",
        "",
    ]
    for sample in samples:
        text = unicodedata.normalize("NFC", sample)
        folded, origin = fold_map(text)
        assert folded == fold(sample)
        assert len(origin) == len(folded)
        assert origin == sorted(origin) and all(0 <= i < len(text) for i in origin)


def test_highlight_marks_the_original_accented_words():
    words = query_words("dong thon")
    marked = str(highlight("Xã Đồng Phúc, thôn Nà Đon", words))
    assert marked == "Xã <mark>Đồng</mark> Phúc, <mark>thôn</mark> Nà Đon"
    assert str(highlight("Straße", query_words("strasse"))) == "<mark>Straße</mark>"
    assert str(highlight("Đồng H'Mông", query_words("hmong"))) == "Đồng <mark>H&#39;Mông</mark>"
    decomposed = unicodedata.normalize("NFD", "Đồng")
    assert str(highlight(decomposed, query_words("dong"))) == "<mark>Đồng</mark>"


def test_excerpt_is_about_160_characters_around_the_first_match_and_escaped():
    text = ("Phần mở đầu khá dài. " * 30) + "Xã Đồng Phúc <b>đi đầu</b>. " + ("Phần sau. " * 30)
    snippet = str(excerpt(text, query_words("dong phuc")))
    assert "<mark>Đồng</mark> <mark>Phúc</mark>" in snippet
    assert "&lt;b&gt;đi đầu&lt;/b&gt;" in snippet and "<b>" not in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    shown = unescape(re.sub(r"<[^>]+>", "", snippet)).removeprefix("… ").removesuffix(" …")
    assert 120 <= len(shown) <= 170
    at = text.find(shown)
    assert text[at - 1] == " " and text[at + len(shown)] == " "  # cut between words


@pytest.mark.parametrize("filler", [*range(1994, 2003), 5000])
def test_excerpt_finds_a_match_deep_in_a_long_text(filler):
    for text in (
        "x" * filler + " Đồng Phúc " + "y " * 100,  # one very long word before the match
        ("ab " * 1000)[:filler] + " Đồng Phúc " + "y " * 100,
    ):
        snippet = str(excerpt(text, query_words("dong phuc")))
        assert "<mark>Đồng</mark> <mark>Phúc</mark>" in snippet


def test_excerpt_without_a_match_is_the_start_of_the_text():
    snippet = str(excerpt("Một hai ba. " * 40, ("xyz",)))
    assert snippet.startswith("Một hai ba.") and snippet.endswith(" …") and "<mark>" not in snippet


# The page and the fragment


def test_search_page_shows_highlighted_escaped_snippets(client, publish):
    publish(
        "Tin tức xã",
        "Bài viết có chữ <script>alert(1)</script> và nói về Đồng Phúc ở huyện.",
    )
    response = client.get("/search", query_string={"q": "dong phuc"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark>Đồng</mark> <mark>Phúc</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "1 result" in html or "1 kết quả" in html
    assert re.search(r"<title>[^<]*dong phuc[^<]*</title>", html)
    assert 'href="/pages/tin-tuc-xa"' in html


def test_search_page_without_query_shows_the_form_and_a_hint(client):
    response = client.get("/search")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="q"' in html and 'method="get"' in html
    assert 'hx-get="/search"' in html and 'hx-target="#search-results"' in html
    assert "nong thon" in html  # the hint
    assert "<mark>" not in html


def test_search_title_escapes_the_query(client):
    html = client.get("/search", query_string={"q": "<b>x</b>"}).get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_search_htmx_request_returns_the_fragment_with_vary(client, publish):
    for n in range(20):
        publish(
            f"Hướng dẫn xây dựng nông thôn mới số {n}",
            "Các xã phấn đấu đạt chuẩn nông thôn mới theo bộ tiêu chí quốc gia, "
            "huy động nhân dân hiến đất làm đường giao thông nông thôn. " * 3,
        )
    response = client.get("/search?q=nong+thon", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert html.count("<li>") == 20
    assert "HX-Request" in response.headers["Vary"]
    assert len(gzip.compress(response.data)) <= FRAGMENT_BUDGET
    page = client.get("/search?q=nong+thon")
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]


def test_search_anonymous_responses_may_be_cached_for_a_minute(client, publish, tree, login_as):
    publish("Đồng Phúc", "")
    fragment = client.get("/search?q=dong", headers={"HX-Request": "true"})
    assert fragment.cache_control.public and fragment.cache_control.max_age == 60
    page = client.get("/search?q=dong")
    assert page.cache_control.private and page.cache_control.max_age == 60
    signed_in, _ = login_as(Role.VIEWER, tree.province)
    assert signed_in.get("/search?q=dong").cache_control.no_store


def test_search_pages_through_results_keeping_the_query(client, publish):
    for n in range(25):
        publish(f"Mô hình Đồng Phúc {n:02d}", "", days_ago=n)
    first = client.get("/search?q=dong").get_data(as_text=True)
    assert first.count("<li>") == 20 and "25 " in first
    assert 'href="/search?q=dong&amp;page=2"' in first and 'rel="prev"' not in first
    second = client.get("/search?q=dong&page=2").get_data(as_text=True)
    assert second.count("<li>") == 5 and 'start="21"' in second
    assert 'href="/search?q=dong&amp;page=1"' in second and 'rel="next"' not in second
    assert "/pages/mo-hinh-dong-phuc-24" in second and "/pages/mo-hinh-dong-phuc-00" in first
    beyond = client.get("/search?q=dong&page=9")
    assert beyond.status_code == 200 and "<li>" not in beyond.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "%",
        "_",
        "%%%",
        "\\",
        "' OR 1=1 --",
        '"; DROP TABLE pages; --',
        "a" * 500,
        "đồng " * 120,
        "🎉🇻🇳",
        "\x00",
        "dong\x00phuc",
        "'",
        "   ",
        "<script>",
        "ﷺ",
        "ß" * 300,
    ],
)
def test_search_odd_input_never_fails(client, publish, query):
    publish("Đồng Phúc", "Nội dung 50% _ ' \\")
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/search", query_string={"q": query, "page": "x"}, headers=headers)
        assert response.status_code == 200


@pytest.mark.parametrize("raw", ["q=%ED%A0%80", "q=%FF%FE", "q=a&q=b", "q[]=x", "q=%25%5F"])
def test_search_undecodable_or_repeated_parameters_never_fail(client, raw):
    assert client.get(f"/search?{raw}").status_code == 200


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999999", "1.5"])
def test_search_odd_page_numbers_never_fail(client, publish, page):
    publish("Đồng Phúc", "")
    assert client.get("/search", query_string={"q": "dong", "page": page}).status_code == 200


def test_search_cuts_very_long_queries(client, publish):
    publish("Đồng Phúc", "")
    results = client.get("/search", query_string={"q": "dong " + "x" * 300})
    html = results.get_data(as_text=True)
    assert results.status_code == 200 and "200" in html  # "only the first 200 characters"
    assert f'value="dong {"x" * 195}"' in html


# Translations


def _translate(db, page, title: str, body: str, *, publish: bool = True, language: str = "tyz"):
    from webapp.pages import translations

    translator = factories.make_user(roles=[(Role.TRANSLATOR, page.unit, None, language)])
    translation = translations.translation_for(page, language)
    translations.save_translation(
        translator, translation, 0, PageValues(title, body),
        source_revision_id=page.current_revision_id,
    )  # fmt: skip
    if publish:
        factories.approve_translation(translator, translation)
    db.session.commit()
    return translation


def test_search_finds_published_translations_and_shows_the_language_that_matched(db, publish):
    page = publish("Hướng dẫn đăng ký", "Các bước đăng ký công trình.")
    _translate(db, page, "[tyz] Slư chỉ bảo", "[tyz] Pác kha đăng ký.")
    draft = publish("Kế hoạch", "Nội dung kế hoạch.")
    _translate(db, draft, "[tyz] Kế hoạch slư", "[tyz] Pác kha", publish=False, language="nut")
    hits = search("pac kha").hits
    assert [(h.page.title, h.language) for h in hits] == [("Hướng dẫn đăng ký", "tyz")]
    assert str(hits[0].title) == "[tyz] Slư chỉ bảo"
    assert "<mark>Pác</mark> <mark>kha</mark>" in str(hits[0].snippet)
    assert [h.language for h in search("dang ky").hits] == ["vi"]  # the original matched
    assert [h.language for h in search("dang ky", language="tyz").hits] == ["tyz"]  # both did
    assert search("slu chi bao").hits[0].page == page  # a translated title ranks as a title


def test_search_page_marks_the_language_of_each_result(db, app, client, publish, monkeypatch):
    monkeypatch.setitem(app.config, "LANGUAGES", ["vi", "tyz"])
    page = publish("Hướng dẫn đăng ký", "Các bước.")
    _translate(db, page, "[tyz] Slư chỉ bảo", "[tyz] Pác kha.")
    html = client.get("/search", query_string={"q": "pac kha"}).get_data(as_text=True)
    assert f'href="/pages/{page.path}?lang=tyz" lang="tyz">[tyz] Slư chỉ bảo</a>' in html
    client.set_cookie("lang", "tyz")
    html = client.get("/search", query_string={"q": "pac kha"}).get_data(as_text=True)
    assert f'href="/pages/{page.path}" lang="tyz">' in html
