"""The translator's kit: a chosen set of interface strings and campaign words of one language,
written as a spreadsheet (XLSX) or a PO file for people who translate in Excel or a PO tool,
and read back as translations sent for review, with a report of what changed and what was
skipped, and why.

A row is named by its key: "ui:<message key>" for an interface string, "word:<kind>:<row id>"
for a campaign word. The Vietnamese text travels with it: when it changed since the export,
the row is skipped (the translation was made from another text). A row marked machine-drafted
is kept so, and never served until a reviewer approves it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.concurrency import StaleVersion
from webapp.extensions import db
from webapp.i18n import queries, services, words
from webapp.i18n.languages import Language
from webapp.i18n.models import message_key
from webapp.i18n.update import empty_catalog
from webapp.xlsx import cell_text

SETS = {
    "public": _l("Interface strings public readers see"),
    "interface": _l("Every interface string"),
    "words": _l("Campaign words (contents, organizations, model types, report figures)"),
}
MACHINE_MARKS = {"x", "yes", "có", "1", "machine"}
MAX_ROWS = 5000


@dataclass(frozen=True)
class KitRow:
    key: str
    context: str
    vi: str
    english: str  # a hint for interface strings; empty for campaign words
    text: str  # the translator's latest text (draft or approved), for them to go on from


def _ui_rows(code: str, only_public: bool) -> list[KitRow]:
    public = queries.public_keys()
    count = queries.plural_count(code)
    rows = []
    for item in queries.by_readers(queries.messages(code)):
        src = item.source
        if only_public and src.key not in public:
            continue
        if src.msgid_plural and count > 1:
            continue  # several forms do not fit one cell: the PO file carries them
        current = item.saved.strings if item.saved is not None else item.strings
        rows.append(
            KitRow(f"ui:{src.key}", src.context or "", src.vi_text, src.msgid, " ".join(current))
        )
    return rows


def _word_rows(code: str) -> list[KitRow]:
    return [
        KitRow(
            f"word:{w.kind}:{w.row_id}",
            w.label,
            w.vi,
            "",
            w.saved.text if w.saved is not None else "",
        )
        for w in words.words(code)
    ]


def rows(code: str, sets: set[str]) -> list[KitRow]:
    """The rows of the chosen sets, public strings first, each once."""
    found: list[KitRow] = []
    if "interface" in sets or "public" in sets:
        found += _ui_rows(code, only_public="interface" not in sets)
    if "words" in sets:
        found += _word_rows(code)
    return found


HEADER = ("key", "context", "vi", "en", "translation", "machine")


def to_xlsx(language: Language, kit: list[KitRow]) -> bytes:
    import xlsxwriter  # loaded on export, not by every worker at start

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(language.code)
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    entry = workbook.add_format({"text_wrap": True, "valign": "top", "bg_color": "#FFF8DC"})
    titles = (
        _("Key (do not change)"),
        _("Context"),
        _("Vietnamese"),
        _("English (a hint)"),
        language.name,
        _("Machine-drafted (x)"),
    )
    for column, (title, width) in enumerate(zip(titles, (14, 18, 50, 40, 50, 12), strict=True)):
        sheet.write(0, column, title, bold)
        sheet.set_column(column, column, width)
    sheet.write_comment(
        0, 4, _("Write the translation in this column; leave a row empty to skip it.")
    )
    for number, row in enumerate(kit, start=1):
        for column, value in enumerate((row.key, row.context, row.vi, row.english)):
            sheet.write_string(number, column, cell_text(value), wrap)
        sheet.write_string(number, 4, cell_text(row.text), entry)
        sheet.write_string(number, 5, "", entry)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 14, None, {"hidden": False})
    workbook.close()
    return buffer.getvalue()


class KitError(ValueError):
    """A file that cannot be read as a kit; the message says why."""


@dataclass(frozen=True)
class Filled:
    key: str
    vi: str
    text: str
    machine: bool


def read_xlsx(stream) -> list[Filled]:
    """The filled rows of a kit spreadsheet: those whose translation cell is not empty."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # a renamed PDF, a broken zip: openpyxl raises many kinds
        raise KitError(
            _("This file is not an Excel workbook (.xlsx) made from the kit.")
        ) from error
    sheet = workbook.worksheets[0]
    found = []
    for index, values in enumerate(sheet.iter_rows(values_only=True)):
        if index == 0:
            continue
        if index > MAX_ROWS:
            raise KitError(_("The file has more than %(max)d rows.", max=MAX_ROWS))
        cells = [("" if v is None else str(v)) for v in (*values, *[None] * 6)[:6]]
        key, _context, vi, _english, text, machine = cells
        if key.strip() and text.strip():
            found.append(Filled(key.strip(), vi, text, machine.strip().lower() in MACHINE_MARKS))
    workbook.close()
    return found


