"""Input bounds (issue 17, "Low"): dates only in 2000–2100, numbers only with the digits 0–9,
free texts with a length limit and a message, spreadsheets that never cut a text silently, and
`Vary: HX-Request` on every response chosen by the htmx headers.

Each bad value is refused with a message in Vietnamese, what was typed comes back in the form,
and nothing is saved (read back from the database)."""

from __future__ import annotations

import io
from html import unescape

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import org
from tests.test_commendations import db_nomination, propose
from tests.test_guidance import make_page
from tests.test_registrations import form_data, start
from tests.test_rules_admin import rule_data
from webapp.auth.models import Role
from webapp.campaign.models import Deadline, Requirement
from webapp.commendations.models import NominationState
from webapp.pages.forms import BODY_LIMIT
from webapp.pages.models import PageTranslation
from webapp.registrations import services as registrations
from webapp.registrations.forms import DESCRIPTION_LIMIT, NOTES_LIMIT
from webapp.registrations.models import Entry
from webapp.reports import services as reports
from webapp.reports.models import Period
from webapp.review import services as review
from webapp.xlsx import CELL_LIMIT, cell_text

HTMX = {"HX-Request": "true"}
YEAR = 2027
DATE_RANGE = "Nhập ngày trong khoảng từ 01/01/2000 đến 31/12/2100."
DIGITS = "Chỉ dùng các chữ số từ 0 đến 9."
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def page_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def entry_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Entry.id)))


@pytest.fixture
def editing(db, tree, campaign, login_as):
    """A signed-in C1 editor and their farmers' union list of 2027, still empty."""
    client, editor = login_as(Role.EDITOR, tree.c1)
    return client, start(db, tree.c1, org("nong_dan"), YEAR, editor)


# Dates


def test_list_date_outside_2000_2100_is_refused_and_kept(db, editing):
    client, registration_list = editing
    url = f"/registrations/lists/{registration_list.id}/header"
    for typed in ("01/01/0001", "31/12/9999", "31/12/1999", "0001-01-01"):
        response = client.post(url, data={"version": "1", "registered_on": typed})
        page = page_of(response)
        assert response.status_code == 422, typed
        assert DATE_RANGE in page and f'value="{typed}"' in page
    db.session.expire_all()
    assert registration_list.registered_on is None and registration_list.version == 1
    # The ends of the range are days like any other.
    assert client.post(url, data={"version": "1", "registered_on": "01/01/2000"}).status_code == 303


def test_decision_date_of_year_1_is_refused_and_kept(db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    nomination = propose(client, tree)
    client.post(f"/commendations/nominations/{nomination.id}/submit", data={"version": 1})
    nomination = db_nomination(nomination.id)
    response = district.post(
        f"/commendations/nominations/{nomination.id}/approve",
        data={"version": nomination.version, "decision_number": "1", "decision_date": "01/01/0001"},
    )
    page = page_of(response)
    assert response.status_code == 422
    assert DATE_RANGE in page and 'value="01/01/0001"' in page
    nomination = db_nomination(nomination.id)
    assert nomination.state == NominationState.SUBMITTED and nomination.decision_date is None


# Digits


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULLWIDTH], ids=["arabic-indic", "fullwidth"])
def test_entry_numbers_and_months_in_other_digits_are_refused_and_kept(db, editing, digits):
    client, registration_list = editing
    url = f"/registrations/lists/{registration_list.id}/entries"
    for field, value in [
        ("budget_people", "1.500.000"),
        ("budget_state", "1500000"),
        ("starts_on", "03/2027"),
    ]:
        typed = value.translate(digits)
        response = client.post(url, data=form_data(registration_list.unit, org("nong_dan"),
                                                   **{field: typed}))  # fmt: skip
        page = page_of(response)
        assert response.status_code == 422, field
        assert DIGITS in page and f'value="{typed}"' in page, field
    assert entry_count(db) == 0
    # The groupings people type with the digits 0–9 still read as before.
    for typed in ("1.000.000", "1 000 000", "1\u00a0000\u00a0000", "1000000"):
        data = form_data(registration_list.unit, org("nong_dan"), budget_people=typed)
        assert client.post(url, data=data).status_code == 303, typed
    db.session.expire_all()
    amounts = db.session.scalars(sa.select(Entry.budget_people)).all()
    assert amounts == [1_000_000] * 4


