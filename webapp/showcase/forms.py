"""Forms for recognising an effective model, withdrawing it, adding a photo and replicating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from webapp.forms import Form, day_field, max_length, optional_int, text_filters, year_field
from webapp.showcase.models import CAPTION_MAX, CITATION_MAX, DECISION_NUMBER_MAX, REASON_MAX


class RecogniseForm(Form):
    year = year_field(_l("Year"), required_message=_l("Give the year the model is recognised for."))
    citation = TextAreaField(
        _l("Results"),
        validators=[max_length(CITATION_MAX)],
        filters=text_filters(),
        description=_l("A short citation: money mobilized, households benefiting, land donated."),
        render_kw={"rows": 3},
    )
    decision_number = StringField(
        _l("Decision number"),
        validators=[max_length(DECISION_NUMBER_MAX)],
        filters=text_filters(),
        render_kw={"placeholder": "15/QĐ-MTTQ"},
    )
    decision_date = day_field(_l("Decision date"))
    photo = FileField(_l("Photo (optional)"))
    caption = StringField(
        _l("Caption"), validators=[max_length(CAPTION_MAX)], filters=text_filters()
    )


class WithdrawForm(Form):
    version = HiddenField()
    reason = TextAreaField(
        _l("Reason for withdrawal"),
        validators=[max_length(REASON_MAX)],
        filters=text_filters(),
        render_kw={"rows": 2},
    )


class PhotoForm(Form):
    photo = FileField(_l("Photo"))
    caption = StringField(
        _l("Caption"), validators=[max_length(CAPTION_MAX)], filters=text_filters()
    )


class ReplicateForm(Form):
    unit = SelectField(_l("Commune"), coerce=optional_int, validate_choice=False)
    organization = SelectField(_l("Organization"), coerce=optional_int, validate_choice=False)
    year = year_field(_l("Year"), required_message=_l("Give the year of the list."))
