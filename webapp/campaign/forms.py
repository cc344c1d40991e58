"""Changing a deadline of the campaign: the yearly rule, or one year's own date."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, ValidationError, validators

from webapp.campaign.models import DeadlineKind
from webapp.forms import Form, required
from webapp.labels import DEADLINE_LABELS

_DAY_MONTH = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})$")


class DeadlineForm(Form):
    kind = SelectField(_l("Deadline"), validators=[required()])
    year = IntegerField(
        _l("Year"),
        validators=[
            validators.Optional(),
            validators.NumberRange(2000, 2100, message=_l("Enter a year between 2000 and 2100.")),
        ],
        description=_l("Leave empty to change the date for every year."),
        render_kw={"inputmode": "numeric"},
    )
    day_month = StringField(
        _l("Due before (day/month)"),
        validators=[required()],
        description=_l("As DD/MM, such as 15/02."),
        render_kw={"inputmode": "numeric", "placeholder": _l("DD/MM")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, str(DEADLINE_LABELS[k])) for k in DeadlineKind]

    def validate_day_month(self, field) -> None:
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
