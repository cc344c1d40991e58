"""The official form as files: an editable Word document and a spreadsheet.

Both lay out an OfficialForm; neither decides what the form says. The building blocks (the
page and fonts, paragraphs, table cells, the national motto header, the signature block, the
spreadsheet's formats) serve the other documents the committees sign, such as the consolidated
list of opinions.
"""

from __future__ import annotations

import io

import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from xlsxwriter.utility import xl_col_to_name

from webapp.downloads import DOCX_MIMETYPE, XLSX_MIMETYPE  # noqa: F401  (kept here too)
from webapp.exports.official_form import OfficialForm, in_vietnamese
from webapp.xlsx import cell_text

FONT = "Times New Roman"
TABLE_FONT_SIZE = 10
SHEET_NAME = "Danh sách"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(297), Mm(210), Mm(15)

_DOCX_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def to_docx(form: OfficialForm) -> bytes:
    document = new_document()

    paragraph(document, form.unit_line, bold=True, space_after=12)
    paragraph(document, form.title, bold=True, size=14, align="center")
    paragraph(document, form.subtitle, bold=True, align="center")
    if form.reference:
        paragraph(document, form.reference, italic=True, align="center")
    paragraph(document, "")
    _docx_table(document, form)
    _docx_signature(document, form)
    return document_bytes(document)


