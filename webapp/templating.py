"""What every template may use: the policy, labels and formatting helpers."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal
from flask_login import current_user

from webapp import labels, policy
from webapp.commendations.display import nominee_name
from webapp.formats import day, moment
from webapp.i18n.languages import all_languages
from webapp.units.display import unit_label


def _can(action: policy.Action, obj=None) -> bool:
    return policy.can(current_user, action, obj)


def _can_somewhere(action: policy.Action) -> bool:
    return policy.can_somewhere(current_user, action)


def language_name(code: str | None) -> str:
    """A language by the name people know ("Tiếng Tày"), never its code ("tyz")."""
    language = all_languages().get(code or "")
    return language.name if language else (code or "")


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
        ROLE_LABELS=labels.ROLE_LABELS,
        LEVEL_LABELS=labels.LEVEL_LABELS,
        KIND_LABELS=labels.KIND_LABELS,
        DEADLINE_LABELS=labels.DEADLINE_LABELS,
        ENTRY_KIND_LABELS=labels.ENTRY_KIND_LABELS,
        LIST_STATE_LABELS=labels.LIST_STATE_LABELS,
        PERIOD_LABELS=labels.PERIOD_LABELS,
        REPORT_STATE_LABELS=labels.REPORT_STATE_LABELS,
        LINE_STATUS_LABELS=labels.LINE_STATUS_LABELS,
        REQUIREMENT_KIND_LABELS=labels.REQUIREMENT_KIND_LABELS,
        APPLIES_TO_LABELS=labels.APPLIES_TO_LABELS,
        FIGURE_MEASURE_LABELS=labels.FIGURE_MEASURE_LABELS,
        ENTRY_STATE_LABELS=labels.ENTRY_STATE_LABELS,
        NOTIFICATION_LABELS=labels.NOTIFICATION_LABELS,
        PAGE_STATE_LABELS=labels.PAGE_STATE_LABELS,
        MESSAGE_STATE_LABELS=labels.MESSAGE_STATE_LABELS,
        TRANSLATION_STATE_LABELS=labels.TRANSLATION_STATE_LABELS,
        RATING_LABELS=labels.RATING_LABELS,
        NOMINEE_KIND_LABELS=labels.NOMINEE_KIND_LABELS,
        NOMINATION_STATE_LABELS=labels.NOMINATION_STATE_LABELS,
    )
    app.jinja_env.filters.update(
        number=format_decimal,
        date=day,
        day=day,
        unit_label=unit_label,
        language_name=language_name,
        datetime=moment,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
