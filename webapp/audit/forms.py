"""The audit log's filters: a plain GET form, so links to a filtered log can be shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, ValidationError, validators

from webapp.forms import Form, day_field, max_length, optional_int, text_filters


class AuditFilterForm(Form):
    """Choices are set by the view: the actions and units of the viewer's scope."""

    class Meta:
        csrf = False  # read-only GET: nothing to forge

    action = SelectField(_l("Action"), validators=[validators.Optional()])
    actor = StringField(
        _l("Done by (username)"),
        validators=[max_length(80)],
        filters=text_filters(),
        description=_l("The whole username or its beginning."),
    )
    unit_id = SelectField(
        _l("Unit"), coerce=optional_int, validators=[validators.Optional()], validate_choice=True
    )
    date_from = day_field(_l("From (DD/MM/YYYY)"))
    date_to = day_field(_l("To (DD/MM/YYYY)"))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date cannot be before the start date."))