def landscape_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def form_fonts(document) -> None:
    for name in ("Normal", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        # python-docx sets the Latin slots only; Word picks other slots for some characters.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for slot in ("w:eastAsia", "w:cs"):
            fonts.set(qn(slot), FONT)
    document.styles["Normal"].font.size = Pt(13)


def paragraph(
    container,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: str = "left",
    space_after: float = 0,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = _DOCX_ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(space_after)
    _runs(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _runs(paragraph, text: str, *, bold=False, italic=False, size: float | None = None) -> None:
    """The text as runs, a line break for each "\\n"."""
    for index, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if index:
            run.add_break()
        run.add_text(line)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)


def table_cell(cell: _Cell, text: str, *, align: str = "left", bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = _DOCX_ALIGN[align]
    # On the runs: Word lets the Normal style's size win over the table style's.
    _runs(paragraph, text, bold=bold, size=TABLE_FONT_SIZE)


def repeat_as_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _docx_table(document, form: OfficialForm) -> None:
    columns = form.columns
    start, stop = form.budget_span
    table = document.add_table(rows=2, cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.autofit = False

    top, sub = table.rows
    for index, column in enumerate(columns):
        if column.is_money:
            table_cell(sub.cells[index], column.heading, align="center", bold=True)
        else:
            merged = top.cells[index].merge(sub.cells[index])
            table_cell(merged, column.heading, align="center", bold=True)
    group = top.cells[start].merge(top.cells[stop - 1])
    table_cell(group, form.budget_heading, align="center", bold=True)
    for row in (top, sub):
        repeat_as_header(row)
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    for form_row in form.rows:
        cells = table.add_row().cells
        for index, value in enumerate(form_row.cells):
            table_cell(cells[index], form.text(index, value), align=columns[index].align)

    total = table.add_row().cells
    label = total[0].merge(total[start - 1])
    table_cell(label, form.total_label, align="center", bold=True)
    for offset, amount in enumerate(form.totals):
        text = form.text(start + offset, amount)
        table_cell(total[start + offset], text, align="right", bold=True)

    _docx_widths(table, form)


def _docx_widths(table, form: OfficialForm) -> None:
    """Column widths in the grid (LibreOffice reads these) and on every cell (Word reads
    those); a merged cell is as wide as the columns it spans."""
    usable = PAGE_WIDTH - 2 * MARGIN
    weight = sum(column.width for column in form.columns)
    widths = [int(usable * column.width / weight) for column in form.columns]
    for index, column in enumerate(table.columns):
        column.width = widths[index]
    for row in table.rows:
        position = 0
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            tc.width = sum(widths[position : position + span])
            position += span


def _docx_signature(document, form: OfficialForm) -> None:
    signature_block(
        document, form.date_line, form.signer_title, form.signature_note, form.signer_name
    )


def signature_block(
    document,
    date_line: str | None,
    signer_title: str | None,
    signature_note: str,
    signer_name: str | None,
) -> None:
    """A block centred on the right half of the page, as under Vietnamese official documents."""
    lines = [
        (date_line, {"italic": True}, 0),
        (signer_title, {"bold": True}, 0),
        (signature_note, {"italic": True}, 0),
        (signer_name, {"bold": True}, 60),  # room for the signature and the seal
    ]
    paragraph(document, "")
    for text, style, space_before in lines:
        if not text:
            continue
        line = paragraph(document, text, align="center", **style)
        line.paragraph_format.left_indent = (PAGE_WIDTH - 2 * MARGIN) // 2
        line.paragraph_format.space_before = Pt(space_before)


def motto_header(document, issuer: str, number: str | None, motto: str, date_line: str) -> None:
    """The head of an administrative document (Nghị định 30/2020/NĐ-CP): the issuing body
    and the document's number on the left, the national name and motto and the place and date
    on the right, in a table without borders."""
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    width = (PAGE_WIDTH - 2 * MARGIN) // 2
    left.width = right.width = width
    lines = [(issuer, True, False)] + ([(number, False, False)] if number else [])
    for cell, cell_lines in (
        (left, lines),
        (right, [(motto, True, False), (date_line, False, True)]),
    ):
        for index, (text, bold, italic) in enumerate(cell_lines):
            line = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            line.alignment = _DOCX_ALIGN["center"]
            _runs(line, text, bold=bold, italic=italic, size=TABLE_FONT_SIZE + 2)
    paragraph(document, "")


def new_document():
    """A landscape A4 document in the form's font."""
    document = Document()
    landscape_page(document)
    form_fonts(document)
    return document


def document_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_xlsx(form: OfficialForm) -> bytes:
    buffer = io.BytesIO()
    # User text that starts with "=" or looks like a link stays text.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(SHEET_NAME)
    formats = xlsx_formats(workbook)
    columns = form.columns
    last = len(columns) - 1
    start, stop = form.budget_span

    sheet.merge_range(0, 0, 0, min(5, last), form.unit_line, formats["unit"])
    sheet.merge_range(2, 0, 2, last, form.title, formats["title"])
    sheet.merge_range(3, 0, 3, last, form.subtitle, formats["subtitle"])
    sheet.set_row(3, 34)
    if form.reference:
        sheet.merge_range(4, 0, 4, last, form.reference, formats["reference"])
        sheet.set_row(4, 30)

    head = 6
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        if column.is_money:
            sheet.write_string(head + 1, index, column.heading, formats["head"])
        else:
            sheet.merge_range(head, index, head + 1, index, column.heading, formats["head"])
    sheet.merge_range(head, start, head, stop - 1, form.budget_heading, formats["head"])

    first_data = head + 2
    with in_vietnamese():  # the note on a text too long for its cell, like the rest
        for offset, row in enumerate(form.rows):
            for index, value in enumerate(row.cells):
                column = columns[index]
                cell_format = formats["money" if column.is_money else column.align]
                xlsx_write(sheet, first_data + offset, index, value, cell_format)

    total = first_data + len(form.rows)
    sheet.merge_range(total, 0, total, start - 1, form.total_label, formats["total_label"])
    for offset, amount in enumerate(form.totals):
        index = start + offset
        if form.rows:
            name = xl_col_to_name(index)
            formula = f"=SUM({name}{first_data + 1}:{name}{total})"
            sheet.write_formula(total, index, formula, formats["total_money"], amount or 0)
        else:
            sheet.write_blank(total, index, None, formats["total_money"])
    for index in range(stop, last + 1):
        sheet.write_blank(total, index, None, formats["total_money"])

    _xlsx_signature(sheet, form, formats, total + 2, last)

    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(head, head + 1)
    workbook.close()
    return buffer.getvalue()


def xlsx_write(sheet, row: int, col: int, value, cell_format) -> None:
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, int):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, cell_text(value), cell_format)


def xlsx_formats(workbook) -> dict:
    text = {"font_name": FONT, "font_size": 11, "text_wrap": True}
    cell = {**text, "border": 1, "valign": "top"}
    money = {**cell, "align": "right", "num_format": "#,##0"}

    def add(base: dict, **properties):
        return workbook.add_format({**base, **properties})

    return {
        "unit": add(text, bold=True, text_wrap=False),
        "title": add(text, bold=True, font_size=14, align="center"),
        "subtitle": add(text, bold=True, align="center", valign="vcenter"),
        "reference": add(text, italic=True, align="center", valign="vcenter"),
        "head": add(cell, bold=True, align="center", valign="vcenter"),
        "left": add(cell, align="left"),
        "center": add(cell, align="center"),
        "right": add(cell, align="right"),
        "money": add(money),
        "total_label": add(cell, bold=True, align="center", valign="vcenter"),
        "total_money": add(money, bold=True),
        "signature_date": add(text, align="center", italic=True),
        "signature_bold": add(text, align="center", bold=True),
    }


def _xlsx_signature(sheet, form: OfficialForm, formats: dict, row: int, last: int) -> None:
    first = max(0, last - 4)
    lines = [
        (form.date_line, "signature_date"),
        (form.signer_title, "signature_bold"),
        (form.signature_note, "signature_date"),
    ]
    for text, name in lines:
        if text is None:
            continue
        sheet.merge_range(row, first, row, last, text, formats[name])
        row += 1
    if form.signer_name:
        row += 3
        sheet.merge_range(row, first, row, last, form.signer_name, formats["signature_bold"])
