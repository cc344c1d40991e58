"""URL helpers: redirect targets limited to this site, and row ids in URLs and forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for
from werkzeug.routing import IntegerConverter


def safe_next(target: str | None) -> str:
    """Only same-site relative paths, so a crafted link cannot send someone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("home.index")


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id, positive and within PostgreSQL's integer, so a made-up huge id
    is a 404 rather than a database error."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


def form_id(value: str | None) -> int | None:
    """An id posted in a form, or None when missing or out of range."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 2**31 - 1:
        return None
    return int(text)
