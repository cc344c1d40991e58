"""The aggregated list ("tổng hợp") of a unit and year, page and XLSX, against sums counted by
hand; its scope; a bounded number of queries; and the coverage picture on the dashboard."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from tests import factories
from tests.queries import counting_queries
from tests.test_coverage import add_entry, grow, page_text
from webapp.auth.models import Role
from webapp.campaign.models import ModelType
from webapp.db import local_today
from webapp.extensions import db
from webapp.registrations.models import Entry, EntryState
from webapp.units.models import Level

A, S, D, R = EntryState.APPROVED, EntryState.SUBMITTED, EntryState.DRAFT, EntryState.RETURNED
# 23:30 on 31 December in Vietnam (UTC+7): the last half hour of 2025 there, and in UTC.
NEW_YEARS_EVE = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)


def this_year() -> int:
    """The year the dashboard shows: the app's, read from its clock (tests/conftest.py:clock)."""
    return local_today().year


def entry(unit, organization, content, state, people, public, other, *, location, name, year):
    item = add_entry(
        unit, organization, content, state=state, year=year, location=location, name=name
    )
    item.budget_people, item.budget_state, item.budget_other = people, public, other
    db.session.flush()
    return item


def make_sums(tree, year: int):
    """Two organizations, two contents, entries of `year` in every state (budgets in đồng)."""
    hamlet = factories.make_unit("Thôn Bản Chang", level=Level.AREA, parent=tree.c2)
    for unit, organization, content, state, people, public, other, name, location in [
        (tree.c1, "phu_nu", 1, A, 1_000_000, 2_000_000, None, "PN một", None),
        (tree.c1, "phu_nu", 1, A, 500_000, None, 250_000, "PN hai", None),
        (tree.c1, "phu_nu", 2, S, 300_000, 0, 0, "PN gửi", None),
        (tree.c2, "nong_dan", 2, A, 4_000_000, 1_500_000, 0, "ND thôn", hamlet),
        (tree.c2, "nong_dan", 1, D, 9_999_999, None, None, "ND nháp", None),
        (tree.c3, "nong_dan", 1, A, 700_000, 800_000, 900_000, "ND Cao Sơn", None),
        (tree.c3, "phu_nu", 2, S, None, None, 100_000, "PN Cao Sơn gửi", None),
        (tree.c3, "nong_dan", 2, R, 50_000, None, None, "ND trả lại", None),
    ]:
        entry(
            unit, organization, content, state, people, public, other,
            location=location, name=name, year=year,
        )  # fmt: skip
    db.session.commit()
    return tree


@pytest.fixture
def sums(db, campaign, tree):
    """make_sums() for this year."""
    return make_sums(tree, this_year())


def url(kind: str, unit, *, year: int | None = None, **args) -> str:
    from flask import current_app, url_for

    with current_app.test_request_context():
        return url_for(f"coverage.{kind}", year=year or this_year(), unit_id=unit.id, **args)


def workbook(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def sheet_rows(ws) -> list[tuple]:
    """The rows under the heading row (the first row whose second cell is filled)."""
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if row[1] is not None)
    return rows[top + 1 :]


