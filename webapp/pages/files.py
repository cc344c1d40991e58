"""Attachments of guidance pages: which files are accepted (judged by their content, and their
name must agree), where they are kept, and adding and deleting them; callers commit.

A file is stored under a generated name in ATTACHMENTS_DIR, never under a name or path the
uploader chose; the cleaned original name is only used to name the download. Files follow
their rows: a file written in a transaction that does not commit is removed, and a deleted
row's file goes when the deletion commits.
"""

from __future__ import annotations

import logging
import math
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import filetype
import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session, object_session
from werkzeug.datastructures import FileStorage

from webapp import policy
from webapp.audit.services import record
from webapp.downloads import DOCX_MIMETYPE, XLSX_MIMETYPE
from webapp.extensions import db
from webapp.forms import Refused
from webapp.pages.models import Attachment, Page
from webapp.policy import Action
from webapp.text import clean, fold

log = logging.getLogger(__name__)

KIBIBYTE = 1024
MEBIBYTE = 1024 * 1024
TITLE_MAX = 300  # Attachment.title
NAME_MAX = 255  # Attachment.filename
DEFAULT_STEM = "tep-dinh-kem"  # for a name that cleaning leaves empty
_HEAD_BYTES = 8192  # what filetype reads
_CHUNK = 64 * 1024
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{2,5}")
# Characters Windows refuses in file names; "/" and "\" are gone with the directories.
_NOT_IN_NAMES = re.compile(r'[<>:"|?*]')
# "C:" before a name: werkzeug unescapes the backslashes of "C:\x\y.pdf" into "C:xy.pdf".
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CONTENT_TYPES_MAX = MEBIBYTE
# Hostile or broken zips fail in many ways; each means "not an Office document".
_BROKEN_ZIP = (
    zipfile.BadZipFile,
    KeyError,
    ElementTree.ParseError,
    OSError,
    RuntimeError,
    NotImplementedError,
    EOFError,
    ValueError,
)


@dataclass(frozen=True)
class FileType:
    mimetype: str
    extensions: tuple[str, ...]  # the first names the stored file
    name: str  # the format as people call it: "PDF", "Word", "PNG"
    inline: bool  # shown in the browser (PDF, images) rather than saved (Office files)
    office_main: str | None = None  # Office files: the content type of the main part


TYPES: dict[str, FileType] = {
    t.mimetype: t
    for t in (
        FileType("application/pdf", ("pdf",), "PDF", inline=True),
        FileType(DOCX_MIMETYPE, ("docx",), "Word", False, f"{DOCX_MIMETYPE}.main+xml"),
        FileType(XLSX_MIMETYPE, ("xlsx",), "Excel", False, f"{XLSX_MIMETYPE}.main+xml"),
        FileType("image/png", ("png",), "PNG", inline=True),
        FileType("image/jpeg", ("jpg", "jpeg"), "JPEG", inline=True),
        FileType("image/gif", ("gif",), "GIF", inline=True),
        FileType("image/webp", ("webp",), "WebP", inline=True),
    )
}
# For the file input's `accept`: what the phone's file picker offers.
ACCEPT = ",".join(f".{extension}" for t in TYPES.values() for extension in t.extensions)


class FileError(Refused):
    """A file that cannot be attached; the message says why, in the reader's language."""


def attachments_dir() -> Path:
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def is_stored_name(name: str | None) -> bool:
    """Whether `name` is one this module makes for a stored file (a backup takes only those)."""
    return bool(_STORED_NAME.fullmatch(name or ""))


def stored_path(attachment: Attachment) -> Path | None:
    """Where the file is; None for a stored name this module could not have made."""
    if not is_stored_name(attachment.stored_name):
        return None
    return attachments_dir() / attachment.stored_name


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def human_size(size: int) -> str:
    """A size as "340 KB" or "1,2 MB" (the reader's number format); never "0 KB"."""
    if size < MEBIBYTE:
        return f"{format_decimal(max(1, math.ceil(size / KIBIBYTE)))} KB"
    return f"{format_decimal(round(size / MEBIBYTE, 1), format='#,##0.#')} MB"


def kind_label(content_type: str) -> str:
    """PDF, Word, Excel or Image: what a reader needs to know before downloading."""
    kind = TYPES.get(content_type)
    if kind is None:
        return content_type
    return _("Image") if content_type.startswith("image/") else kind.name