def test_list_date_in_other_digits_is_refused_with_the_digits_message(db, editing):
    client, registration_list = editing
    typed = "10/01/2027".translate(ARABIC_INDIC)
    response = client.post(
        f"/registrations/lists/{registration_list.id}/header",
        data={"version": "1", "registered_on": typed},
    )
    assert response.status_code == 422
    assert DIGITS in page_of(response) and f'value="{typed}"' in page_of(response)


def test_deadline_and_rule_numbers_in_other_digits_are_refused(db, tree, campaign, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    deadlines = db.session.scalar(sa.select(sa.func.count(Deadline.id)))
    for data in (
        {"kind": "registration", "year": "٢٠٢٧", "day_month": "01/03"},
        {"kind": "registration", "year": "2027", "day_month": "٠١/٠٣"},
        {"kind": "registration", "year": "２０２７", "day_month": "01/03"},
    ):
        response = client.post("/campaign/deadlines", data=data)
        page = page_of(response)
        assert response.status_code == 422, data
        assert DIGITS in page and f'value="{data["year"]}"' in page
    assert db.session.scalar(sa.select(sa.func.count(Deadline.id))) == deadlines
    rules = db.session.scalar(sa.select(sa.func.count(Requirement.id)))
    for field, typed in (("min_count", "٢"), ("valid_from_year", "２０２７")):
        response = client.post("/admin/rules/new", data=rule_data(**{field: typed}))
        page = page_of(response)
        assert response.status_code == 422, field
        assert DIGITS in page and f'value="{typed}"' in page
    assert db.session.scalar(sa.select(sa.func.count(Requirement.id))) == rules


# Lengths


def test_entry_texts_over_their_limit_are_refused_and_kept(db, editing):
    client, registration_list = editing
    url = f"/registrations/lists/{registration_list.id}/entries"
    for field, limit in (("description", DESCRIPTION_LIMIT), ("notes", NOTES_LIMIT)):
        typed = "Đường bê tông " + "x" * limit
        data = form_data(registration_list.unit, org("nong_dan"), **{field: typed})
        response = client.post(url, data=data)
        page = page_of(response)
        assert response.status_code == 422, field
        assert f"Tối đa {limit} ký tự" in page.replace(".", "") and typed in page
    assert entry_count(db) == 0
    at_limit = {"description": "x" * DESCRIPTION_LIMIT, "notes": "y" * NOTES_LIMIT}
    data = form_data(registration_list.unit, org("nong_dan"), **at_limit)
    assert client.post(url, data=data).status_code == 303
    entry = db.session.scalar(sa.select(Entry))
    assert (entry.description, entry.notes) == (at_limit["description"], at_limit["notes"])
    # A browser counts a line break as one character against `maxlength` but sends "\r\n".
    lines = "x\r\n" * (DESCRIPTION_LIMIT // 2 - 1) + "xx"
    data = form_data(registration_list.unit, org("nong_dan"), description=lines)
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    saved = db.session.scalars(sa.select(Entry.description).order_by(Entry.id)).all()[-1]
    assert saved == lines.replace("\r\n", "\n") and len(saved) == DESCRIPTION_LIMIT


def test_rule_text_over_its_limit_is_refused_and_kept(db, tree, campaign, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    rules = db.session.scalar(sa.select(sa.func.count(Requirement.id)))
    for field, limit in (("rule_vi", 2000), ("source_vi", 500)):
        typed = "Mỗi nội dung " + "x" * limit
        response = client.post("/admin/rules/new", data=rule_data(**{field: typed}))
        page = page_of(response)
        assert response.status_code == 422
        assert f"Tối đa {limit} ký tự" in page.replace(".", "") and typed in page
    assert db.session.scalar(sa.select(sa.func.count(Requirement.id))) == rules


def test_page_and_translation_bodies_fit_a_spreadsheet_cell(db, tree, login_as, monkeypatch, app):
    assert BODY_LIMIT < CELL_LIMIT
    monkeypatch.setitem(app.config, "LANGUAGES", ["vi", "tyz", "en"])
    page = make_page(db, tree.province)
    client, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    body = "[tyz] " + "x" * BODY_LIMIT
    response = client.post(
        f"/pages/{page.id}/translations/tyz",
        data={"title": "[tyz] Hướng dẫn", "summary": "", "body": body, "version": "0",
              "source_revision_id": str(page.current_revision_id)},
    )  # fmt: skip
    assert response.status_code == 422
    assert f"Tối đa {BODY_LIMIT} ký tự" in page_of(response).replace(".", "")
    assert body in page_of(response)
    assert db.session.scalar(sa.select(sa.func.count(PageTranslation.id))) == 0


# Spreadsheets never cut silently


def test_export_of_a_text_longer_than_a_cell_is_cut_visibly(db, editing):
    """A note saved before the limits existed: the spreadsheet says where it was cut."""
    client, registration_list = editing
    data = form_data(registration_list.unit, org("nong_dan"))
    assert (
        client.post(f"/registrations/lists/{registration_list.id}/entries", data=data).status_code
        == 303
    )
    long_note = "Ghi chú " + "x" * 40_000 + " KẾT THÚC"
    db.session.execute(sa.update(Entry).values(notes=long_note))
    db.session.commit()
    response = client.get(f"/registrations/lists/{registration_list.id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    [note] = [c for c in cells if c.startswith("Ghi chú ")]
    assert len(note) <= CELL_LIMIT
    assert "KẾT THÚC" not in note
    kept = note.index("… [")
    assert long_note.startswith(note[:kept])
    assert note.endswith(
        f"… [Cắt tại đây: còn {len(long_note) - kept} ký tự không vừa ô này; toàn văn có trong "
        "ứng dụng web.]"
    )


def test_cell_text_counts_as_excel_does(app):
    with app.test_request_context():
        assert cell_text("ngắn") == "ngắn"
        exact = "x" * CELL_LIMIT
        assert cell_text(exact) == exact
        # A character outside the BMP takes two of Excel's 32,767.
        emoji = "😀" * (CELL_LIMIT // 2 + 1)
        cut = cell_text(emoji)
        assert cut != emoji and cut.startswith("😀" * 100)
        assert len(cut.encode("utf-16-le")) // 2 <= CELL_LIMIT


# Vary: HX-Request


def _varies(response) -> bool:
    return "HX-Request" in response.headers.get("Vary", "")


def test_every_response_chosen_by_htmx_headers_varies_on_them(db, tree, editing):
    """Pages and fragments of the same address, the errors' too: a cache keeps them apart."""
    client, registration_list = editing
    lists = f"/registrations/lists/{registration_list.id}"
    client.post(f"{lists}/entries", data=form_data(tree.c1, org("nong_dan")))
    entry = db.session.scalar(sa.select(Entry))
    bad_entry = form_data(tree.c1, org("nong_dan"), name="")
    requests = [
        ("get", f"{lists}/entries/new", None),
        ("get", f"/registrations/entries/{entry.id}", None),
        ("get", f"/registrations/entries/{entry.id}/edit", None),
        ("post", f"{lists}/entries", bad_entry),
        ("post", f"/registrations/entries/{entry.id}/edit", {**bad_entry, "version": "1"}),
        ("get", "/registrations/entries/999999/edit", None),  # 404
        ("get", "/no/such/page", None),  # 404 before any view
    ]
    for method, url, data in requests:
        for headers in ({}, HTMX):
            response = getattr(client, method)(url, data=data, headers=headers)
            assert _varies(response), (method, url, headers, response.status_code)
            assert "HX-History-Restore-Request" in response.headers["Vary"]


def test_review_and_report_pages_and_fragments_vary_on_htmx(db, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    district, reviewer = login_as(Role.REVIEWER, tree.d1)
    registration_list = start(db, tree.c1, org("nong_dan"), YEAR, editor)
    client.post(
        f"/registrations/lists/{registration_list.id}/entries",
        data=form_data(tree.c1, org("nong_dan")),
    )
    registrations.submit_list(editor, registration_list)
    db.session.commit()
    entry = registration_list.entries[0]
    # A refused decision: the list page, or the row for htmx.
    refused = {"version": str(entry.version), "reason": "x" * 2001}
    for headers in ({}, HTMX):
        response = district.post(
            f"/review/entries/{entry.id}/return", data=refused, headers=headers
        )
        assert response.status_code in (200, 422) and _varies(response), headers
    review.approve_all(reviewer, registration_list, {entry.id: entry.version})
    report = reports.start_report(editor, tree.c1, org("nong_dan"), YEAR, Period.HALF_YEAR)
    db.session.commit()
    line = report.lines[0]
    page = client.get(f"/reports/lines/{line.id}/edit")
    fragment = client.get(f"/reports/lines/{line.id}/edit", headers=HTMX)
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert _varies(page) and _varies(fragment)
