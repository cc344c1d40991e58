"""The official form of a registration list as a print page, DOCX and XLSX: the Vietnamese text
survives every format, the form stays Vietnamese for English readers, and scope is enforced.

Wording that goes through the catalog is compared with what the Vietnamese catalog produces;
names, the campaign's reference line, amounts and numbering are compared literally.
"""

from __future__ import annotations

import gzip
import html
import io
import re
from datetime import date

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from flask import g
from flask_babel import get_locale, gettext

from tests import factories
from tests.factories import content, org
from webapp.auth.models import Role
from webapp.campaign.models import ModelType
from webapp.exports.official_form import build_form, in_vietnamese
from webapp.registrations import services
from webapp.registrations.models import EntryKind, RegistrationList
from webapp.registrations.services import EntryValues
from webapp.units.models import Kind, Level

ROAD = "Đường bê tông thôn Nà Phặc – Bản Khuổi Ú"
MODEL = "Mô hình “Sạch nhà, tốt ruộng” ở bản Khuổi Ú của hộ bà Hoàng Thị Dưỡng"
TASK = "Trồng cây xanh, thắp sáng đường quê ở tổ Nặm Cắt"
OWNER = "Hội Nông dân xã Đồng Phúc"
REFERENCE = (
    "(Kèm theo Kế hoạch số 129/KH-MTTQ-BTT ngày 21 tháng 6 năm 2017 của Ban Thường trực "
    "Ủy ban MTTQ tỉnh Bắc Kạn)"
)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def model_type(code: str) -> ModelType:
    from webapp.extensions import db

    return db.session.scalar(sa.select(ModelType).filter_by(code=code))


def make_list(db, unit, *, extra_entries: int = 0, organization: str = "nong_dan") -> int:
    """Hội Nông dân's 2017 list at the unit: a work, a model and a task, signed on 5/7/2017."""
    editor = factories.make_user(roles=[(Role.EDITOR, unit)])
    area = factories.make_unit("Thôn Nà Phặc", level=Level.AREA, parent=unit)
    lead = org(organization)
    registration_list = services.start_list(editor, unit, lead, 2017)
    db.session.flush()
    services.add_entry(
        editor,
        registration_list,
        EntryValues(
            kind=EntryKind.CONG_TRINH,
            name=ROAD,
            content=content(1),
            location=area,
            lead_organization=lead,
            scale="1,2 km, rộng 3 m",
            starts_on=date(2017, 7, 1),
            ends_on=date(2017, 12, 1),
            budget_people=150_000_000,
            budget_state=1_500_000_000,
            partners=[org("phu_nu"), org("doan_thanh_nien")],
            notes="Nhân dân hiến đất, ngày công",
        ),
    )
    services.add_entry(
        editor,
        registration_list,
        EntryValues(
            kind=EntryKind.MO_HINH,
            name=MODEL,
            content=content(3),
            model_type=model_type("sach_nha_tot_ruong"),
            location=area,
            lead_organization=lead,
            starts_on=date(2017, 8, 1),
            budget_people=20_000_000,
            budget_other=5_000_000,
        ),
    )
    services.add_entry(
        editor,
        registration_list,
        EntryValues(
            kind=EntryKind.PHAN_VIEC,
            name=TASK,
            content=content(2),
            location=unit,
            lead_organization=lead,
        ),
    )
    for n in range(extra_entries):
        services.add_entry(
            editor,
            registration_list,
            EntryValues(
                kind=EntryKind.PHAN_VIEC,
                name=f"Phần việc số {n + 4}: sửa nhà văn hóa thôn Khuổi Ú, làm đường điện",
                content=content(n % 5 + 1),
                location=area,
                lead_organization=lead,
                scale="Toàn thôn, 86 hộ",
                starts_on=date(2017, 9, 1),
                ends_on=date(2017, 11, 1),
                budget_people=12_500_000,
                partners=[org("phu_nu"), org("cuu_chien_binh")],
                notes="Vận động hội viên đóng góp ngày công",
            ),
        )
    services.update_header(
        editor,
        registration_list,
        registration_list.version,
        registered_on=date(2017, 7, 5),
        signer_title="CHỦ TỊCH",
        signer_name="Hoàng Văn Thưởng",
    )
    db.session.commit()
    return registration_list.id


