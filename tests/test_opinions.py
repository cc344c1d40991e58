"""Opinions of the people (issue 19): the public form and tracking page, each handling step,
merging, overdue, scope, and the abuse limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.db import utcnow
from webapp.extensions import db as _db
from webapp.opinions.models import Opinion, OpinionSetting, OpinionSource, OpinionState
from webapp.units.models import Level, Unit

NAME, PHONE = "Nguyễn Văn Riêng", "0912 345 678"


def _form(tree, **data):
    values = {
        "district": tree.d1.id,
        "commune": tree.c1.id,
        "topic": factories.content(1).id,
        "text": "Đề nghị làm đèn đường ở thôn Nà Mò.",
    }
    values.update(data)
    return values


def _send(client, tree, address="10.0.0.1", **data):
    return client.post(
        "/opinions/new",
        data=_form(tree, **data),
        csrf=False,
        environ_base={"REMOTE_ADDR": address},
    )


def _opinion(code: str | None = None) -> Opinion:
    _db.session.expire_all()
    stmt = sa.select(Opinion).order_by(Opinion.id.desc())
    if code:
        stmt = sa.select(Opinion).where(Opinion.code == code)
    return _db.session.scalar(stmt)


def _actions(opinion: Opinion) -> list[str]:
    return list(
        _db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "opinions", AuditEvent.object_id == opinion.id)
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def sent(client, campaign, tree) -> Opinion:
    response = _send(client, tree, sender_name=NAME, sender_contact=PHONE)
    assert response.status_code == 303, response.get_data(as_text=True)
    return _opinion()


def test_the_form_chooses_the_district_then_its_communes_in_force(client, campaign, tree):
    first = client.get("/opinions/new")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert tree.d1.name in page and tree.d2.name in page
    assert not [c for c in first.headers.getlist("Set-Cookie") if c.startswith("session=")]
    tree.c2.valid_to = tree.c2.valid_from or utcnow().date() - timedelta(days=1)
    _db.session.commit()
    second = client.get(f"/opinions/new?district={tree.d1.id}").get_data(as_text=True)
    assert tree.c1.name in second
    assert tree.c2.name not in second  # ended: not in force
    assert tree.c3.name not in second  # another district's


def test_an_opinion_sent_gets_a_code_and_its_page_never_shows_the_sender(client, sent, tree):
    assert sent.state == OpinionState.RECEIVED and sent.source == OpinionSource.ONLINE
    assert (sent.sender_name, sent.sender_contact, sent.unit_id) == (NAME, PHONE, tree.c1.id)
    assert len(sent.code) == 8 and set(sent.code) <= set("34679ACDEFGHJKMNPQRTUVWXY")
    assert sent.address_key and "10.0.0.1" not in sent.address_key
    assert _actions(sent) == ["opinion.sent"]
    page = client.get(f"/opinions/track?code={sent.code.lower()}&sent=1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert sent.code in text and "Đã nhận" in text
    assert NAME not in text and PHONE not in text
    missing = client.get("/opinions/track?code=XXXX")  # no code is this short
    assert missing.status_code == 404
    assert "Không có ý kiến nào mang mã này" in missing.get_data(as_text=True)


def test_the_honeypot_refuses_and_keeps_nothing(client, campaign, tree):
    response = _send(client, tree, website="http://spam.example")
    assert response.status_code == 400
    assert _opinion() is None


def test_one_address_may_send_only_so_many_an_hour(app, client, campaign, tree):
    app.config["OPINIONS_PER_ADDRESS_HOUR"] = 2
    try:
        assert _send(client, tree).status_code == 303
        assert _send(client, tree).status_code == 303
        refused = _send(client, tree, text="Lần thứ ba")
        assert refused.status_code == 429
        assert "Quá nhiều ý kiến" in refused.get_data(as_text=True)
        assert "Lần thứ ba" in refused.get_data(as_text=True)  # kept as typed
        assert _send(client, tree, address="10.0.0.2").status_code == 303  # another address
    finally:
        app.config["OPINIONS_PER_ADDRESS_HOUR"] = 5
    assert _db.session.scalar(sa.select(sa.func.count(Opinion.id))) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   "}, "Trường này là bắt buộc."),
        ({"text": "x" * 1_000_000}, "Tối đa 5000 ký tự."),
        ({"commune": "999999"}, "Hãy chọn một xã còn tồn tại hôm nay."),
        ({"topic": "abc"}, "Vui lòng chọn một mục."),
        ({"sender_contact": "gọi tôi"}, "Hãy nhập số điện thoại hoặc địa chỉ e-mail."),
    ],
)
def test_bad_input_is_answered_with_a_message(client, campaign, tree, data, message):
    response = _send(client, tree, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _opinion() is None


def test_a_missing_district_is_a_bad_request_not_an_error(client, campaign, tree):
    assert _send(client, tree, district="abc").status_code == 400


def _post(client, opinion, step, **data):
    version = "forward-version" if step == "forward" else "version"
    return client.post(f"/opinions/{opinion.id}/{step}", data={version: opinion.version, **data})


def test_each_state_change_by_the_commune_committee(login_as, client, sent, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    assert _post(editor, sent, "accept").status_code == 303
    assert _opinion(sent.code).state == OpinionState.ACCEPTED
    opinion = _opinion(sent.code)
    empty = _post(editor, opinion, "forward", **{"forward-reason": " "})
    assert empty.status_code == 422 and "Trường này là bắt buộc." in empty.get_data(as_text=True)
    _post(editor, opinion, "summary", summary="Làm đèn đường thôn Nà Mò")
    opinion = _opinion(sent.code)
    assert opinion.summary == "Làm đèn đường thôn Nà Mò"
    _post(editor, opinion, "forward", **{"forward-reason": "Ngoài thẩm quyền của xã"})
    opinion = _opinion(sent.code)
    assert opinion.state == OpinionState.FORWARDED and opinion.forwarded_to_id == tree.d1.id
    assert opinion.reason == "Ngoài thẩm quyền của xã"
    again = _post(editor, opinion, "accept")  # moved on: a word, nothing changes
    assert again.status_code == 303 and _opinion(sent.code).state == OpinionState.FORWARDED
    reviewer, _user = login_as(Role.REVIEWER, tree.d1)
    answer = {"answer_text": "Sẽ lắp trong quý 3.", "agency": "UBND huyện", "answered_on": ""}
    assert _post(reviewer, opinion, "answer", **answer).status_code == 303
    opinion = _opinion(sent.code)
    assert opinion.state == OpinionState.ANSWERED and opinion.answer_agency == "UBND huyện"
    assert _post(reviewer, opinion, "close").status_code == 303
    opinion = _opinion(sent.code)
    assert opinion.state == OpinionState.CLOSED
    assert _actions(opinion) == [
        "opinion.sent",
        "opinion.accepted",
        "opinion.reworded",
        "opinion.forwarded",
        "opinion.answered",
        "opinion.closed",
    ]
    text = client.get(f"/opinions/track?code={opinion.code}").get_data(as_text=True)
    assert "Sẽ lắp trong quý 3." in text and "UBND huyện" in text and NAME not in text


def test_a_rejection_shows_its_reason_to_the_sender(login_as, client, sent, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    assert _post(editor, sent, "reject", reason="Không thuộc địa bàn xã").status_code == 303
    opinion = _opinion(sent.code)
    assert opinion.state == OpinionState.REJECTED
    assert _actions(opinion)[-1] == "opinion.rejected"
    text = client.get(f"/opinions/track?code={opinion.code}").get_data(as_text=True)
    assert "Không thuộc địa bàn xã" in text and PHONE not in text
    late = _post(editor, opinion, "answer", answer_text="x", agency="y")
    assert late.status_code == 303 and _opinion(sent.code).answer_text is None


def test_a_stale_version_changes_nothing(login_as, sent, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    response = editor.post(f"/opinions/{sent.id}/reject", data={"version": 99, "reason": "Trễ"})
    assert response.status_code == 303
    assert _opinion(sent.code).state == OpinionState.RECEIVED


def test_merging_adds_the_counts_and_the_codes_follow(login_as, client, sent, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    recorded = editor.post(
        "/opinions/record",
        data={
            "meeting_kind": "voter_contact",
            "meeting_place": "Nhà văn hóa thôn",
            "meeting_on": "05/12/2026",
            "commune": tree.c1.id,
            "topic": "policy",
            "text": "Cử tri đề nghị lắp đèn đường.",
            "people": "12",
        },
    )
    assert recorded.status_code == 303, recorded.get_data(as_text=True)
    meeting = _opinion()
    assert (meeting.source, meeting.people, meeting.content_id) == (
        OpinionSource.MEETING,
        12,
        None,
    )
    third = _send(client, tree, address="10.0.0.9")
    assert third.status_code == 303
    third = _opinion()
    assert _post(editor, third, "merge", target=sent.code.lower()).status_code == 303
    assert _opinion(sent.code).people == 2
    assert _post(editor, _opinion(sent.code), "merge", target=meeting.code).status_code == 303
    meeting, first, third = _opinion(meeting.code), _opinion(sent.code), _opinion(third.code)
    assert meeting.people == 14
    assert first.state == third.state == OpinionState.MERGED
    assert first.merged_into_id == third.merged_into_id == meeting.id  # codes follow
    assert meeting.state == OpinionState.ACCEPTED
    assert _actions(first)[-1] == "opinion.merged"
    answer = {"answer_text": "Đã lắp đèn.", "agency": "UBND xã"}
    assert _post(editor, meeting, "answer", **answer).status_code == 303
    for code in (first.code, third.code):
        text = client.get(f"/opinions/track?code={code}").get_data(as_text=True)
        assert "Đã lắp đèn." in text and meeting.code in text


def test_merging_into_another_commune_is_refused(login_as, client, sent, tree):
    assert _send(client, tree, address="10.0.0.3", commune=tree.c2.id).status_code == 303
    other = _opinion()
    editor, _user = login_as(Role.EDITOR, tree.d1)
    response = _post(editor, sent, "merge", target=other.code)
    assert response.status_code == 422
    assert "cùng xã" in response.get_data(as_text=True)
    assert _opinion(sent.code).state == OpinionState.RECEIVED and _opinion(other.code).people == 1


def test_overdue_follows_the_campaign_setting(login_as, sent, campaign, tree):
    sent.received_at = utcnow() - timedelta(days=31)
    _db.session.commit()
    editor, _user = login_as(Role.EDITOR, tree.c1)
    assert sent.code in editor.get("/opinions?state=overdue").get_data(as_text=True)
    assert "Quá hạn" in editor.get(f"/opinions/{sent.id}").get_data(as_text=True)
    _db.session.add(OpinionSetting(campaign_id=campaign.id, answer_days=45))
    _db.session.commit()
    assert sent.code not in editor.get("/opinions?state=overdue").get_data(as_text=True)
    assert sent.code in editor.get("/opinions").get_data(as_text=True)


def test_another_communes_committee_is_refused(login_as, sent, tree):
    other, _user = login_as(Role.EDITOR, tree.c2)
    assert other.get(f"/opinions/{sent.id}").status_code == 403
    assert _post(other, sent, "accept").status_code == 403
    assert sent.code not in other.get("/opinions").get_data(as_text=True)
    viewer, _user = login_as(Role.VIEWER, tree.c1)  # reads the campaign, not senders
    assert viewer.get(f"/opinions/{sent.id}").status_code == 403
    district, _user = login_as(Role.REVIEWER, tree.d1)
    page = district.get(f"/opinions/{sent.id}").get_data(as_text=True)
    assert NAME in page and PHONE in page
    assert _opinion(sent.code).state == OpinionState.RECEIVED


def test_communes_right_under_a_province_are_chosen_through_it(client, campaign, tree):
    """From 2025 communes sit right under the province: the first step offers it."""
    province = factories.make_unit("Tỉnh Mới", level=Level.PROVINCE)
    commune = factories.make_unit("Xã Hai Cấp", parent=province)
    _db.session.commit()
    first = client.get("/opinions/new").get_data(as_text=True)
    assert "Tỉnh Mới" in first and tree.province.name not in first  # P has no commune itself
    assert commune.name in client.get(f"/opinions/new?district={province.id}").get_data(
        as_text=True
    )
    response = _send(client, tree, district=province.id, commune=commune.id)
    assert response.status_code == 303 and _opinion().unit_id == commune.id
    wrong = _send(client, tree, district=province.id, commune=tree.c1.id)  # not under it
    assert wrong.status_code == 422


def _meeting(tree, **data):
    values = {
        "meeting_kind": "area_meeting",
        "commune": tree.c1.id,
        "topic": "policy",
        "text": "Đề nghị hỗ trợ giống cây.",
        "people": "5",
    }
    values.update(data)
    return values


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"people": "0"}, "Hãy nhập một số từ 1 đến 100000."),
        ({"people": "٣"}, "Chỉ dùng các chữ số từ 0 đến 9."),
        ({"meeting_on": "31/02/2026"}, "Ngày không hợp lệ."),
        ({"meeting_kind": "party"}, "Lựa chọn không hợp lệ."),
        ({"text": ""}, "Trường này là bắt buộc."),
    ],
)
def test_a_meeting_record_with_bad_input_is_answered(login_as, campaign, tree, data, message):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    response = editor.post("/opinions/record", data=_meeting(tree, **data))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _opinion() is None


def test_the_staff_form_asks_about_the_person_who_raised_it(login_as, campaign, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    page = editor.get("/opinions/record").get_data(as_text=True)
    assert "Họ tên người nêu ý kiến (không bắt buộc)" in page
    # The kinds of meeting in the reader's language, not as they were at import (English).
    assert '<option value="area_meeting">Họp khu dân cư</option>' in page
    assert "Tên của bạn" not in page and "ý kiến của bạn" not in page.lower()


def test_a_meeting_of_another_commune_is_refused(login_as, campaign, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    assert (
        editor.post("/opinions/record", data=_meeting(tree, commune=tree.c2.id)).status_code == 403
    )
    assert _opinion() is None


def test_parallel_sends_from_one_address_keep_the_limit(app, db, tree):
    """The second send waits for the first's lock on the address, then counts it."""
    from tests.test_review import _race
    from webapp.opinions import services

    commune_id = tree.c1.id

    def send(session_db):
        unit = session_db.session.get(Unit, commune_id)
        services.send(services.OpinionValues(unit=unit, content=None, text="Đèn"), "10.0.0.7")

    app.config["OPINIONS_PER_ADDRESS_HOUR"] = 1
    try:
        outcomes, waited_in = _race(app, ("first", send), ("second", send))
    finally:
        app.config["OPINIONS_PER_ADDRESS_HOUR"] = 5
    assert waited_in is not None, "the second send never waited for the first"
    assert outcomes == {"first": "done", "second": "TooMany"}
    assert _db.session.scalar(sa.select(sa.func.count(Opinion.id))) == 1


def test_the_audit_log_reads_the_steps_by_code_and_links_the_opinion(login_as, sent, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    _post(editor, sent, "reject", reason="Trùng lặp")
    admin, _user = login_as(Role.ADMIN, tree.province)
    page = admin.get("/audit").get_data(as_text=True)
    assert f"Ý kiến {sent.code} đã được gửi" in page
    assert f"Ý kiến {sent.code} không được tiếp nhận" in page
    assert f'href="/opinions/{sent.id}"' in page
    assert NAME not in page and PHONE not in page
