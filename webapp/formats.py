"""How dates and times are written (15/07/2017, 06/12/2026 09:41): the templates' filters and
the services' messages use the same functions."""

from __future__ import annotations

from flask_babel import format_date, format_datetime

# One way to write a date and one to write a moment, on every page: Babel's "short" style
# wrote "6/12/26" beside the "15/02/2026" of deadlines.
DAY_FORMAT = "dd/MM/yyyy"
MOMENT_FORMAT = "dd/MM/yyyy HH:mm"


def day(value) -> str:
    """A date as 15/07/2017: how forms and deadlines are written in Vietnam."""
    return format_date(value, DAY_FORMAT)


def moment(value, _style: str | None = None) -> str:
    """A time as 06/12/2026 09:41 (in the app's time zone). A style templates pass
    ("short") is ignored: every date-time reads the same."""
    return format_datetime(value, MOMENT_FORMAT)
