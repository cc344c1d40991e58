"""Opinions (issue 19), what tests/test_opinions.py leaves open: sending up from the district
to the province, each step's bad input (empty, 1 MB, garbled) answered with its message and
nothing changed, merging into what cannot take it, and every step refused (403) to another
commune's or district's committee. Both databases."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from tests import factories, test_opinions
from tests.test_opinions import NAME, PHONE, _opinion, _post, _send
from webapp import policy
from webapp.auth.models import Role
from webapp.extensions import db as _db
from webapp.opinions.models import Opinion, OpinionSource, OpinionState
from webapp.policy import Action

MEGABYTE = "x" * 1_000_000
sent = test_opinions.sent  # the fixture: an opinion sent online with a name and phone


def test_the_district_sends_it_up_to_the_province_which_answers(login_as, sent, tree):
    commune, _user = login_as(Role.EDITOR, tree.c1)
    _post(commune, sent, "forward", **{"forward-reason": "Ngoài thẩm quyền của xã"})
    district, _user = login_as(Role.REVIEWER, tree.d1)
    opinion = _opinion(sent.code)
    # The commune handed it on: it cannot send it again nor reject it (a word, no change)…
    again = _post(commune, opinion, "reject", reason="Đổi ý")
    assert again.status_code == 303 and _opinion(sent.code).state == OpinionState.FORWARDED
    # …the district, where it now is, sends it on up to the province…
    assert (
        _post(district, opinion, "forward", **{"forward-reason": "Cần tỉnh quyết"}).status_code
        == 303
    )
    opinion = _opinion(sent.code)
    assert (opinion.state, opinion.forwarded_to_id) == (OpinionState.FORWARDED, tree.province.id)
    assert opinion.reason == "Cần tỉnh quyết"
    # …and may no longer handle it once the province has it; the province answers.
    late = _post(district, opinion, "summary", summary="Muộn")
    assert late.status_code == 303 and _opinion(sent.code).summary is None
    province, _user = login_as(Role.REVIEWER, tree.province)
    assert "Không có cấp trên" not in province.get(f"/opinions/{sent.id}").get_data(as_text=True)
    answer = {"answer_text": "Tỉnh bố trí vốn.", "agency": "UBND tỉnh", "answered_on": "01/12/2026"}
    assert _post(province, opinion, "answer", **answer).status_code == 303
    opinion = _opinion(sent.code)
    assert opinion.state == OpinionState.ANSWERED and opinion.answered_on.day == 1
    assert test_opinions._actions(opinion)[-3:] == [
        "opinion.forwarded",
        "opinion.forwarded",
        "opinion.answered",
    ]


@pytest.mark.parametrize(
    ("role_at", "handle"),
    [("c1", False), ("d1", True), ("province", True), ("d2", False)],
)
def test_a_forwarded_opinion_is_handled_where_it_was_sent(db, tree, role_at, handle):
    opinion = Opinion(
        code="FWD34679", unit=tree.c1, text="Đèn", source=OpinionSource.ONLINE,
        state=OpinionState.FORWARDED, forwarded_to=tree.d1,
    )  # fmt: skip
    _db.session.add(opinion)
    user = factories.make_user(roles=[(Role.EDITOR, getattr(tree, role_at))])
    _db.session.commit()
    assert policy.can(user, Action.OPINION_HANDLE, opinion) is handle
    assert policy.can(AnonymousUserMixin(), Action.OPINION_HANDLE, opinion) is False


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("reject", {"reason": ""}, "Trường này là bắt buộc."),
        ("reject", {"reason": MEGABYTE}, "Tối đa 2000 ký tự."),
        ("forward", {"forward-reason": MEGABYTE}, "Tối đa 2000 ký tự."),
        ("summary", {"summary": MEGABYTE}, "Tối đa 1000 ký tự."),
        ("merge", {"target": ""}, "Trường này là bắt buộc."),
        ("merge", {"target": "KHONGCO"}, "Hãy nhập mã của một ý kiến khác cùng xã."),
        ("merge", {"target": "<script>"}, "Hãy nhập mã của một ý kiến khác cùng xã."),
    ],
)
def test_bad_input_to_a_step_is_answered_and_changes_nothing(
    login_as, sent, tree, step, data, message
):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    response = _post(editor, sent, step, **data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    opinion = _opinion(sent.code)
    assert (opinion.state, opinion.version, opinion.summary) == (OpinionState.RECEIVED, 1, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer_text": "", "agency": "UBND xã"}, "Trường này là bắt buộc."),
        ({"answer_text": MEGABYTE, "agency": "UBND xã"}, "Tối đa 10000 ký tự."),
        ({"answer_text": "Đã làm", "agency": ""}, "Trường này là bắt buộc."),
        ({"answer_text": "Đã làm", "agency": "x" * 300}, "Tối đa 200 ký tự."),
        ({"answer_text": "Đã làm", "agency": "UBND", "answered_on": "32/13/2026"}, "Ngày không"),
    ],
)
def test_bad_answers_are_answered_and_change_nothing(login_as, sent, tree, data, message):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    _post(editor, sent, "accept")
    opinion = _opinion(sent.code)
    response = _post(editor, opinion, "answer", **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _opinion(sent.code).state == OpinionState.ACCEPTED
    assert _opinion(sent.code).answer_text is None


def test_merging_into_itself_or_a_settled_opinion_is_refused(login_as, client, sent, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    itself = _post(editor, sent, "merge", target=sent.code)
    assert itself.status_code == 422
    assert _send(client, tree, address="10.0.0.5").status_code == 303
    answered = _opinion()
    _post(editor, answered, "accept")
    _post(editor, _opinion(answered.code), "answer", answer_text="Xong", agency="UBND xã")
    closed_target = _post(editor, _opinion(sent.code), "merge", target=answered.code)
    assert closed_target.status_code == 422
    assert "hãy gộp vào một ý kiến đang xử lý" in closed_target.get_data(as_text=True)
    assert _opinion(sent.code).state == OpinionState.RECEIVED
    assert _opinion(answered.code).people == 1


def test_a_merged_opinion_takes_no_further_step(login_as, client, sent, tree):
    assert _send(client, tree, address="10.0.0.6").status_code == 303
    target = _opinion()
    editor, _user = login_as(Role.EDITOR, tree.c1)
    assert _post(editor, sent, "merge", target=target.code).status_code == 303
    merged = _opinion(sent.code)
    for step, data in [("accept", {}), ("reject", {"reason": "x"}), ("merge", {"target": "Y"})]:
        assert _post(editor, merged, step, **data).status_code == 303  # a word, no change
    merged = _opinion(sent.code)
    assert merged.state == OpinionState.MERGED and merged.merged_into_id == target.id
    assert _opinion(target.code).people == 2


@pytest.mark.parametrize(
    "step",
    ["accept", "reject", "forward", "summary", "merge", "answer", "close"],
)
def test_another_committee_cannot_take_any_step(login_as, sent, tree, step):
    data = {
        "reject": {"reason": "x"},
        "forward": {"forward-reason": "x"},
        "summary": {"summary": "x"},
        "merge": {"target": sent.code},
        "answer": {"answer_text": "x", "agency": "y"},
    }.get(step, {})
    for role, unit in [
        (Role.EDITOR, tree.c2),
        (Role.REVIEWER, tree.d2),
        (Role.TRANSLATOR, tree.c1),
    ]:
        other, _user = login_as(role, unit)
        assert other.get(f"/opinions/{sent.id}").status_code == 403
        assert _post(other, sent, step, **data).status_code == 403, (role, unit.name)
    opinion = _opinion(sent.code)
    assert (opinion.state, opinion.version) == (OpinionState.RECEIVED, 1)


def test_no_page_outside_the_committee_shows_the_sender(login_as, client, sent, tree):
    viewer, _user = login_as(Role.VIEWER, tree.c1)
    for reader in (client, viewer):
        for url in (
            f"/opinions/track?code={sent.code}",
            f"/opinions/answers?commune={tree.c1.id}",
            "/",
        ):
            text = reader.get(url).get_data(as_text=True)
            assert NAME not in text and PHONE not in text, url
        assert reader.get("/opinions").status_code in (302, 403)


@pytest.mark.parametrize(
    "args",
    [{"code": MEGABYTE[:100_000]}, {"code": "\x00"}, {"code": ""}, {"code": "🙂🙂🙂"}],
)
def test_a_garbled_code_is_answered_not_an_error(client, sent, args):
    response = client.get("/opinions/track", query_string=args)
    assert response.status_code in (200, 404)
    assert NAME not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sender_name": MEGABYTE}, "Tối đa 120 ký tự."),
        ({"sender_contact": "1" * 200}, "Tối đa 120 ký tự."),
        ({"text": "\x00\x01"}, "Trường này là bắt buộc."),
    ],
)
def test_more_bad_input_on_the_public_form(client, campaign, tree, data, message):
    response = _send(client, tree, **data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _opinion() is None
