"""Guidance pages for a translator who works in Word: each chosen page's Vietnamese text,
paragraph by paragraph, beside an empty column for the translation (the translator's kit;
the strings and campaign words travel as a spreadsheet or PO file, i18n/kit.py)."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt
from flask_babel import gettext as _

from webapp.i18n.languages import Language
from webapp.pages.models import Page


def paragraphs(markdown: str) -> list[str]:
    return [p.strip() for p in markdown.replace("\r\n", "\n").split("\n\n") if p.strip()]


def pages_docx(language: Language, pages: list[Page]) -> bytes:
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(_("Pages to translate into %(language)s", language=language.name), 0)
    for page in pages:
        revision = page.current
        document.add_heading(revision.title, 1)
        document.add_paragraph(
            _("Revision %(number)d of the Vietnamese original.", number=revision.number)
        )
        table = document.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = _("Vietnamese")
        table.rows[0].cells[1].text = language.name
        for text in [revision.title, *([revision.summary] if revision.summary else [])]:
            table.add_row().cells[0].text = text
        for text in paragraphs(revision.body or ""):
            table.add_row().cells[0].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
