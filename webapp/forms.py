"""Form helpers shared by every capability: input cleaning and translated validators.

WTForms has no Vietnamese catalog, so every validator here carries our own message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import validators

from webapp.text import clean


def text_filters() -> list:
    return [clean]


def required() -> validators.DataRequired:
    """Required after cleaning: a name of only spaces is empty."""
    return validators.DataRequired(message=_l("This field is required."))


def max_length(limit: int) -> validators.Length:
    return validators.Length(max=limit, message=_l("At most %(max)d characters.", max=limit))


def chosen() -> validators.InputRequired:
    return validators.InputRequired(message=_l("Please choose one."))
