"""Text for spreadsheet cells: never cut without saying so.

A cell of Excel holds at most 32,767 characters (counted in UTF-16 units); XlsxWriter cuts a
longer string there without a trace. The forms keep every free text below that, but a text saved
before the limits existed may be longer: it is cut to fit with a visible note at the end.
"""

from __future__ import annotations

from flask_babel import gettext as _

CELL_LIMIT = 32_767


def _units(text: str) -> int:
    """Length as Excel counts it: a character outside the BMP (an emoji) takes two."""
    return len(text) + sum(1 for c in text if c > "\uffff")


def _note(count: int) -> str:
    return "… " + _(
        "[Cut here: %(count)d more characters did not fit in this cell; the whole text is in "
        "the web application.]",
        count=count,
    )


def cell_text(text: str) -> str:
    """`text` as it fits in one cell: unchanged when it fits, else its beginning followed by
    "…" and a note saying how many characters are left out and where to read them."""
    if len(text) <= CELL_LIMIT // 2 or _units(text) <= CELL_LIMIT:
        return text
    # The count's own digits change the note's length: reserve room for the longest.
    room = CELL_LIMIT - _units(_note(0)) - len(str(len(text)))
    kept = used = 0
    for character in text:
        used += 2 if character > "\uffff" else 1
        if used > room:
            break
        kept += 1
    return text[:kept] + _note(len(text) - kept)
