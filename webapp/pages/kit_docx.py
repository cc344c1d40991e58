"""Guidance pages for a translator who works in Word: each chosen page's Vietnamese text,
paragraph by paragraph, beside an empty column for the translation (the translator's kit;
the strings and campaign words travel as a spreadsheet or PO file, i18n/kit.py); and the
filled document read back, each page's translation arriving sent for review.

Each page's section carries a key line, `[kit page=<id> revision=<id>]`, naming the page and
the Vietnamese revision exported: the import matches pages by it (not by title, which the
publisher may change) and skips a page whose Vietnamese changed since."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from docx import Document
from docx.shared import Pt
from flask_babel import gettext as _

from webapp import policy
from webapp.extensions import db
from webapp.i18n.kit import KitError, Report
from webapp.i18n.languages import Language
from webapp.pages import translations
from webapp.pages.models import Page, Revision
from webapp.pages.services import PageError, PageValues
from webapp.policy import Action

KEY = re.compile(r"\[kit page=(\d+) revision=(\d+)\]")


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
        document.add_paragraph(f"[kit page={page.id} revision={revision.id}]")
        table = document.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = _("Vietnamese")
        table.rows[0].cells[1].text = language.name
        for text in _cells(revision):
            table.add_row().cells[0].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cells(revision: Revision) -> list[str]:
    """The Vietnamese column of a page's table: title, summary if any, each paragraph."""
    summary = [revision.summary] if revision.summary else []
    return [revision.title, *summary, *paragraphs(revision.body or "")]


def read_docx(stream) -> list[tuple[int, int, list[str]]]:
    """(page id, exported revision id, the translation column) for each page of the document."""
    try:
        document = Document(stream)
    except Exception as error:  # python-docx raises several kinds for a file that is not one
        raise KitError(_("This file is not a Word document (.docx) from the kit.")) from error
    keys = [KEY.search(p.text) for p in document.paragraphs]
    keys = [(int(m.group(1)), int(m.group(2))) for m in keys if m]
    tables = document.tables
    if not keys or len(keys) != len(tables):
        raise KitError(
            _("This Word document is not a page kit, or its tables or key lines were removed.")
        )
    return [
        (page_id, revision_id, [row.cells[1].text.strip() for row in table.rows[1:]])
        for (page_id, revision_id), table in zip(keys, tables, strict=True)
    ]


def import_docx(actor, language: Language, filled: list[tuple[int, int, list[str]]]) -> Report:
    """Each page with its translation filled in arrives sent for review; a page skipped is
    reported with why: unknown, not the translator's, Vietnamese changed since the export,
    title or text missing."""
    report = Report()
    pages = {
        p.id: p
        for p in db.session.scalars(sa.select(Page).where(Page.id.in_([f[0] for f in filled])))
    }
    for page_id, revision_id, column in filled:
        page = pages.get(page_id)
        revision = db.session.get(Revision, revision_id)
        key = f"page:{page_id}"
        if page is None or revision is None or revision.page_id != page_id:
            report.skipped.append((key, "", _("Unknown page: was the key line changed?")))
            continue
        vi = revision.title
        if not any(column):
            report.unchanged += 1
            continue
        if page.current is None or _cells(page.current) != _cells(revision):
            report.skipped.append(
                (key, vi, _("The Vietnamese page changed since the export; export it again."))
            )
            continue
        expected = _cells(revision)
        if len(column) != len(expected) or not column[0]:
            report.skipped.append(
                (key, vi, _("The title or rows of the table are missing; keep one row each."))
            )
            continue
        translation = translations.translation_for(page, language.code)
        if not policy.can(actor, Action.PAGE_TRANSLATE, translation):
            report.skipped.append((key, vi, _("You do not translate this page.")))
            continue
        has_summary = bool(revision.summary)
        body = "\n\n".join(text for text in column[1 + has_summary :] if text)
        values = PageValues(column[0], body, column[1] or None if has_summary else None)
        try:
            translations.save_translation(
                actor, translation, translation.version, values,
                source_revision_id=revision.id, submit=True,
            )  # fmt: skip
        except PageError as error:
            report.skipped.append((key, vi, str(error)))
            continue
        report.changed.append((key, vi, values.title))
    return report
