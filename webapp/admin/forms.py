"""Forms for creating users and granting roles; choices are limited to the admin's scope."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError

from webapp.forms import chosen, max_length, optional_int, required, text_filters

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
