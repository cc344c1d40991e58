"""Forms for an evaluation, a nomination and a decision on it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
)

from webapp.db import local_today
from webapp.forms import Form, day_field, max_length, optional_int, text_filters


class EvaluationForm(Form):
    version = HiddenField()
    rating = RadioField(
        _l("Rating"),
        validators=[validators.InputRequired(message=_l("Choose one of the ratings."))],
    )
    remarks = TextAreaField(
        _l("Remarks"),
        validators=[
            validators.DataRequired(message=_l("Write the remarks that go with the rating.")),
            max_length(4000),
        ],
        filters=text_filters(),
        description=_l("What was done well and what is still missing."),
        render_kw={"rows": 4},
    )


class NominationForm(Form):
    version = HiddenField()
    kind = RadioField(
        _l("Whom to commend"),
        validators=[validators.InputRequired(message=_l("Choose whom to commend."))],
    )
    unit_id = SelectField(_l("Collective: unit"), coerce=optional_int, validate_choice=False)
    organization_id = SelectField(
        _l("Collective: organization (optional)"), coerce=optional_int, validate_choice=False
    )
    person_name = StringField(
        _l("Individual: full name"), validators=[max_length(200)], filters=text_filters()
    )
    person_role = StringField(
        _l("Individual: position and where"),
        validators=[max_length(300)],
        filters=text_filters(),
    )
    entry_id = SelectField(
        _l("Entry: an approved work, model or task"), coerce=optional_int, validate_choice=False
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            validators.DataRequired(message=_l("Say why they deserve commendation.")),
            max_length(4000),
        ],
        filters=text_filters(),
        description=_l("The achievements in the campaign this year."),
        render_kw={"rows": 4},
    )


class ApprovalForm(Form):
    """The approval, with the commendation decision it records if there is one yet."""

    version = HiddenField()
    decision_number = StringField(
        _l("Decision number"),
        validators=[max_length(60)],
        filters=text_filters(),
        description=_l("Optional. For example: 125/QĐ-MTTQ-BTT."),
    )
    decision_date = day_field(
        _l("Decision date"), description=_l("Optional. As DD/MM/YYYY, not later than today.")
    )

    def validate_decision_date(self, field) -> None:
        if field.data and field.data > local_today():
            raise ValidationError(_l("The decision date cannot be later than today."))
