"""Forms for creating users and granting roles, and the audit log's filters; choices are
limited to the admin's scope."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError, validators

from webapp.forms import (
    Form,
    chosen,
    day_field,
    max_length,
    optional_int,
    required,
    text_filters,
)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")


class UserCreateForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[required(), max_length(80)],
        filters=[*text_filters(), lambda v: v.lower() if v else v],
        description=_l("Lower-case letters, digits, dots, dashes; at least 3 characters."),
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )
    full_name = StringField(
        _l("Full name"), validators=[required(), max_length(120)], filters=text_filters()
    )
    home_unit_id = SelectField(_l("Unit"), coerce=int, validators=[chosen()])

    def validate_username(self, field) -> None:
        if not _USERNAME.match(field.data or ""):
            raise ValidationError(
                _l("Use 3 to 80 lower-case letters, digits, dots or dashes, without accents.")
            )


class RoleGrantForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[chosen()])
    unit_id = SelectField(_l("On unit"), coerce=int, validators=[chosen()])
    organization_id = SelectField(
        _l("Only for organization"),
        coerce=optional_int,
        description=_l("Leave empty for all organizations of the unit."),
    )
    language = SelectField(
        _l("Language (translators)"),
        coerce=lambda v: v or None,
    )


class AuditFilterForm(Form):
    """The audit log's filters: a plain GET form, so links to a filtered log can be shared.
    Choices are set by the view: the actions and units of the viewer's scope."""

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
