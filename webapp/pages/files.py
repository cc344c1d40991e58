"""Attachments of guidance pages: which files are accepted (judged by their content, and their
name must agree), where they are kept, and adding and deleting them; callers commit.

A file is stored under a generated name in ATTACHMENTS_DIR, never under a name or path the
uploader chose; the cleaned original name is only used to name the download. Files follow
their rows: a file written in a transaction that does not commit is removed, and a deleted
row's file goes when the deletion commits.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import filetype
import sqlalchemy as sa
from flask import current_app, send_file
from flask_babel import gettext as _
from sqlalchemy.orm import object_session
from werkzeug.datastructures import FileStorage

from webapp import filestore, policy
from webapp.audit.services import record
from webapp.downloads import DOCX_MIMETYPE, XLSX_MIMETYPE, content_disposition
from webapp.extensions import db
from webapp.forms import Refused
from webapp.pages.models import Attachment, Page
from webapp.policy import Action
from webapp.text import clean, fold

MEBIBYTE = filestore.MEBIBYTE
human_size = filestore.human_size
TITLE_MAX = 300  # Attachment.title
NAME_MAX = 255  # Attachment.filename
DEFAULT_STEM = "tep-dinh-kem"  # for a name that cleaning leaves empty
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


# Files of published pages are public and never change under their URL's id.
# Revalidate every time (a 304 is cheap): an archived page's files must not linger in caches.
PUBLIC_MAX_AGE = 0
# Lets browsers' PDF viewers and image views work (crbug.com/271452) and nothing else.
FILE_CSP = (
    "default-src 'none'; object-src 'self'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'"
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
    stored = store_upload(upload)
    path, name, kind, size = stored.path, stored.name, stored.kind, stored.size
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


@dataclass(frozen=True)
class StoredFile:
    path: Path  # in attachments_dir(), under a generated name
    name: str  # the cleaned name to download it as
    kind: FileType
    size: int


def store_upload(upload: FileStorage | None) -> StoredFile:
    """Receive a file as pages attach them: judged by its content, its name agreeing, stored
    under a generated name and removed unless the transaction commits. For any row that keeps
    an official document (an opinion's answer too); refused with a FileError."""
    if upload is None or not upload.filename:
        raise FileError(_("Choose a file to attach."))
    name = clean_filename(upload.filename)
    directory = attachments_dir()
    partial, size, head = filestore.receive(upload.stream, directory, max_bytes(), FileError)
    try:
        kind = _identify(head, partial)
        name = _agreeing_name(name, kind)
        path = directory / f"{uuid.uuid4().hex}.{kind.extensions[0]}"
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    filestore.written(db.session, path)
    return StoredFile(path, name, kind, size)


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


def send_stored(path: Path, content_type: str, filename: str, *, public: bool):
    """A stored file over HTTP, named `filename`: shown inline when browsers show its type
    (sandboxed by FILE_CSP), else saved; public ones revalidated, others never stored."""
    kind = TYPES.get(content_type)
    inline = kind is not None and kind.inline
    # Small files are read whole: no file handle waits for the response to be closed (a
    # client that never reads the body would leave it open); large ones are streamed.
    size = path.stat().st_size
    response = send_file(
        io.BytesIO(path.read_bytes()) if size <= MEBIBYTE else path,
        mimetype=content_type,
        conditional=True,
        etag=f"{path.name}-{size}",
        last_modified=path.stat().st_mtime,
        max_age=PUBLIC_MAX_AGE if public else None,
    )
    filestore.cached_as(response, public=public, no_cache=True)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    if inline:
        response.headers["Content-Security-Policy"] = FILE_CSP
    return response


@sa.event.listens_for(Attachment, "after_delete")
def _file_goes_with_row(mapper, connection, attachment: Attachment) -> None:
    session = object_session(attachment)
    path = stored_path(attachment)
    if session is not None and path is not None:
        filestore.doomed(session, path)
