"""Form helpers shared by every capability: input cleaning and translated validators.

WTForms has no Vietnamese catalog, so every validator here carries our own message.
"""

from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, validators, widgets

from webapp.text import clean

# The years any date or year typed into the app may have: the campaign runs from 2017, and a
# year 1 or 9999 is a typing mistake (the tables' year columns check the same range).
YEAR_MIN, YEAR_MAX = 2000, 2100
YEAR_MESSAGE = _l("Enter a year between 2000 and 2100.")
DAY_RANGE_MESSAGE = _l("Enter a date between 01/01/2000 and 31/12/2100.")
DIGITS_MESSAGE = _l("Type numbers with the digits 0 to 9 only.")


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


def has_foreign_digits(text: str | None) -> bool:
    """True when the text holds a digit other than 0–9 (Arabic-Indic ٣, fullwidth ３ …):
    Python would read them as numbers, but nobody here means to type them."""
    return any(c.isdigit() and not c.isascii() for c in text or "")


def refuse_foreign_digits(text: str | None) -> None:
    """For a field's `process_formdata`: a clear message instead of a silently read number."""
    if has_foreign_digits(text):
        raise ValueError(DIGITS_MESSAGE)


class WholeNumberField(IntegerField):
    """An integer typed with the digits 0–9 (WTForms' own reads ٢٠٢٥ as 2025)."""

    def process_formdata(self, valuelist):
        if valuelist:
            refuse_foreign_digits(valuelist[0])
        super().process_formdata(valuelist)


def year_field(label, *, required_message=None, description=None) -> WholeNumberField:
    """A year from 2000 to 2100; optional unless `required_message` is given."""
    first = (
        validators.InputRequired(message=required_message)
        if required_message
        else validators.Optional()
    )
    return WholeNumberField(
        label,
        validators=[first, validators.NumberRange(YEAR_MIN, YEAR_MAX, message=YEAR_MESSAGE)],
        description=description,
        render_kw={"inputmode": "numeric"},
    )


def optional_int(value):
    """Coerce for selects of ids with an empty first choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class DayField(DateField):
    """A day typed as DD/MM/YYYY (or YYYY-MM-DD) with the digits 0–9, in the years
    2000–2100; what was typed stays in the box when it is refused."""

    widget = widgets.TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            refuse_foreign_digits(" ".join(valuelist))
        super().process_formdata(valuelist)

    def pre_validate(self, form) -> None:
        if self.data is not None and not YEAR_MIN <= self.data.year <= YEAR_MAX:
            raise validators.StopValidation(DAY_RANGE_MESSAGE)


def day_field(label, **kwargs) -> DayField:
    """An optional day typed as DD/MM/YYYY, in a text box: a browser's date input would drop
    a value written that way (and clear it on save)."""
    return DayField(
        label,
        validators=[validators.Optional()],
        format=["%d/%m/%Y", "%Y-%m-%d"],
        render_kw={"inputmode": "numeric", "placeholder": _l("DD/MM/YYYY")},
        **kwargs,
    )


class Refused(Exception):
    """A change a service refuses; the message is shown to the user, next to `field` if any.

    The base of every capability's refusal (RegistrationError, ReportError, PageError …), so a
    view or `concurrency.saving()` can answer any of them alike."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def field_error(form, error: Refused) -> None:
    """Show a service's refusal next to the field it names (`error.field`), else atop the form."""
    target = getattr(form, error.field, None) if getattr(error, "field", None) else None
    (target.errors if target is not None else form.form_errors).append(str(error))
