"""Sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, ValidationError

from webapp.auth import passwords
from webapp.forms import max_length, required, text_filters


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[required(), max_length(80)],
        filters=text_filters(),
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(), max_length(200)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[required()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[required(), max_length(200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[required()],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    # The current password is checked by the view, through the throttle (services).

    def validate_new_password(self, field) -> None:
        if refused := passwords.problem(field.data or "", self.user.username):
            raise ValidationError(refused)
        if field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password different from the current one."))

    def validate_confirm(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two new passwords do not match."))
