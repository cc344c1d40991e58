"""Commendations as a province Front office uses them: a proposer withdraws a draft (never
one already sent), the approval records the decision's number and date, shown on the
nomination and the public page, and the year's approved commendations as a spreadsheet."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.test_commendations import db_nomination, propose
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.commendations.models import Nomination, NominationState
from webapp.db import local_today

YEAR = 2027


def url(nomination, verb: str) -> str:
    return f"/commendations/nominations/{nomination.id}/{verb}"


def sent(client, nomination) -> Nomination:
    client.post(url(nomination, "submit"), data={"version": nomination.version})
    return db_nomination(nomination.id)


# Withdrawing a draft


def test_a_proposer_withdraws_a_draft_and_it_is_audited(db, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    nomination = propose(client, tree, kind="individual", person_name="Lò Văn Pọm")
    page = client.get(url(nomination, "")[:-1]).get_data(as_text=True)
    assert url(nomination, "delete") in page
    nomination_id = nomination.id
    response = client.post(url(nomination, "delete"), data={"version": nomination.version})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/commendations/nominations/{YEAR}/{tree.c1.id}")
    assert db_nomination(nomination_id) is None
    event = db.session.scalar(
        sa.select(AuditEvent).filter_by(action="nomination.deleted", object_id=nomination_id)
    )
    assert event.actor_id == editor.id and event.unit_id == tree.c1.id
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lò Văn Pọm" not in listing
    assert "Đã rút và xóa bản nháp đề nghị khen thưởng." in listing


def test_a_stale_withdrawal_is_refused_and_shows_what_is_saved(db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    colleague, _ = login_as(Role.EDITOR, tree.c1)
    nomination = propose(client, tree, kind="individual", person_name="Lý Văn Tư")
    seen = nomination.version
    colleague.post(
        url(nomination, "edit"),
        data={"kind": "individual", "unit_id": "", "organization_id": "", "entry_id": "",
              "person_role": "", "version": seen, "person_name": "Lý Văn Tư",
              "reason": "Lý do của đồng nghiệp"},
    )  # fmt: skip
    response = client.post(url(nomination, "delete"), data={"version": seen})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Lý do của đồng nghiệp" in page and "chưa được rút" in page
    assert db_nomination(nomination.id).state == NominationState.DRAFT
    # A missing or garbled version is stale too.
    response = client.post(url(nomination, "delete"), data={"version": "x"})
    assert response.status_code == 409
    assert db_nomination(nomination.id) is not None


@pytest.mark.parametrize("decision", [None, "approve", "reject"])
def test_a_sent_or_decided_nomination_cannot_be_withdrawn(db, tree, campaign, login_as, decision):
    client, _ = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    nomination = sent(client, propose(client, tree))
    if decision:
        district.post(
            url(nomination, decision), data={"version": nomination.version, "reason": "Chưa đủ"}
        )
        nomination = db_nomination(nomination.id)
    page = client.get(url(nomination, "")[:-1]).get_data(as_text=True)
    assert url(nomination, "delete") not in page
    response = client.post(url(nomination, "delete"), data={"version": nomination.version})
    assert response.status_code == 409
    assert "không thể rút" in response.get_data(as_text=True)
    assert db_nomination(nomination.id).state == nomination.state


@pytest.mark.parametrize(
    ("role", "unit", "status"),
    [(Role.EDITOR, "c3", 403), (Role.EDITOR, "d2", 403), (Role.REVIEWER, "d1", 403),
     (Role.ADMIN, "d2", 403)],
)  # fmt: skip
def test_withdrawing_out_of_scope_or_by_others_is_refused(
    db, tree, campaign, login_as, role, unit, status
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    nomination = propose(client, tree)
    other, _ = login_as(role, getattr(tree, unit))
    response = other.post(url(nomination, "delete"), data={"version": nomination.version})
    assert response.status_code == status
    assert db_nomination(nomination.id) is not None


def test_an_anonymous_visitor_cannot_withdraw(app, db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    nomination = propose(client, tree)
    response = app.test_client().post(url(nomination, "delete"), data={"version": "1"})
    assert response.status_code in (302, 400, 401)
    assert db_nomination(nomination.id) is not None


# The decision an approval records


def test_the_approval_records_the_decision_shown_on_the_nomination_and_the_public_page(
    app, db, tree, campaign, login_as
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    nomination = sent(client, propose(client, tree, kind="individual", person_name="Vi Thị Na"))
    decided = local_today() - timedelta(days=3)
    form = district.get(url(nomination, "")[:-1]).get_data(as_text=True)
    assert 'name="decision_number"' in form and 'name="decision_date"' in form
    response = district.post(
        url(nomination, "approve"),
        data={"version": nomination.version, "decision_number": " 125/QĐ-MTTQ-BTT ",
              "decision_date": f"{decided:%d/%m/%Y}"},
    )  # fmt: skip
    assert response.status_code == 303
    nomination = db_nomination(nomination.id)
    assert nomination.state == NominationState.APPROVED
    assert (nomination.decision_number, nomination.decision_date) == (
        "125/QĐ-MTTQ-BTT",
        decided,
    )
    event = db.session.scalar(
        sa.select(AuditEvent).filter_by(action="nomination.approved", object_id=nomination.id)
    )
    assert event.details["decision_number"] == "125/QĐ-MTTQ-BTT"
    shown = f"Quyết định số 125/QĐ-MTTQ-BTT ngày {decided:%d/%m/%Y}"
    assert shown in client.get(url(nomination, "")[:-1]).get_data(as_text=True)
    public = app.test_client().get(f"/commendations/{YEAR}").get_data(as_text=True)
    assert "Vi Thị Na" in public and shown in public


def test_an_approval_without_a_decision_yet_is_fine(app, db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    nomination = sent(client, propose(client, tree))
    response = district.post(
        url(nomination, "approve"),
        data={"version": nomination.version, "decision_number": "", "decision_date": ""},
    )
    assert response.status_code == 303
    nomination = db_nomination(nomination.id)
    assert nomination.state == NominationState.APPROVED
    assert (nomination.decision_number, nomination.decision_date) == (None, None)
    assert "Quyết định số" not in app.test_client().get(f"/commendations/{YEAR}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("number", "day", "message"),
    [("125/QĐ-MTTQ-BTT", "31/02/2026", "Ngày không hợp lệ"),
     ("125/QĐ-MTTQ-BTT", "hôm qua", "Ngày không hợp lệ"),
     ("125/QĐ-MTTQ-BTT", "future", "không được sau ngày hôm nay"),
     ("1" * 61, "01/12/2026", "Tối đa 60 ký tự")],
)  # fmt: skip
def test_a_bad_decision_is_refused_with_a_clear_message_and_kept(
    db, tree, campaign, login_as, number, day, message
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    nomination = sent(client, propose(client, tree))
    if day == "future":
        day = (local_today() + timedelta(days=1)).strftime("%d/%m/%Y")
    response = district.post(
        url(nomination, "approve"),
        data={"version": nomination.version, "decision_number": number, "decision_date": day},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'value="{number}"' in page and f'value="{day}"' in page
    nomination = db_nomination(nomination.id)
    assert nomination.state == NominationState.SUBMITTED
    assert nomination.decision_number is None


# The year's approved commendations as a spreadsheet


def test_the_year_s_commendations_download_as_xlsx_grouped_like_the_page(
    app, db, tree, campaign, login_as
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    decided = local_today() - timedelta(days=1)
    first = sent(client, propose(client, tree, kind="individual", person_name="Vi Thị Na",
                                 person_role="Chi hội trưởng"))  # fmt: skip
    second = sent(client, propose(client, tree))
    waiting = sent(client, propose(client, tree, kind="individual", person_name="Chưa Duyệt"))
    decision = {"decision_number": "125/QĐ-MTTQ-BTT", "decision_date": f"{decided:%d/%m/%Y}"}
    district.post(url(first, "approve"), data={"version": first.version, **decision})
    district.post(url(second, "approve"), data={"version": second.version})
    assert db_nomination(waiting.id).state == NominationState.SUBMITTED
    anonymous = app.test_client()
    page = anonymous.get(f"/commendations/{YEAR}").get_data(as_text=True)
    assert f"/commendations/{YEAR}.xlsx" in page
    response = anonymous.get(f"/commendations/{YEAR}.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == f"Khen thưởng năm {YEAR}"
    assert rows[2] == ["Cấp", "Loại", "Được khen thưởng", "Đơn vị đề nghị", "Lý do",
                       "Số quyết định", "Ngày quyết định"]  # fmt: skip
    body = rows[3:]
    assert len(body) == 2
    # Collectives before individuals, as on the page (by kind).
    assert [r[2] for r in body] == ["Xã Đồng Phúc", "Vi Thị Na, Chi hội trưởng"]
    assert body[1][3] == "Xã Đồng Phúc"
    assert body[1][4] == "Dẫn đầu phong trào xây dựng nông thôn mới"
    assert body[1][5:] == ["125/QĐ-MTTQ-BTT", f"{decided:%d/%m/%Y}"]
    assert body[0][5:] == ["", ""]
    assert "Chưa Duyệt" not in repr(rows)


def test_a_year_without_commendations_has_no_download_link_but_an_empty_sheet(app, db, campaign):
    anonymous = app.test_client()
    page = anonymous.get(f"/commendations/{YEAR}").get_data(as_text=True)
    assert f"/commendations/{YEAR}.xlsx" not in page
    response = anonymous.get(f"/commendations/{YEAR}.xlsx")
    assert response.status_code == 200
    assert anonymous.get("/commendations/1999.xlsx").status_code == 404
