"""What every template may use: the policy, labels and formatting helpers."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from webapp import labels, policy
from webapp.i18n.languages import all_languages


def _can(action: policy.Action, obj=None) -> bool:
    return policy.can(current_user, action, obj)


def _can_somewhere(action: policy.Action) -> bool:
    return policy.can_somewhere(current_user, action)


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


def unit_label(unit) -> str:
    """A unit's name as it was; one that ends says until when and what took it over, since
    codes and names are reused across reorganizations."""
    if unit.valid_to is None:
        return unit.name
    values = {"name": unit.name, "date": day(unit.valid_to)}
    if unit.successors:
        return _(
            "%(name)s (until %(date)s; now in %(successors)s)",
            successors=", ".join(u.name for u in unit.successors),
            **values,
        )
    return _("%(name)s (until %(date)s)", **values)


def language_name(code: str | None) -> str:
    """A language by the name people know ("Tiếng Tày"), never its code ("tyz")."""
    language = all_languages().get(code or "")
    return language.name if language else (code or "")


def nominee_name(nomination) -> str:
    """Who a nomination is for, in one line: the unit as it was (and organization), the
    person (and their position), or the entry."""
    if nomination.unit is not None:
        name = unit_label(nomination.unit)
        if nomination.organization is not None:
            return f"{nomination.organization.tr('name')} · {name}"
        return name
    if nomination.entry is not None:
        return nomination.entry.name
    if nomination.person_role:
        return f"{nomination.person_name}, {nomination.person_role}"
    return nomination.person_name or ""


def _commendation_year() -> int:
    """The year whose commendations the footer links to (the page links to the others)."""
    from webapp.db import local_today

    return local_today().year


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=_can,
        can_somewhere=_can_somewhere,
        nominee_name=nominee_name,
        commendation_year=_commendation_year,
        Action=policy.Action,
    )
    app.jinja_env.filters.update(
        number=format_decimal,
        label=labels.label,
        date=day,
        day=day,
        unit_label=unit_label,
        language_name=language_name,
        datetime=moment,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