def to_po(language: Language, kit: list[KitRow]) -> bytes:
    """The rows as a PO catalog: interface strings by their English msgid and context, campaign
    words by their key as context and the Vietnamese as msgid; the Vietnamese in a comment."""
    catalog = empty_catalog(language.code)
    for row in kit:
        if row.key.startswith("ui:"):
            context, msgid = row.context or None, row.english
        else:
            context, msgid = row.key, row.vi
        catalog.add(
            msgid, row.text, context=context, auto_comments=[f"vi: {row.vi}", f"key: {row.key}"]
        )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False)
    return buffer.getvalue()


def read_po_file(stream) -> list[Filled]:
    try:
        catalog: Catalog = read_po(stream)
    except Exception as error:  # babel raises several kinds on a file that is not PO
        raise KitError(_("This file is not a PO file made from the kit.")) from error
    found = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        text = message.string if isinstance(message.string, str) else message.string[0]
        if not text.strip():
            continue  # left empty: nothing to import
        comments = dict(c.split(": ", 1) for c in message.auto_comments if ": " in c)
        key = comments.get("key") or _po_key(message)
        machine = "machine" in message.flags
        found.append(Filled(key, comments.get("vi", ""), text, machine))
    return found


def _po_key(message) -> str:
    """A message of a PO file that lost its comments: a campaign word by its context, an
    interface string by its msgid and context."""
    if (message.context or "").startswith("word:"):
        return message.context
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return f"ui:{message_key(msgid, message.context)}"


@dataclass
class Report:
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # key, vi, text
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # key, vi, why
    unchanged: int = 0


def import_filled(actor, language: Language, filled: list[Filled]) -> Report:
    """Each filled row becomes a translation sent for review (machine-drafted where the file
    says so), unless its Vietnamese changed since the export, its key is unknown, or the
    translation breaks the original's placeholders or markup: those are reported, with why."""
    code = language.code
    interface = {f"ui:{m.source.key}": m for m in queries.messages(code)}
    campaign = {f"word:{w.kind}:{w.row_id}": w for w in words.words(code)}
    report = Report()
    for row in filled:
        text = row.text.strip()
        item = interface.get(row.key) or campaign.get(row.key)
        if item is None:
            report.skipped.append(
                (row.key, row.vi, _("No such string or word (the key was changed?)."))
            )
            continue
        vi = item.source.vi_text if row.key.startswith("ui:") else item.vi
        if row.vi and row.vi.strip() != vi.strip():
            report.skipped.append(
                (row.key, vi, _("The Vietnamese changed since the export; translate it again."))
            )
            continue
        saved = item.saved
        current = (
            (" ".join(saved.strings) if row.key.startswith("ui:") else saved.text) if saved else ""
        )
        if saved is not None and current == text and not row.machine:
            report.unchanged += 1
            continue
        try:
            with db.session.begin_nested():
                if row.key.startswith("ui:"):
                    count = queries.plural_count(code) if item.source.msgid_plural else 1
                    result = services.save(
                        actor, language, item, [text] * count,
                        seen_version=saved.version if saved else 0, submit=True,
                    )  # fmt: skip
                else:
                    result = words.save(
                        actor, language, item, text,
                        seen_version=saved.version if saved else 0, submit=True,
                    )  # fmt: skip
                result.is_machine_drafted = row.machine
                db.session.flush()
        except services.TranslationError as error:
            report.skipped.append((row.key, vi, str(error)))
            continue
        except (StaleVersion, sa.exc.IntegrityError):
            report.skipped.append((row.key, vi, _("Someone saved meanwhile; import again.")))
            continue
        report.changed.append((row.key, vi, text))
    return report
