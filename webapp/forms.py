"""Form helpers shared by every capability: input cleaning and translated validators.

WTForms has no Vietnamese catalog, so every validator here carries our own message.
"""

from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, validators, widgets

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


class _Translations:
    """WTForms' built-in messages through our catalogs (WTForms ships no Vietnamese).

    WTForms fills in the placeholders itself, so these only look the message up.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


# The built-in messages our fields can produce, listed so that extraction catalogs them.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
)


class Form(FlaskForm):
    """Base of our forms: every message the user may see speaks their language."""

    class Meta:
        def get_translations(self, form) -> _Translations:
            return _Translations()


def optional_int(value):
    """Coerce for selects of ids with an empty first choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


def day_field(label, **kwargs) -> DateField:
    """An optional day typed as DD/MM/YYYY, in a text box: a browser's date input would drop
    a value written that way (and clear it on save)."""
    return DateField(
        label,
        widget=widgets.TextInput(),
        validators=[validators.Optional()],
        format=["%d/%m/%Y", "%Y-%m-%d"],
        render_kw={"inputmode": "numeric", "placeholder": _l("DD/MM/YYYY")},
        **kwargs,
    )


class Refused(Exception):
    """A change a service refuses; the message is shown to the user, next to `field` if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def field_error(form, error: Refused) -> None:
    """Show a service's refusal next to the field it names (`error.field`), else atop the form."""
    target = getattr(form, error.field, None) if getattr(error, "field", None) else None
    (target.errors if target is not None else form.form_errors).append(str(error))


def version_of(form) -> int:
    """The version the user saw; 0 (never a real version) when missing or garbled."""
    return hidden_id(form.version.data)


def hidden_id(text: str | None) -> int:
    """A number from a hidden field; 0 (never a real id or version) when missing or garbled."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
