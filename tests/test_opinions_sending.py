"""Opinions to the authorities (issue 19): the consolidated list of a unit and period as a
page, a Word file and a spreadsheet (grouped by topic, counted, never a sender's data), the
record of its sending, overdue counted from it with each province's answer time, and the home
queue's opinion items."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date, timedelta

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from webapp.auth.models import Role
from webapp.db import local_today, utcnow
from webapp.extensions import db as _db
from webapp.opinions import services
from webapp.opinions.models import (
    MeetingKind,
    Opinion,
    OpinionDispatch,
    OpinionProvinceSetting,
    OpinionState,
)
from webapp.units.models import Level

NAME, PHONE, EMAIL = "Nguyễn Văn Riêng", "0912 345 678", "rieng@example.vn"
PLACE = "Nhà văn hóa thôn Nà Mò"
MEETING_DAY = date(2026, 11, 5)


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


def _send(unit, content=None, sender=True, **more) -> Opinion:
    values = services.OpinionValues(
        unit=unit,
        content=content,
        text=more.pop("text", "Đề nghị làm đèn đường ở thôn Nà Mò."),
        sender_name=NAME if sender else None,
        sender_contact=more.pop("contact", PHONE) if sender else None,
    )
    opinion = services.send(values, more.pop("address", "10.0.0.1"))
    for key, value in more.items():
        setattr(opinion, key, value)
    return opinion


def _meeting(user, unit, content, people=12) -> Opinion:
    values = services.OpinionValues(
        unit=unit,
        content=content,
        text="Cử tri đề nghị lắp đèn đường.",
        sender_name=NAME,
        sender_contact=EMAIL,
        meeting_kind=MeetingKind.VOTER_CONTACT,
        meeting_place=PLACE,
        meeting_on=MEETING_DAY,
        people=people,
    )
    return services.record_meeting(user, values)


@pytest.fixture
def opinions(app, campaign, tree):
    """At C1: two online opinions on content 1 (one merged into a meeting's, 12 people), one
    on policies and one rejected; one at C2; one of C1 sent up to D1."""
    app.config["OPINIONS_PER_ADDRESS_HOUR"] = 100
    staff = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    first = factories.content(1)
    lamp = _send(tree.c1, first, text="Đề nghị lắp đèn đường thôn Nà Mò.")
    meeting = _meeting(staff, tree.c1, first)
    merged = _send(tree.c1, first, contact=EMAIL, text="Xin đèn đường.")
    services.merge(staff, merged, meeting)
    policy = _send(tree.c1, None, text="Đề nghị hỗ trợ vay vốn.")
    rejected = _send(tree.c1, first, text="Quảng cáo bán hàng.")
    services.reject(staff, rejected, "Không phải ý kiến")
    other = _send(tree.c2, first, text="Ý kiến của xã khác.")
    sent_up = _send(tree.c1, None, text="Đề nghị làm cầu treo.")
    services.forward(staff, sent_up, "Ngoài thẩm quyền của xã")
    _db.session.commit()
    yield {
        "lamp": lamp.id,
        "meeting": meeting.id,
        "merged": merged.id,
        "policy": policy.id,
        "rejected": rejected.id,
        "other": other.id,
        "sent_up": sent_up.id,
    }
    app.config["OPINIONS_PER_ADDRESS_HOUR"] = 5


def _period(place, **more) -> dict:
    today = local_today()
    query = {"unit": place.id, "start": f"{today - timedelta(days=7):%d/%m/%Y}"}
    query["end"] = f"{today:%d/%m/%Y}"
    query.update(more)
    return query


def _docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _all_xml(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def _no_personal_data(body: bytes) -> None:
    everything = _all_xml(body)
    for secret in (NAME, PHONE, EMAIL, "0912"):
        assert secret not in everything


def test_the_word_file_groups_by_topic_with_counts_and_no_sender(login_as, opinions, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    response = editor.get("/opinions/consolidated.docx", query_string=_period(tree.c1))
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "no-store" in response.headers["Cache-Control"]
    assert ".docx" in response.headers["Content-Disposition"]
    body = _docx_text(response.data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body
    assert "Độc lập - Tự do - Hạnh phúc" in body
    assert "TỔNG HỢP Ý KIẾN, KIẾN NGHỊ CỦA CỬ TRI VÀ NHÂN DÂN" in body
    assert "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM\nXÃ ĐỒNG PHÚC" in body
    content = factories.content(1).short_vi
    # Content 1: the lamp (1 person) and the meeting's (12 + the merged one) = 2 opinions, 14.
    assert f"Nội dung 1: {content} (2 ý kiến, 14 người)" in body
    assert "Cơ chế, chính sách (1 ý kiến, 1 người)" in body
    assert "Tổng cộng: 3 ý kiến, kiến nghị của 15 người" in body
    assert f"Gửi trực tuyến: 1\nTiếp xúc cử tri, {PLACE}, 05/11/2026, 12 người" in body
    assert "Quảng cáo bán hàng" not in body  # rejected
    assert "Ý kiến của xã khác" not in body  # another commune
    assert "Đề nghị làm cầu treo" not in body  # sent up: the district's
    assert body.index("Nội dung 1") < body.index("Cơ chế, chính sách")
    _no_personal_data(response.data)


def test_the_spreadsheet_holds_the_same_list(login_as, opinions, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    response = editor.get("/opinions/consolidated.xlsx", query_string=_period(tree.c1))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "TỔNG HỢP Ý KIẾN, KIẾN NGHỊ CỦA CỬ TRI VÀ NHÂN DÂN" in cells
    assert "Cơ chế, chính sách (1 ý kiến, 1 người)" in cells
    assert "Đề nghị hỗ trợ vay vốn." in cells
    assert "13" in cells  # the meeting's people with the merged one
    assert "Quảng cáo bán hàng." not in cells
    _no_personal_data(response.data)


def test_the_district_lists_what_was_sent_up_and_may_add_its_communes(login_as, opinions, tree):
    reviewer, _user = login_as(Role.REVIEWER, tree.d1)
    own = _docx_text(
        reviewer.get("/opinions/consolidated.docx", query_string=_period(tree.d1)).data
    )
    assert "Đề nghị làm cầu treo" in own and "Đèn" not in own
    assert "Đề nghị lắp đèn đường" not in own
    below = _docx_text(
        reviewer.get("/opinions/consolidated.docx", query_string=_period(tree.d1, below="y")).data
    )
    assert "Đề nghị lắp đèn đường" in below and "Ý kiến của xã khác" in below


def _dispatch(client, unit, **data):
    values = {
        "unit": unit.id,
        "start": _period(unit)["start"],
        "end": _period(unit)["end"],
        "below": "",
        "recipient": "Ủy ban nhân dân xã Đồng Phúc",
        "number": "15/BC-MTTQ",
        "sent_on": f"{local_today():%d/%m/%Y}",
    }
    values.update(data)
    return client.post("/opinions/dispatches", data=values)


def test_recording_the_sending_keeps_the_opinions_and_shows_it(login_as, opinions, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    page = editor.get("/opinions/consolidated", query_string=_period(tree.c1))
    assert page.status_code == 200
    assert "TỔNG HỢP" not in text(page)  # the page speaks to the committee
    assert "Đề nghị hỗ trợ vay vốn." in text(page) and NAME not in text(page)
    response = _dispatch(editor, tree.c1)
    assert response.status_code == 303
    follow = editor.get(response.headers["Location"])
    assert "Đã ghi nhận việc gửi bản tổng hợp số 15/BC-MTTQ gồm 3 ý kiến." in text(follow)
    assert "Số 15/BC-MTTQ, gửi Ủy ban nhân dân xã Đồng Phúc" in text(follow)
    _db.session.expire_all()
    dispatch = _db.session.scalar(sa.select(OpinionDispatch))
    assert dispatch.unit_id == tree.c1.id and dispatch.sent_on == local_today()
    items = {item.opinion_id: item.people for item in dispatch.items}
    assert items == {opinions["lamp"]: 1, opinions["meeting"]: 13, opinions["policy"]: 1}
    lamp = _db.session.get(Opinion, opinions["lamp"])
    assert lamp.state == OpinionState.ACCEPTED  # received: taken up by the list
    shown = text(editor.get(f"/opinions/{lamp.id}"))
    assert "Đã gửi cơ quan có thẩm quyền" in shown and "Số 15/BC-MTTQ" in shown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recipient": " "}, "Trường này là bắt buộc."),
        ({"number": ""}, "Trường này là bắt buộc."),
        ({"sent_on": ""}, "Hãy cho biết ngày gửi."),
        ({"sent_on": "31/02/2026"}, "Ngày không hợp lệ."),
        ({"sent_on": "01/01/2100"}, "Ngày gửi không thể ở tương lai."),
        ({"start": "01/01/2001", "end": "02/01/2001"}, "không có gì để gửi"),
    ],
)
def test_a_sending_with_bad_input_is_answered(login_as, opinions, tree, data, message):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    response = _dispatch(editor, tree.c1, **data)
    assert response.status_code == 422
    assert message in text(response)
    assert _db.session.scalar(sa.select(sa.func.count(OpinionDispatch.id))) == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": ""}, "Hãy cho biết ngày đầu của kỳ."),
        ({"end": ""}, "Hãy cho biết ngày cuối của kỳ."),
        ({"start": "02/12/2026", "end": "01/12/2026"}, "Ngày cuối không thể trước ngày đầu."),
        ({"unit": "999999"}, "Hãy chọn một đơn vị trong phạm vi của bạn."),
        ({"unit": "abc"}, "Hãy chọn một đơn vị trong phạm vi của bạn."),
        ({"start": "31/02/2026"}, "Ngày không hợp lệ."),
    ],
)
def test_a_bad_period_is_answered_with_a_message(login_as, opinions, tree, query, message):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    for path in ("/opinions/consolidated", "/opinions/consolidated.docx"):
        response = editor.get(path, query_string=_period(tree.c1, **query))
        assert response.status_code == 422
        assert message in text(response)


def test_another_communes_committee_is_refused(login_as, opinions, tree):
    other, _user = login_as(Role.EDITOR, tree.c3)
    for path in ("/opinions/consolidated", "/opinions/consolidated.xlsx"):
        assert other.get(path, query_string=_period(tree.c1)).status_code == 403
    assert _dispatch(other, tree.c1).status_code == 403
    viewer, _user = login_as(Role.VIEWER, tree.c1)
    assert viewer.get("/opinions/consolidated", query_string=_period(tree.c1)).status_code == 403
    assert _db.session.scalar(sa.select(sa.func.count(OpinionDispatch.id))) == 0


def _age(opinion_id: int, days: int) -> Opinion:
    opinion = _db.session.get(Opinion, opinion_id)
    opinion.received_at = utcnow() - timedelta(days=days)
    _db.session.commit()
    return opinion


def test_overdue_counts_from_the_last_sending_and_the_provinces_time(login_as, opinions, tree):
    lamp = _age(opinions["lamp"], 40)
    editor, _user = login_as(Role.EDITOR, tree.c1)
    assert lamp.code in text(editor.get("/opinions?state=overdue"))  # 40 > 30 days, never sent
    start = f"{local_today() - timedelta(days=60):%d/%m/%Y}"
    sent_on = f"{local_today() - timedelta(days=10):%d/%m/%Y}"
    assert _dispatch(editor, tree.c1, start=start, sent_on=sent_on).status_code == 303
    assert lamp.code not in text(editor.get("/opinions?state=overdue"))  # sent 10 days ago
    admin, _user = login_as(Role.ADMIN, tree.province)
    form = admin.get("/opinions/answer-time")
    assert form.status_code == 200 and "hiện là 30 ngày" in text(form)
    saved = admin.post(
        "/opinions/answer-time", data={"province": tree.province.id, "days": "7", "version": ""}
    )
    assert saved.status_code == 303
    setting = _db.session.scalar(sa.select(OpinionProvinceSetting))
    assert (setting.unit_id, setting.answer_days) == (tree.province.id, 7)
    listed = editor.get("/opinions?state=overdue")
    assert lamp.code in text(listed)  # 10 > 7 days since it was sent
    assert "trong vòng 7 ngày" in text(listed)
    assert "Quá hạn" in text(editor.get(f"/opinions/{lamp.id}"))
    again = admin.post(
        "/opinions/answer-time",
        data={"province": tree.province.id, "days": "12", "version": str(setting.version)},
    )
    assert again.status_code == 303
    assert lamp.code not in text(editor.get("/opinions?state=overdue"))


def test_an_answer_time_with_bad_input_is_answered(login_as, campaign, tree):
    admin, _user = login_as(Role.ADMIN, tree.province)
    for days, message in (("0", "Hãy nhập một số từ 1 đến 3650."), ("", "bắt buộc")):
        response = admin.post(
            "/opinions/answer-time", data={"province": tree.province.id, "days": days}
        )
        assert response.status_code == 422 and message in text(response)
    stale = admin.post(
        "/opinions/answer-time", data={"province": tree.province.id, "days": "9", "version": "7"}
    )
    assert stale.status_code == 303  # no setting yet: the first one saved
    stale = admin.post(
        "/opinions/answer-time", data={"province": tree.province.id, "days": "8", "version": ""}
    )
    assert stale.status_code == 409 and 'value="8"' in stale.get_data(as_text=True)
    assert _db.session.scalar(sa.select(OpinionProvinceSetting.answer_days)) == 9


def test_only_the_provinces_admins_set_its_answer_time(login_as, campaign, tree):
    far = factories.make_unit("Tỉnh Khác", level=Level.PROVINCE)
    _db.session.commit()
    stranger, _user = login_as(Role.ADMIN, far)
    data = {"province": tree.province.id, "days": "3"}
    assert stranger.post("/opinions/answer-time", data=data).status_code == 403
    district, _user = login_as(Role.ADMIN, tree.d1)
    assert district.post("/opinions/answer-time", data=data).status_code == 403
    editor, _user = login_as(Role.EDITOR, tree.province)
    assert editor.get("/opinions/answer-time").status_code == 403
    assert _db.session.scalar(sa.select(OpinionProvinceSetting.id)) is None


def test_the_home_queue_shows_opinions_to_the_right_people(login_as, opinions, tree):
    commune, _user = login_as(Role.EDITOR, tree.c1)
    home = text(commune.get("/"))
    # Received at C1 and still waiting: the lamp, the meeting's (accepted by the merge: no),
    # the policy one.
    assert "2 ý kiến của nhân dân đang chờ ban của bạn xử lý" in home
    assert "quá hạn trả lời" not in home
    district, _user = login_as(Role.REVIEWER, tree.d1)
    assert "1 ý kiến của nhân dân đang chờ ban của bạn xử lý" in text(district.get("/"))
    neighbour, _user = login_as(Role.EDITOR, tree.c3)
    queue = text(neighbour.get("/"))  # the footer links the public answers: the queue items only
    assert "đang chờ ban của bạn" not in queue and "quá hạn trả lời" not in queue
    _age(opinions["lamp"], 40)
    assert "1 ý kiến của nhân dân đã quá hạn trả lời" in text(commune.get("/"))
    assert "1 ý kiến của nhân dân đã quá hạn trả lời" in text(district.get("/"))  # level above
    province, _user = login_as(Role.ADMIN, tree.province)
    assert "quá hạn trả lời" not in text(province.get("/"))  # two levels above
    other_district, _user = login_as(Role.REVIEWER, tree.d2)
    queue = text(other_district.get("/"))
    assert "đang chờ ban của bạn" not in queue and "quá hạn trả lời" not in queue
    _db.session.add(OpinionProvinceSetting(unit_id=tree.province.id, answer_days=45))
    _db.session.commit()
    assert "quá hạn trả lời" not in text(district.get("/"))  # the province gives 45 days