def test_show_summary_province_totals_equal_the_hand_sums_approved_only(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    response = client.get(url("show_summary", sums.province))
    assert response.status_code == 200
    text = page_text(response)
    assert "4 mục được tính · kinh phí dự kiến 11.650.000 đ" in text
    assert "Tổng cộng 4 6.200.000 đ 4.300.000 đ 1.150.000 đ 11.650.000 đ" in text
    # Hội Phụ nữ, content 1: two approved entries; content 2 only submitted: not shown.
    assert "2 1.500.000 đ 2.000.000 đ 250.000 đ 3.750.000 đ" in text
    # Hội Nông dân: 1 entry per content; subtotal over both.
    assert "1 700.000 đ 800.000 đ 900.000 đ 2.400.000 đ" in text
    assert "1 4.000.000 đ 1.500.000 đ 0 đ 5.500.000 đ" in text
    assert "2 4.700.000 đ 2.300.000 đ 900.000 đ 7.900.000 đ" in text
    assert "9.999.999" not in text and " 300.000 đ" not in text


def test_show_summary_with_submitted_adds_them_marked_apart(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    response = client.get(url("show_summary", sums.province, submitted="1"))
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert 'class="pending">+2</small>' in html  # Hội Phụ nữ, content 2: two submitted
    assert "Tổng cộng 4 +2 6.500.000 đ 4.300.000 đ 1.250.000 đ 12.050.000 đ" in text
    assert "9.999.999" not in text and "50.000 đ 0 đ 0 đ 50.000" not in text


def test_export_summary_totals_and_entries_equal_the_page(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    book = workbook(client.get(url("export_summary", sums.province)))
    totals, entries = book.worksheets
    titles = [row[0] for row in totals.iter_rows(max_row=4, values_only=True)]
    assert str(this_year()) in titles[0] and sums.province.name in titles[0]
    assert titles[1] == "Đang chỉ tính các mục đã duyệt."
    assert titles[2] == f"Lập ngày {local_today():%d/%m/%Y}"
    rows = sheet_rows(totals)
    assert rows[-1][2:] == (4, 6_200_000, 4_300_000, 1_150_000, 11_650_000)
    assert all(isinstance(v, int) for row in rows for v in row[2:])
    lines = sheet_rows(entries)
    names = sorted(line[4] for line in lines)
    assert names == sorted(["PN một", "PN hai", "ND thôn", "ND Cao Sơn"])
    assert [sum(line[i] or 0 for line in lines) for i in (7, 8, 9, 10)] == [
        6_200_000, 4_300_000, 1_150_000, 11_650_000
    ]  # fmt: skip
    thon = next(line for line in lines if line[4] == "ND thôn")
    assert thon[:2] == (sums.d1.name, sums.c2.name)  # a hamlet's entry counts for its commune


@pytest.mark.parametrize("submitted", [False, True], ids=["approved", "with-submitted"])
def test_export_summary_reads_back_cell_by_cell(sums, login_as, submitted):
    """Every cell of both sheets, from make_sums() by hand: approved entries only, or with
    the two sent ones (Hội Phụ nữ's, content 2) counted apart; blank budgets stay blank."""
    happy_family = db.session.scalar(sa.select(ModelType).filter_by(code="gia_dinh_hanh_phuc"))
    first = db.session.scalar(sa.select(Entry).filter_by(name="PN một"))
    first.model_type = happy_family
    db.session.commit()
    client, _ = login_as(Role.VIEWER, sums.province)
    query = {"submitted": "1"} if submitted else {}
    totals, entries = workbook(client.get(url("export_summary", sums.province, **query))).worksheets
    assert (totals.title, entries.title) == ("Tổng hợp", "Các mục đã đăng ký")
    counted = (
        "Tính các mục đã duyệt và các mục đã gửi nhưng chưa được duyệt."
        if submitted
        else "Đang chỉ tính các mục đã duyệt."
    )
    titles = [
        (f"Tổng hợp đăng ký năm {this_year()} - Tỉnh Thử",),
        (counted,),
        (f"Lập ngày {local_today():%d/%m/%Y}",),
        (None,),
    ]
    money = ["Nhân dân đóng góp (đồng)", "Ngân sách nhà nước (đồng)", "Nguồn khác (đồng)"]
    farmers, women, economy, culture = (
        "Hội Nông dân",
        "Hội Liên hiệp Phụ nữ",
        "1. Kinh tế – giảm nghèo",
        "2. Văn hóa – giáo dục – y tế",
    )
    sent = [0] if submitted else []  # "of which sent, not yet approved"
    expected_totals = [
        ("Tổ chức", "Nội dung", "Số mục", *(["Trong đó đã gửi, chưa duyệt"] if submitted else []),
         *money, "Tổng cộng (đồng)"),
        (farmers, economy, 1, *sent, 700_000, 800_000, 900_000, 2_400_000),
        (farmers, culture, 1, *sent, 4_000_000, 1_500_000, 0, 5_500_000),
        (farmers, "Tất cả nội dung", 2, *sent, 4_700_000, 2_300_000, 900_000, 7_900_000),
        (women, economy, 2, *sent, 1_500_000, 2_000_000, 250_000, 3_750_000),
        *(
            [
                (women, culture, 2, 2, 300_000, 0, 100_000, 400_000),
                (women, "Tất cả nội dung", 4, 2, 1_800_000, 2_000_000, 350_000, 4_150_000),
                ("Tổng cộng", "", 6, 2, 6_500_000, 4_300_000, 1_250_000, 12_050_000),
            ]
            if submitted
            else [
                (women, "Tất cả nội dung", 2, 1_500_000, 2_000_000, 250_000, 3_750_000),
                ("Tổng cộng", "", 4, 6_200_000, 4_300_000, 1_150_000, 11_650_000),
            ]
        ),
    ]  # fmt: skip
    width = len(expected_totals[0])
    assert [row[:1] for row in totals.iter_rows(max_row=4, values_only=True)] == titles
    assert list(totals.iter_rows(min_row=5, values_only=True)) == expected_totals
    assert all(
        row[1:] == (None,) * (width - 1) for row in totals.iter_rows(max_row=4, values_only=True)
    )
    d1, d2, c1, c2, c3 = "Huyện Một", "Huyện Hai", "Xã Đồng Phúc", "Xã Nà Phặc", "Xã Cao Sơn"
    model = "Mô hình “Xây dựng gia đình hạnh phúc”"
    ok, sent_ = "Đã duyệt", "Đã gửi"  # the entries' states
    expected_entries = [
        ("Đơn vị cấp trên", "Xã", "Tổ chức", "Nội dung", "Tên", "Loại mô hình", "Trạng thái",
         *money, "Tổng cộng (đồng)"),
        (d2, c3, farmers, economy, "ND Cao Sơn", "", ok, 700_000, 800_000, 900_000, 2_400_000),
        (d1, c2, farmers, culture, "ND thôn", "", ok, 4_000_000, 1_500_000, 0, 5_500_000),
        (d1, c1, women, economy, "PN một", model, ok, 1_000_000, 2_000_000, "", 3_000_000),
        (d1, c1, women, economy, "PN hai", "", ok, 500_000, "", 250_000, 750_000),
        *(
            [
                (d1, c1, women, culture, "PN gửi", "", sent_, 300_000, 0, 0, 300_000),
                (d2, c3, women, culture, "PN Cao Sơn gửi", "", sent_, "", "", 100_000, 100_000),
            ]
            if submitted
            else []
        ),
    ]  # fmt: skip
    assert [row[:1] for row in entries.iter_rows(max_row=4, values_only=True)] == titles
    assert list(entries.iter_rows(min_row=5, values_only=True)) == expected_entries
    # Wide enough to read: the organization's and the content's names in the totals.
    assert [round(totals.column_dimensions[c].width) for c in "AB"] == [31, 37]


def test_export_summary_with_submitted_counts_them_in_a_column(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    book = workbook(client.get(url("export_summary", sums.province, submitted="1")))
    totals, entries = book.worksheets
    assert sheet_rows(totals)[-1][2:] == (6, 2, 6_500_000, 4_300_000, 1_250_000, 12_050_000)
    names = {line[4] for line in sheet_rows(entries)}
    assert "PN gửi" in names and "ND nháp" not in names and "ND trả lại" not in names


def test_show_summary_filtered_by_organization_and_content(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    nong_dan, content = factories.org("nong_dan"), factories.content(1)
    response = client.get(
        url("show_summary", sums.province, organization=nong_dan.id, content=content.id)
    )
    text = page_text(response)
    assert "Tổng cộng 1 700.000 đ 800.000 đ 900.000 đ 2.400.000 đ" in text
    book = workbook(client.get(url("export_summary", sums.province, organization=nong_dan.id)))
    assert sheet_rows(book.worksheets[0])[-1][2:] == (2, 4_700_000, 2_300_000, 900_000, 7_900_000)


def test_show_summary_print_view_lists_the_counted_entries(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    text = page_text(client.get(url("show_summary", sums.province, print="1")))
    for name in ("PN một", "PN hai", "ND thôn", "ND Cao Sơn"):
        assert name in text
    assert "ND nháp" not in text and "PN gửi" not in text
    plain = page_text(client.get(url("show_summary", sums.province)))
    assert "PN một" not in plain


def test_summary_links_each_line_to_its_entries(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    phu_nu, content = factories.org("phu_nu"), factories.content(1)
    html = client.get(url("show_summary", sums.province)).get_data(as_text=True)
    link = url("list_entries", sums.province, organization=phu_nu.id, content=content.id)
    assert f'href="{link}"'.replace("&", "&amp;") in html
    text = page_text(client.get(link))
    assert "PN một" in text and "PN hai" in text and "ND Cao Sơn" not in text
    assert "Tổ chức: Hội Liên hiệp Phụ nữ" in text


def test_show_summary_district_sees_its_communes_only_and_not_another_district(sums, login_as):
    client, _ = login_as(Role.REVIEWER, sums.d1)
    text = page_text(client.get(url("show_summary", sums.d1)))
    assert "Tổng cộng 3 5.500.000 đ 3.500.000 đ 250.000 đ 9.250.000 đ" in text
    lines = sheet_rows(workbook(client.get(url("export_summary", sums.d1))).worksheets[1])
    assert sorted(line[4] for line in lines) == sorted(["PN một", "PN hai", "ND thôn"])
    for kind in ("show_summary", "export_summary"):
        assert client.get(url(kind, sums.d2)).status_code == 403
        assert client.get(url(kind, sums.province)).status_code == 403


def test_show_summary_unknown_content_or_year_is_404(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    assert client.get(url("show_summary", sums.province, content=999999)).status_code == 404
    assert client.get(f"/coverage/1999/{sums.province.id}/summary").status_code == 404


def test_show_summary_commune_totals(sums, login_as):
    client, _ = login_as(Role.EDITOR, sums.c3)
    text = page_text(client.get(url("show_summary", sums.c3, submitted="1")))
    assert "Tổng cộng 1 +1 700.000 đ 800.000 đ 1.000.000 đ 2.500.000 đ" in text


def test_summary_query_count_constant_in_the_number_of_communes(sums, login_as):
    client, _ = login_as(Role.ADMIN, sums.province)
    client.get(url("show_summary", sums.province))  # the interface catalog, built once
    client.get("/")
    counts = []
    # From a few communes to many: the home page's work queue asks more only once something
    # is late below the admin, then no more as the communes grow.
    for extra in (2, 10):
        grow(sums, extra)
        for path in (
            url("show_summary", sums.province),
            url("show_summary", sums.province, submitted="1", print="1"),
            url("export_summary", sums.province, submitted="1"),
            url("show_contents", sums.province),
            "/",
        ):
            with counting_queries() as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
    assert counts[:5] == counts[5:], counts


def chart_rows(response) -> dict[str, list[str]]:
    """The picture's rows: unit name → the percentages printed on its bars."""
    html = response.get_data(as_text=True)
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert svg, "no chart"
    root = ET.fromstring(svg.group(0))
    text = "{http://www.w3.org/2000/svg}text"
    heads = root.find("{http://www.w3.org/2000/svg}g[@class='heads']")
    numbers = set(heads.iter(text))  # the heading row: the content numbers
    texts = [t.text for t in root.iter(text) if t not in numbers]
    rows: dict[str, list[str]] = {}
    name = ""
    for text in texts:
        if text.endswith("%") or text == "–":
            rows[name].append(text)
        else:
            name = text
            rows[name] = []
    return rows


def test_dashboard_shows_the_province_picture_with_percentages(sums, login_as):
    client, _ = login_as(Role.VIEWER, sums.province)
    response = client.get("/")
    assert response.status_code == 200
    assert chart_rows(response) == {
        sums.d1.name: ["50%", "50%", "0%", "0%", "0%"],
        sums.d2.name: ["100%", "0%", "0%", "0%", "0%"],
    }
    html = response.get_data(as_text=True)
    assert 'role="img"' in html and 'viewBox="0 0 360 ' in html
    assert url("show_contents", sums.province) in html  # the figures as a table
    matrix = client.get(url("show_contents", sums.province))
    assert chart_rows(matrix) == chart_rows(response)


def test_dashboard_picture_of_a_district_shows_its_own_row_only(sums, login_as):
    client, _ = login_as(Role.REVIEWER, sums.d1)
    assert chart_rows(client.get("/")) == {sums.d1.name: ["50%", "50%", "0%", "0%", "0%"]}
    editor, _ = login_as(Role.EDITOR, sums.c1)
    assert '<svg class="chart"' not in editor.get("/").get_data(as_text=True)


@pytest.mark.parametrize("value", ["abc", "-5", "0", "3000000000", "99999999999999999999"])
def test_coverage_filter_naming_no_row_is_404_not_a_database_error(sums, login_as, value):
    client, _ = login_as(Role.ADMIN, sums.province)
    for view in ("show_summary", "export_summary", "list_entries"):
        for name in ("organization", "content"):
            response = client.get(url(view, sums.province, **{name: value}))
            assert response.status_code == 404, (view, name, response.status_code)
    assert client.get(url("show_summary", sums.province, organization="")).status_code == 200


@pytest.mark.parametrize(
    ("instant", "day", "year"),
    [
        (NEW_YEARS_EVE, "31/12/2025", 2025),  # 23:30 in Vietnam
        (NEW_YEARS_EVE + timedelta(hours=1), "01/01/2026", 2026),  # 00:30; UTC still says 2025
    ],
    ids=["23:30-local", "00:30-local"],
)
def test_the_year_and_the_day_turn_at_midnight_in_vietnam_not_in_utc(
    db, campaign, tree, login_as, instant, day, year
):
    with time_machine.travel(instant, tick=False):
        make_sums(tree, 2025)
        client, _ = login_as(Role.VIEWER, tree.province)
        titles = [
            row[0]
            for row in workbook(client.get(url("export_summary", tree.province, year=2025)))
            .worksheets[0]
            .iter_rows(max_row=4, values_only=True)
        ]
        assert titles[2] == f"Lập ngày {day}"
        # The dashboard pictures the local year: 2025's entries until midnight, then none.
        home = client.get("/")
        assert url("show_contents", tree.province, year=year) in home.get_data(as_text=True)
        if year == 2025:
            assert chart_rows(home) == {
                tree.d1.name: ["50%", "50%", "0%", "0%", "0%"],
                tree.d2.name: ["100%", "0%", "0%", "0%", "0%"],
            }
        else:
            assert chart_rows(home) == {
                tree.d1.name: ["0%", "0%", "0%", "0%", "0%"],
                tree.d2.name: ["0%", "0%", "0%", "0%", "0%"],
            }