def clean_filename(name: str | None) -> str:
    """The name to offer the file under: its last path part (old browsers send "C:\\x\\y.pdf",
    anyone may send "../../y.pdf"), NFC, no control characters, no leading dots, at most
    NAME_MAX characters with the extension kept. Vietnamese letters stay."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _DRIVE.sub("", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(_NOT_IN_NAMES.sub("_", name).split()).strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = f"{stem[: NAME_MAX - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:NAME_MAX]
    return name


def add_attachment(
    actor, page: Page, upload: FileStorage | None, title: str | None = None
) -> Attachment:
    policy.ensure(actor, Action.ATTACHMENT_UPLOAD, page)
    return _attach(actor, page, upload, title)


def delete_attachment(actor, page: Page, attachment: Attachment) -> None:
    """Remove the row now and the file when that commits (see _file_goes_with_row)."""
    if attachment.page_id != page.id:
        raise ValueError(f"attachment {attachment.id} is not on page {page.id}")
    policy.ensure(actor, Action.PAGE_EDIT, page)
    record(
        actor,
        "attachment.deleted",
        attachment,
        unit_id=page.unit_id,
        page_id=page.id,
        title=attachment.title,
        filename=attachment.filename,
    )
    page.attachments.remove(attachment)
    db.session.delete(attachment)
    db.session.flush()


def _attach(actor, page: Page, upload: FileStorage | None, title: str | None) -> Attachment:
    """Check, store and record a file, without asking the policy: for add_attachment, and for
    the seed when nobody may publish yet (actor None)."""
    title = clean(title) or None
    if title and len(title) > TITLE_MAX:
        raise FileError(_("The title is too long: at most %(max)d characters.", max=TITLE_MAX))
    if upload is None or not upload.filename:
        raise FileError(_("Choose a file to attach."))
    name = clean_filename(upload.filename)
    directory = attachments_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # the app's user only
    partial, size, head = _receive(upload.stream, directory)
    try:
        kind = _identify(head, partial)
        name = _agreeing_name(name, kind)
        path = directory / f"{uuid.uuid4().hex}.{kind.extensions[0]}"
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    db.session.info.setdefault(_WRITTEN, []).append(path)
    try:
        title = title or name.rpartition(".")[0] or name
        attachment = Attachment(
            page=page,
            title=title,
            filename=name,
            stored_name=path.name,
            content_type=kind.mimetype,
            size=size,
            search_title=fold(title),
            uploaded_by_id=getattr(actor, "id", None),
        )
        db.session.add(attachment)
        db.session.flush()
        record(
            actor,
            "attachment.added",
            attachment,
            unit_id=page.unit_id,
            page_id=page.id,
            title=title,
            filename=name,
            size=size,
            content_type=kind.mimetype,
        )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment


def _receive(stream: IO[bytes], directory: Path) -> tuple[Path, int, bytes]:
    """Copy the upload next to where it will be kept, refusing it as soon as it is too big;
    returns the partial file, its size and its first bytes."""
    limit = max_bytes()
    partial = directory / f".{uuid.uuid4().hex}.part"
    size, head = 0, b""
    try:
        with os.fdopen(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileError(
                        _("The file is too large: at most %(size)s.", size=human_size(limit))
                    )
                if len(head) < _HEAD_BYTES:
                    head += chunk[: _HEAD_BYTES - len(head)]
                out.write(chunk)
        if size == 0:
            raise FileError(_("The file is empty."))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial, size, head


def _identify(head: bytes, path: Path) -> FileType:
    guessed = filetype.guess(head)
    kind = TYPES.get(guessed.mime) if guessed is not None else None
    if kind is None:
        raise FileError(
            _(
                "This kind of file cannot be attached. Attach a PDF, Word (.docx), Excel (.xlsx) "
                "or image (PNG, JPEG, GIF, WebP) file."
            )
        )
    if kind.office_main and not _is_office_document(path, kind.office_main):
        raise FileError(
            _(
                "This file cannot be read as a Word or Excel document: it may be damaged or "
                "contain macros."
            )
        )
    return kind


def _is_office_document(path: Path, main_type: str) -> bool:
    """A real Word or Excel package: a readable zip whose [Content_Types].xml declares the
    main part of that type, which is present; no macros. (filetype only reads the first
    entries' names.)"""
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return False
            types = ElementTree.fromstring(package.read(info))
    except _BROKEN_ZIP:
        return False
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return False
    return any(
        part.get("ContentType") == main_type and part.get("PartName", "").lstrip("/") in names
        for part in types.iter(f"{_CONTENT_TYPES}Override")
    )


def _agreeing_name(name: str, kind: FileType) -> str:
    """The name's extension must be one of the detected type's; a name without one gets it."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return f"{name or DEFAULT_STEM}.{kind.extensions[0]}"
    if extension.lower() not in kind.extensions:
        raise FileError(
            _(
                "The file name ends in .%(extension)s, but the file is a %(kind)s file. Choose "
                "the right file or correct its name.",
                extension=extension,
                kind=kind.name,
            )
        )
    return name


# Files follow the transaction. Paths are noted in session.info: written files until the
# commit keeps them, deleted rows' files until the commit removes them.
_WRITTEN = "attachment_files_written"
_DOOMED = "attachment_files_doomed"


@sa.event.listens_for(Attachment, "after_delete")
def _file_goes_with_row(mapper, connection, attachment: Attachment) -> None:
    session = object_session(attachment)
    path = stored_path(attachment)
    if session is not None and path is not None:
        session.info.setdefault(_DOOMED, []).append(path)


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_DOOMED, []))


@sa.event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    _remove(session.info.pop(_WRITTEN, []))  # written, never committed
    session.info.pop(_DOOMED, None)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove attachment file %s", path)