# The official wording, written out: a wrong or missing translation must fail these tests.
WORDING = {
    "unit": f"ĐƠN VỊ: {OWNER}",
    "title": "DANH SÁCH",
    "subtitle": (
        f"Các công trình, mô hình, phần việc của {OWNER} tham gia xây dựng nông thôn mới, "
        "đô thị văn minh năm 2017"
    ),
    "budget": "Kinh phí dự kiến (đồng)",
    "people": "Nhân dân đóng góp",
    "total": "Tổng cộng",
    "signature": "(Ký tên, đóng dấu)",
    "date": "Đồng Phúc, ngày 05 tháng 7 năm 2017",
}


def expected_wording(app) -> dict[str, str]:
    return WORDING


def urls(list_id: int) -> dict[str, str]:
    base = f"/registrations/lists/{list_id}"
    return {"print": f"{base}/print", "docx": f"{base}/export.docx", "xlsx": f"{base}/export.xlsx"}


def read_docx(body: bytes):
    return docx.Document(io.BytesIO(body))


def read_xlsx(body: bytes):
    return openpyxl.load_workbook(io.BytesIO(body), data_only=True)


def sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def page_text(response) -> str:
    """The page's text with tags dropped and entities decoded, one space between words."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


# The print page


def test_print_list_in_scope_shows_the_official_form(app, tree, campaign, login_as, db):
    list_id = make_list(db, tree.c1)
    client, _ = login_as(Role.VIEWER, tree.d1)
    wording = expected_wording(app)

    response = client.get(urls(list_id)["print"])

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert '<meta name="viewport"' in page
    assert "<script" not in page
    text = page_text(response)
    for line in (wording["unit"], wording["title"], wording["subtitle"], REFERENCE):
        assert line in text
    assert OWNER in text
    for name in (ROAD, MODEL, TASK):
        assert f'<td class="left">{html.escape(name, quote=False)}</td>' in page
    assert '<td class="center">1</td>' in page and '<td class="center">3</td>' in page
    assert "150.000.000" in text and "1.500.000.000" in text
    # Totals by source: people 170.000.000, state 1.500.000.000, other 5.000.000.
    assert re.search(r"170\.000\.000 1\.500\.000\.000 5\.000\.000", text)
    assert "07/2017 – 12/2017" in text
    assert "Hội Liên hiệp Phụ nữ, Đoàn TNCS Hồ Chí Minh" in text
    assert 'colspan="3"' in page and wording["budget"] in text
    assert wording["date"] in text
    assert wording["signature"] in text
    assert "CHỦ TỊCH" in text and "Hoàng Văn Thưởng" in text


def test_print_list_english_reader_still_gets_vietnamese_form(app, tree, campaign, login_as, db):
    list_id = make_list(db, tree.c1)
    client, _ = login_as(Role.EDITOR, tree.c1)
    client.set_cookie("lang", "en")
    wording = expected_wording(app)

    response = client.get(urls(list_id)["print"])

    page = response.get_data(as_text=True)
    text = page_text(response)
    assert '<html lang="vi">' in page
    # The tools around the form speak the reader's language.
    assert '<nav class="tools" lang="en"' in page
    assert "Back to the list" in text
    for line in (wording["unit"], wording["subtitle"], REFERENCE, wording["signature"]):
        assert line in text
    assert "1.500.000.000" in text and "1,500,000,000" not in text


def test_print_list_links_the_list_page_and_downloads(app, tree, campaign, login_as, db):
    list_id = make_list(db, tree.c1)
    client, _ = login_as(Role.EDITOR, tree.c1)

    page = client.get(urls(list_id)["print"]).get_data(as_text=True)

    assert f'href="/registrations/lists/{list_id}"' in page
    assert f'href="{urls(list_id)["docx"]}"' in page
    assert f'href="{urls(list_id)["xlsx"]}"' in page


def test_print_list_ten_entries_first_load_within_budget(app, tree, campaign, login_as, db):
    list_id = make_list(db, tree.c1, extra_entries=7)
    client, _ = login_as(Role.EDITOR, tree.c1)

    response = client.get(urls(list_id)["print"])
    stylesheet = re.search(r'href="(/static/print\.css\?v=\w+)"', response.get_data(as_text=True))
    with client.get(stylesheet.group(1)) as css:
        assert css.status_code == 200
        css_size = len(gzip.compress(css.get_data(), 9))

    assert response.get_data(as_text=True).count("<tr>") == 2 + 10  # two header rows
    assert len(gzip.compress(response.get_data(), 9)) + css_size <= 40 * 1024


def test_print_list_empty_list_renders_header_and_empty_total(app, tree, campaign, login_as, db):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c2)])
    registration_list = services.start_list(editor, tree.c2, org("phu_nu"), 2018)
    db.session.commit()
    client, _ = login_as(Role.EDITOR, tree.c2)

    response = client.get(urls(registration_list.id)["print"])

    assert response.status_code == 200
    assert "Hội Liên hiệp Phụ nữ xã Nà Phặc" in page_text(response)


# DOCX


def test_export_docx_in_scope_reads_back_in_vietnamese(app, tree, campaign, login_as, db):
    list_id = make_list(db, tree.c1)
    client, _ = login_as(Role.EDITOR, tree.c1)
    client.set_cookie("lang", "en")
    wording = expected_wording(app)

    response = client.get(urls(list_id)["docx"])

    assert response.status_code == 200
    assert response.mimetype == DOCX_TYPE
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="danh-sach-2017-hoi-nong-dan-xa-dong-phuc.docx"' in disposition
    assert (
        "filename*=UTF-8''Danh%20s%C3%A1ch%202017%20-%20H%E1%BB%99i%20N%C3%B4ng%20d%C3%A2n"
        "%20x%C3%A3%20%C4%90%E1%BB%93ng%20Ph%C3%BAc.docx" in disposition
    )

    document = read_docx(response.get_data())
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert document.styles["Normal"].font.name == "Times New Roman"
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[:4] == [wording["unit"], wording["title"], wording["subtitle"], REFERENCE]
    assert paragraphs[-4:] == [
        wording["date"],
        "CHỦ TỊCH",
        wording["signature"],
        "Hoàng Văn Thưởng",
    ]
    title = next(p for p in document.paragraphs if p.text == wording["title"])
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.bold for run in title.runs)

    table = document.tables[0]
    assert table.style.name == "Table Grid"
    top, sub = ([c.text for c in row.cells] for row in table.rows[:2])
    assert top[7:10] == [wording["budget"]] * 3  # the two-level budget header
    assert sub[7] == wording["people"]
    body = [[c.text for c in row.cells] for row in table.rows[2:]]
    assert [row[0] for row in body[:3]] == ["1", "2", "3"]
    assert [row[1] for row in body[:3]] == [ROAD, MODEL, TASK]
    assert body[0][4] == "Thôn Nà Phặc"
    assert body[0][6] == "07/2017 – 12/2017"
    assert body[0][7:10] == ["150.000.000", "1.500.000.000", ""]
    assert body[1][2].endswith("\nMô hình “Sạch nhà, tốt ruộng”")
    assert body[1][6] == "08/2017 –"
    assert body[0][11] == "Hội Liên hiệp Phụ nữ, Đoàn TNCS Hồ Chí Minh"
    assert body[3][0] == wording["total"]
    assert body[3][7:10] == ["170.000.000", "1.500.000.000", "5.000.000"]


# XLSX


def test_export_xlsx_in_scope_reads_back_numbers_and_text(app, tree, campaign, login_as, db):
    list_id = make_list(db, tree.c1)
    client, _ = login_as(Role.EDITOR, tree.c1)
    wording = expected_wording(app)

    response = client.get(urls(list_id)["xlsx"])

    assert response.status_code == 200
    assert response.mimetype == XLSX_TYPE
    assert response.headers["Cache-Control"] == "private, no-store"
    assert (
        'filename="danh-sach-2017-hoi-nong-dan-xa-dong-phuc.xlsx"'
        in (response.headers["Content-Disposition"])
    )
    workbook = read_xlsx(response.get_data())
    assert workbook.sheetnames == ["Danh sách"]
    sheet = workbook["Danh sách"]
    rows = sheet_rows(sheet)
    assert rows[0][0] == wording["unit"]
    assert rows[2][0] == wording["title"]
    assert rows[3][0] == wording["subtitle"]
    assert rows[4][0] == REFERENCE
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A3:M3", "A4:M4", "A5:M5", "H7:J7", "A7:A8", "B7:B8"} <= merged
    assert rows[6][7] == wording["budget"]
    assert rows[7][7] == wording["people"]

    data = rows[8:11]
    assert [row[0] for row in data] == [1, 2, 3]
    assert [row[1] for row in data] == [ROAD, MODEL, TASK]
    assert data[0][3] == 1
    assert data[0][7:10] == (150_000_000, 1_500_000_000, None)
    assert data[1][7:10] == (20_000_000, None, 5_000_000)
    assert sheet["H9"].number_format == "#,##0"
    total = rows[11]
    assert total[0] == wording["total"]
    assert total[7:10] == (170_000_000, 1_500_000_000, 5_000_000)
    assert sheet["H12"].value == 170_000_000
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9

    lines = [row[8] for row in rows[13:] if row[8]]
    assert lines == [wording["date"], "CHỦ TỊCH", wording["signature"], "Hoàng Văn Thưởng"]


def test_export_xlsx_text_that_looks_like_a_formula_stays_text(app, tree, campaign, login_as, db):
    list_id = make_list(db, tree.c1)
    registration_list = db.session.get(RegistrationList, list_id)
    registration_list.entries[2].notes = '=HYPERLINK("http://example.com","Bấm")'
    db.session.commit()
    client, _ = login_as(Role.EDITOR, tree.c1)

    sheet = read_xlsx(client.get(urls(list_id)["xlsx"]).get_data())["Danh sách"]

    assert sheet["M11"].value == '=HYPERLINK("http://example.com","Bấm")'
    assert sheet["M11"].data_type == "s"


# Scope


@pytest.mark.parametrize("kind", ["print", "docx", "xlsx"])
def test_export_out_of_scope_forbidden(app, tree, campaign, login_as, db, kind):
    list_id = make_list(db, tree.c1)
    client, _ = login_as(Role.EDITOR, tree.c3)

    assert client.get(urls(list_id)[kind]).status_code == 403


@pytest.mark.parametrize("kind", ["print", "docx", "xlsx"])
def test_export_other_organization_forbidden(app, tree, campaign, login_as, db, kind):
    list_id = make_list(db, tree.c1)
    client, _ = login_as(Role.EDITOR, tree.c1, organization=org("phu_nu"))

    assert client.get(urls(list_id)[kind]).status_code == 403


@pytest.mark.parametrize("kind", ["print", "docx", "xlsx"])
def test_export_anonymous_redirected_to_login(app, tree, campaign, client, db, kind):
    list_id = make_list(db, tree.c1)

    response = client.get(urls(list_id)[kind])

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_export_missing_list_not_found(app, tree, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)

    assert client.get(urls(999_999)["docx"]).status_code == 404


# The form's data


def test_in_vietnamese_translates_and_restores(app):
    with app.test_request_context():
        g.ui_lang = "en"
        assert gettext("Home") == "Home"
        with in_vietnamese():
            assert gettext("Home") == "Trang chủ"
            assert str(get_locale()) == "vi"
        assert gettext("Home") == "Home"
        assert g.ui_lang == "en"
        assert str(get_locale()) == "en"


def test_build_form_city_and_date_with_leading_zeros(app, tree, campaign, db):
    city = factories.make_unit("Thành phố Bắc Kạn", level=Level.DISTRICT, kind=Kind.THANH_PHO)
    editor = factories.make_user(roles=[(Role.EDITOR, city)])
    registration_list = services.start_list(editor, city, org("phu_nu"), 2018)
    db.session.flush()
    services.update_header(
        editor,
        registration_list,
        registration_list.version,
        registered_on=date(2018, 2, 3),
        signer_title=None,
        signer_name=None,
    )

    with app.test_request_context():
        form = build_form(registration_list)

    assert form.owner == "Hội Liên hiệp Phụ nữ thành phố Bắc Kạn"
    assert form.file_stem == "danh-sach-2018-hoi-lien-hiep-phu-nu-thanh-pho-bac-kan"
    assert form.date_line == "Bắc Kạn, ngày 03 tháng 02 năm 2018"
    assert form.rows == ()
    assert form.totals == (None, None, None)
    assert form.signer_title is None and form.signer_name is None
