"""Changing a deadline of the campaign (the yearly rule, or one year's own date) and its rules."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
)

from webapp.campaign.models import DeadlineKind
from webapp.forms import (
    DIGITS_MESSAGE,
    YEAR_MESSAGE,
    Form,
    WholeNumberField,
    chosen,
    has_foreign_digits,
    max_length,
    optional_int,
    required,
    text_filters,
    year_field,
)

# Digits 0–9 only: Python's \d would also read ٣ or ３.
_DAY_MONTH = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})$", re.ASCII)


class DeadlineForm(Form):
    kind = SelectField(_l("Deadline"), validators=[required()])
    year = year_field(_l("Year"), description=_l("Leave empty to change the date for every year."))
    day_month = StringField(
        _l("Due before (day/month)"),
        validators=[required(), max_length(20)],
        description=_l("As DD/MM, such as 15/02."),
        render_kw={"inputmode": "numeric", "placeholder": _l("DD/MM")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = DeadlineKind.choices()

    def validate_day_month(self, field) -> None:
        if has_foreign_digits(field.data):
            raise ValidationError(DIGITS_MESSAGE)
        match = _DAY_MONTH.match((field.data or "").strip())
        # The yearly rule must exist every year (no 29/02); a given year must have the day.
        year = self.year.data if self.year.data and not self.year.errors else 2023
        try:
            date(year, int(match[2]), int(match[1])) if match else None
        except (ValueError, OverflowError):
            match = None
        if match is None:
            raise ValidationError(_l("Enter a day of the year as DD/MM, such as 15/02."))
        self.day, self.month = int(match[1]), int(match[2])


class RequirementForm(Form):
    """A rule of the campaign; the choices are set per request from the catalogue."""

    version = HiddenField()
    code = StringField(
        _l("Code"),
        validators=[required(), max_length(40)],
        filters=text_filters(),
        description=_l("A short name the campaign's rules do not use yet, such as hoi-nd-2."),
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )
    kind = SelectField(_l("Kind of rule"), validators=[chosen()])
    organization_id = SelectField(
        _l("Organization"),
        coerce=optional_int,
        description=_l(
            "Only the entries this organization, or a partner below, takes part in count. "
            "Leave empty to count every organization's entries."
        ),
    )
    min_count = WholeNumberField(
        _l("At least"),
        default=1,
        validators=[
            validators.InputRequired(message=_l("This field is required.")),
            validators.NumberRange(1, 99, message=_l("Enter a whole number from 1 to 99.")),
        ],
        description=_l("Entries in each content, or models of the chosen types."),
        render_kw={"inputmode": "numeric"},
    )
    applies_to = SelectField(_l("Applies to"), validators=[chosen()])
    model_type_ids = SelectMultipleField(
        _l("Model types"),
        coerce=int,
        description=_l("For a rule on models: the types that count. Hold Ctrl to choose several."),
        render_kw={"size": 8},
    )
    partner_ids = SelectMultipleField(
        _l("Partner organizations"),
        coerce=int,
        description=_l("Their entries count for the organization's rule too."),
        render_kw={"size": 5},
    )
    rule_vi = TextAreaField(
        _l("The rule in Vietnamese"),
        validators=[max_length(2000)],
        filters=text_filters(),
        render_kw={"rows": 3},
    )
    source_vi = TextAreaField(
        _l("Source"),
        validators=[max_length(500)],
        filters=text_filters(),
        description=_l("Where the plan says so, such as its section and number."),
        render_kw={"rows": 2},
    )
    valid_from_year = year_field(
        _l("First year"), description=_l("Leave empty for every year so far.")
    )
    valid_to_year = year_field(_l("Last year"), description=_l("Leave empty while the rule holds."))


class RetireRequirementForm(Form):
    version = HiddenField()
    from_year = year_field(_l("No longer holds from the year"), required_message=YEAR_MESSAGE)
