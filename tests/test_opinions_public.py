"""The answers published back to the people (issue 19): the public list by commune and topic,
searched like the guidance, paged, cached by ETag, translated; and the tracking page's answer.
Never a sender's name or contact."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from webapp.auth.models import Role
from webapp.extensions import db as _db
from webapp.i18n.languages import tag_of
from webapp.opinions import services
from webapp.opinions.models import Opinion, OpinionState

NAME, PHONE = "Trần Thị Kín", "0987 654 321"


@pytest.fixture
def staff(db, tree):
    """The committee of C1 and C2's district (D1), and of C3's (D2)."""
    d1 = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    d2 = factories.make_user(roles=[(Role.REVIEWER, tree.d2)])
    _db.session.commit()
    return {tree.d1.id: d1, tree.d2.id: d2}


def _opinion_of(tree, staff, unit, text, *, answer=None, topic=None, summary=None, **kw):
    """An opinion of `unit` sent online (with the sender's name and phone), then, as asked,
    reworded, answered (and closed)."""
    opinion = services.send(
        services.OpinionValues(
            unit=unit, content=topic, text=text, sender_name=NAME, sender_contact=PHONE
        ),
        f"10.1.{unit.id % 250}.{_db.session.scalar(sa.select(sa.func.count(Opinion.id))) % 250}",
    )
    _db.session.flush()
    user = staff[unit.parent_id]
    if kw.get("state") == OpinionState.REJECTED:
        services.reject(user, opinion, "Trùng")
    elif answer or summary or kw.get("state") == OpinionState.ACCEPTED:
        services.accept(user, opinion)
    if summary:
        services.reword(user, opinion, summary)
    if answer:
        services.answer(user, opinion, answer, kw.get("agency", "UBND huyện"), kw.get("day"))
        if kw.get("close"):
            services.close(user, opinion)
    _db.session.commit()
    return opinion


def _page(client, **args) -> tuple[int, str]:
    response = client.get("/opinions/answers", query_string=args)
    return response.status_code, response.get_data(as_text=True)


def _select(page: str, name: str) -> str:
    return re.search(rf'<select id="a-{name}".*?</select>', page, re.S).group(0)


def test_only_answered_opinions_are_published_without_their_senders(client, campaign, tree, staff):
    answered = _opinion_of(tree, staff, tree.c1, "Đề nghị sửa cầu treo", answer="Sẽ sửa năm sau.")
    closed = _opinion_of(
        tree, staff, tree.c1, "Xin hỗ trợ giống lúa", answer="Đã cấp giống.", close=True
    )
    _opinion_of(tree, staff, tree.c1, "Chờ xử lý", state=OpinionState.ACCEPTED)
    _opinion_of(tree, staff, tree.c1, "Chưa nhận")
    _opinion_of(tree, staff, tree.c1, "Bị từ chối", state=OpinionState.REJECTED)
    status, page = _page(client)
    assert status == 200
    assert "Đề nghị sửa cầu treo" in page and "Sẽ sửa năm sau." in page
    assert "Xin hỗ trợ giống lúa" in page and "Đã cấp giống." in page
    assert "UBND huyện" in page and tree.c1.name in page
    for hidden in ("Chờ xử lý", "Chưa nhận", "Bị từ chối", NAME, PHONE, answered.code, closed.code):
        assert hidden not in page
    assert "2 ý kiến đã được trả lời" in page


def test_the_summary_stands_for_the_original_and_the_count_of_people(client, campaign, tree, staff):
    original = "Tôi là Trần Thị Kín, nhà ở đầu bản, xin làm lại đường vào bản"
    main = _opinion_of(tree, staff, tree.c1, original, summary="Làm lại đường vào bản")
    other = _opinion_of(tree, staff, tree.c1, "Đường vào bản hỏng")
    user = staff[tree.d1.id]
    services.merge(user, other, main)
    services.answer(user, main, "Đã có kế hoạch làm đường.", "UBND xã", date(2026, 11, 30))
    _db.session.commit()
    _status, page = _page(client)
    assert "Làm lại đường vào bản" in page and original not in page
    assert "Đường vào bản hỏng" not in page  # merged: counted in the one it joined
    assert "2 người nêu" in page and "30/11/2026" in page


def test_the_commune_choice_is_two_steps_without_javascript(client, campaign, tree, staff):
    _opinion_of(tree, staff, tree.c1, "Ý kiến xã một", answer="Trả lời xã một")
    _opinion_of(tree, staff, tree.c2, "Ý kiến xã hai", answer="Trả lời xã hai")
    _opinion_of(tree, staff, tree.c3, "Ý kiến xã ba", answer="Trả lời xã ba")
    _status, first = _page(client)
    assert f'<option value="{tree.d1.id}">' in _select(first, "district")
    assert _select(first, "commune").count("<option") == 1  # "All" until a district is chosen
    _status, district = _page(client, district=tree.d1.id)
    communes = _select(district, "commune")
    assert f'<option value="{tree.c1.id}">' in communes and f'"{tree.c3.id}"' not in communes
    assert "Ý kiến xã một" in district and "Ý kiến xã hai" in district
    assert "Ý kiến xã ba" not in district
    _status, commune = _page(client, district=tree.d1.id, commune=tree.c1.id)
    assert "Ý kiến xã một" in commune and "Ý kiến xã hai" not in commune
    # The commune's own page: its id alone; the district follows.
    _status, own = _page(client, commune=tree.c2.id)
    assert "Ý kiến xã hai" in own and "Ý kiến xã một" not in own
    assert f'<option value="{tree.d1.id}" selected>' in _select(own, "district")
    # JavaScript off, the district changed but the old commune sent along: the district wins.
    _status, moved = _page(client, district=tree.d2.id, commune=tree.c1.id)
    assert "Ý kiến xã ba" in moved and "Ý kiến xã một" not in moved


def test_the_topic_filter_and_mechanisms_and_policies(client, campaign, tree, staff):
    _opinion_of(
        tree, staff, tree.c1, "Về nội dung một", answer="Đáp một", topic=factories.content(1)
    )
    _opinion_of(tree, staff, tree.c1, "Về chính sách", answer="Đáp chính sách")
    _status, one = _page(client, topic=str(factories.content(1).id))
    assert "Về nội dung một" in one and "Về chính sách" not in one
    _status, policy = _page(client, topic="policy")
    assert "Về chính sách" in policy and "Về nội dung một" not in policy


def test_search_folds_accents_like_the_guidance_search(client, campaign, tree, staff):
    _opinion_of(tree, staff, tree.c1, "Lắp đèn đường thôn Nà Mò", answer="Đã lắp xong.")
    _opinion_of(tree, staff, tree.c1, "Nạo vét mương", answer="Đội thủy lợi làm.", agency="Đồn")
    _status, page = _page(client, q="DEN DUONG")
    assert "<mark>đèn</mark> <mark>đường</mark>" in page and "Nạo vét mương" not in page
    _status, agency = _page(client, q="thuy loi")
    assert "Nạo vét mương" in agency and "Lắp đèn" not in agency
    _status, none = _page(client, q="đèn mương")  # every word must occur
    assert "Không có ý kiến đã trả lời nào phù hợp." in none
    _status, odd = _page(client, q="100%_ <script>")
    assert "Không có ý kiến đã trả lời nào phù hợp." in odd and "<script>" not in odd


def test_answers_are_paged(client, campaign, tree, staff):
    for n in range(23):
        _opinion_of(tree, staff, tree.c1, f"Ý kiến số {n:02d}", answer=f"Trả lời số {n:02d}")
    _status, first = _page(client)
    assert "Ý kiến số 22" in first and "Ý kiến số 02" not in first and "Trang 1/2" in first
    _status, second = _page(client, page=2)
    assert "Ý kiến số 02" in second and "Ý kiến số 22" not in second
    assert "23 ý kiến đã được trả lời" in second


@pytest.mark.parametrize(
    "args",
    [
        {"district": "abc", "commune": "-1", "topic": "xyz", "page": "-3"},
        {"q": "x" * 1_000_000},
        {"commune": "99999999999999"},
        {"district": "\x00", "q": "\x00"},
    ],
)
def test_bad_filters_are_ignored_not_errors(client, campaign, tree, staff, args):
    _opinion_of(tree, staff, tree.c1, "Ý kiến có thật", answer="Đáp")
    status, page = _page(client, **args)
    assert status == 200 and "Trả lời ý kiến của nhân dân" in page


def test_a_commune_not_an_area_nor_a_district_filters(client, campaign, tree, staff):
    _opinion_of(tree, staff, tree.c1, "Ý kiến có thật", answer="Đáp")
    status, page = _page(client, commune=tree.d1.id)  # a district passed as a commune
    assert status == 200 and "Ý kiến có thật" in page


def test_anonymous_readers_revalidate_with_an_etag(client, login_as, campaign, tree, staff):
    _opinion_of(tree, staff, tree.c1, "Ý kiến một", answer="Đáp một")
    first = client.get(f"/opinions/answers?commune={tree.c1.id}")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"] and "Cookie" in first.headers["Vary"]
    again = client.get(f"/opinions/answers?commune={tree.c1.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    _opinion_of(tree, staff, tree.c1, "Ý kiến hai", answer="Đáp hai")
    changed = client.get(f"/opinions/answers?commune={tree.c1.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Ý kiến hai" in changed.get_data(as_text=True)
    other = client.get(f"/opinions/answers?commune={tree.c2.id}")
    assert other.headers["ETag"] != changed.headers["ETag"]
    editor, _user = login_as(Role.EDITOR, tree.c1)
    signed_in = editor.get("/opinions/answers")
    assert "no-store" in signed_in.headers["Cache-Control"] and "ETag" not in signed_in.headers


def test_the_page_is_translated(client, campaign, tree, staff):
    _opinion_of(tree, staff, tree.c1, "Ý kiến một", answer="Đáp một")
    client.get("/language/en")
    _status, page = _page(client)
    assert "<h1>Answers to the people's opinions</h1>" in page and "Ý kiến một" in page
    assert "1 answered opinion" in page


def test_the_code_shows_the_answer_and_follows_the_merged_one(client, campaign, tree, staff):
    main = _opinion_of(tree, staff, tree.c1, "Đèn đường", summary="Lắp đèn đường")
    mine = _opinion_of(tree, staff, tree.c1, "Tôi cũng xin đèn đường")
    user = staff[tree.d1.id]
    services.merge(user, mine, main)
    services.forward(user, main, "Cần kinh phí của tỉnh")
    _db.session.commit()
    page = client.get(f"/opinions/track?code={mine.code}").get_data(as_text=True)
    assert main.code in page and "Lắp đèn đường" in page and "2 người nêu" in page
    assert tree.d1.name in page  # sent up to the district
    services.answer(user, main, "Tỉnh cấp kinh phí năm 2027.", "UBND tỉnh", date(2026, 12, 1))
    _db.session.commit()
    page = client.get(f"/opinions/track?code={mine.code}").get_data(as_text=True)
    assert "Tỉnh cấp kinh phí năm 2027." in page and "UBND tỉnh" in page and "01/12/2026" in page
    assert f'href="/opinions/answers?commune={tree.c1.id}"' in page
    for private in (NAME, PHONE, "Tôi cũng xin", "Cần kinh phí"):
        assert private not in page
    public = client.get(f"/opinions/answers?commune={tree.c1.id}").get_data(as_text=True)
    assert "Tỉnh cấp kinh phí năm 2027." in public and NAME not in public


@pytest.mark.parametrize("language", ["tyz", "hmn"])
def test_a_minority_language_falls_back_to_vietnamese(client, campaign, tree, staff, language):
    """Only a person writes Tày or Hmong: until then, the page reads in Vietnamese."""
    _opinion_of(tree, staff, tree.c1, "Ý kiến một", answer="Đáp một")
    client.set_cookie("lang", language)
    _status, page = _page(client)
    assert "<h1>Trả lời ý kiến của nhân dân</h1>" in page and "Answers to" not in page
    assert "1 ý kiến đã được trả lời" in page
    chosen = f'<strong lang="{tag_of(language)}" aria-current="true">'
    assert chosen in page  # chosen, not ignored
    track = client.get("/opinions/track").get_data(as_text=True)
    assert "Theo dõi ý kiến" in track
