"""Files kept on disk beside database rows (attachments of pages, photos): receiving an upload
with a size limit, sizes as people read them, and files that follow their transaction.

A file written in a transaction that does not commit is removed; a file whose row is deleted
goes when the deletion commits. Callers note the paths (`written`, `doomed`); the listeners
below act at the end of the session's outermost transaction.
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

KIBIBYTE = 1024
MEBIBYTE = 1024 * 1024
HEAD_BYTES = 8192  # what filetype reads
_CHUNK = 64 * 1024
_WRITTEN = "stored_files_written"
_DOOMED = "stored_files_doomed"


def kept_in(setting: str, folder: str) -> Path:
    """Where a kind of stored file is kept: the folder configured under `setting`, else
    `folder` inside the attachments' folder (ATTACHMENTS_DIR, else instance/attachments), so
    a deployment that shares the attachments between hosts shares these too."""
    configured = current_app.config.get(setting)
    if configured:
        return Path(configured)
    attachments = current_app.config.get("ATTACHMENTS_DIR")
    base = Path(attachments) if attachments else Path(current_app.instance_path) / "attachments"
    return base / folder


def human_size(size: int) -> str:
    """A size as "340 KB" or "1,2 MB" (the reader's number format); never "0 KB"."""
    if size < MEBIBYTE:
        return f"{format_decimal(max(1, math.ceil(size / KIBIBYTE)))} KB"
    return f"{format_decimal(round(size / MEBIBYTE, 1), format='#,##0.#')} MB"


def receive(
    stream: IO[bytes], directory: Path, limit: int, refuse: Callable[[str], Exception]
) -> tuple[Path, int, bytes]:
    """Copy an upload into `directory`, refusing it (`refuse(message)` is raised) as soon as
    it passes `limit` bytes or when it is empty; returns the partial file, its size and its
    first bytes. The caller renames or removes the partial file."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # the app's user only
    partial = directory / f".{uuid.uuid4().hex}.part"
    size, head = 0, b""
    try:
        with os.fdopen(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise refuse(
                        _("The file is too large: at most %(size)s.", size=human_size(limit))
                    )
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                out.write(chunk)
        if size == 0:
            raise refuse(_("The file is empty."))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial, size, head


def cached_as(response, *, public: bool, **public_directives: bool):
    """A stored file's caching: public ones with the directives given (`immutable`,
    `no_cache`); others private and never stored (a shared computer keeps no copy), with
    `nosniff` for both: the type we sent is the type it is."""
    if public:
        response.cache_control.public = True
        for directive, value in public_directives.items():
            setattr(response.cache_control, directive, value)
    else:
        response.cache_control.max_age = None
        response.cache_control.private = True
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def written(session: Session, path: Path) -> None:
    """A file written for a row of this transaction: removed unless the transaction commits."""
    session.info.setdefault(_WRITTEN, []).append(path)


def doomed(session: Session, path: Path) -> None:
    """A file whose row this transaction deletes: removed when it commits."""
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
            log.exception("could not remove stored file %s", path)
