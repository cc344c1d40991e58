"""Naming downloads: a Content-Disposition with a plain ASCII name for old clients and the real,
Vietnamese name in RFC 5987 form for the rest (werkzeug's own fallback drops "đ")."""

from __future__ import annotations

import re
from urllib.parse import quote

from webapp.text import fold

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 ._()-]+")


def ascii_filename(name: str) -> str:
    """The name without accents (đ → d) or anything a header must escape: "Mẫu đăng ký.docx"
    becomes "mau dang ky.docx"."""
    return _NOT_PLAIN.sub("_", fold(name)).strip(" .") or "download"


def content_disposition(name: str, *, ascii_name: str | None = None, inline: bool = False) -> str:
    disposition = "inline" if inline else "attachment"
    fallback = ascii_name or ascii_filename(name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
