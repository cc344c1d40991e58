"""Forms of the committee's consolidated list (a GET form: the unit and the period), of the
record that it was sent, and of a province's time for an answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, validators

from webapp.concurrency import VersionForm
from webapp.forms import (
    Form,
    WholeNumberField,
    day_field,
    max_length,
    optional_int,
    required,
    text_filters,
)
from webapp.opinions.consolidated import NUMBER_MAX, RECIPIENT_MAX
from webapp.opinions.overdue import MAX_DAYS, MIN_DAYS


class PeriodForm(Form):
    """The unit and the period of a consolidated list; read from the query string."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Unit"), coerce=optional_int, validate_choice=False)
    start = day_field(_l("From"))
    end = day_field(_l("To"))
    below = BooleanField(_l("With the opinions of every commune below"))


class DispatchForm(Form):
    """That the list was sent: the period as shown (hidden), to whom, number and day."""

    unit = HiddenField()
    start = HiddenField()
    end = HiddenField()
    below = HiddenField()
    recipient = StringField(
        _l("Sent to"),
        filters=text_filters(),
        validators=[required(), max_length(RECIPIENT_MAX)],
        description=_l("For example: Ủy ban nhân dân xã, Đảng ủy xã"),
    )
    number = StringField(
        _l("Document number"),
        filters=text_filters(),
        validators=[required(), max_length(NUMBER_MAX)],
        render_kw={"placeholder": "15/BC-MTTQ"},
    )
    sent_on = day_field(_l("Sent on"))


class AnswerTimeForm(VersionForm):
    province = SelectField(_l("Province"), coerce=optional_int, validate_choice=False)
    days = WholeNumberField(
        _l("Days for an answer"),
        validators=[
            validators.InputRequired(message=_l("This field is required.")),
            validators.NumberRange(
                MIN_DAYS,
                MAX_DAYS,
                message=_l(
                    "Enter a number between %(low)d and %(high)d.", low=MIN_DAYS, high=MAX_DAYS
                ),
            ),
        ],
    )
