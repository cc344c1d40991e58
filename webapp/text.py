"""Text normalisation: NFC on the way in, and folding for accent-insensitive search (DESIGN §8)."""

from __future__ import annotations

import unicodedata

_APOSTROPHES = str.maketrans("", "", "'’ʼʻ")


_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t\r"} | {127: None}


def clean(value: str | None) -> str | None:
    """Strip and NFC-normalise user input (decomposed marks render misplaced in print), drop
    control characters (PostgreSQL refuses NUL; nobody means to type them), and end lines with
    "\n" alone: a browser sends a text box's line breaks as "\r\n" but counts them as one
    character against its `maxlength`, so the server's length limit must count them alike."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").translate(_CONTROL).strip()
    return unicodedata.normalize("NFC", value)


# Every combining mark of the Basic Multilingual Plane, dropped by one str.translate; the
# few outside it go through the slower per-character test (the same result, just slower).
_MARKS = {c: None for c in range(0x10000) if unicodedata.category(chr(c)) == "Mn"}


def fold(value: str) -> str:
    """Case- and accent-free form: "Đồng Hỷ" and "dong hy" fold alike; đ becomes d."""
    value = unicodedata.normalize("NFC", value).replace("đ", "d").replace("Đ", "D")
    value = unicodedata.normalize("NFD", value)
    if value.isascii():
        pass
    elif max(value) <= "\uffff":
        value = value.translate(_MARKS)
    else:
        value = "".join(ch for ch in value if unicodedata.category(ch) != "Mn")
    return " ".join(value.translate(_APOSTROPHES).casefold().split())
