"""Sign in, sign out, and changing one's own password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from webapp import policy
from webapp.auth import services, throttle
from webapp.auth.forms import LoginForm, PasswordChangeForm
from webapp.extensions import db
from webapp.policy import Action
from webapp.urls import safe_next

bp = Blueprint("auth", __name__)

# While a password must be changed, only these endpoints are open.
_OPEN_WHILE_CHANGING = {"auth.change_password", "auth.logout", "static", "i18n.set_language"}


@bp.before_app_request
def require_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _OPEN_WHILE_CHANGING
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        limits = throttle.Limits.from_config(current_app.config)
        result = services.authenticate(
            form.username.data, form.password.data, request.remote_addr or "unknown", limits
        )
        if result.user is not None:
            db.session.commit()
            login_user(result.user)
            return redirect(safe_next(request.args.get("next")), code=303)
        db.session.commit()  # keep the recorded failure
        status = 429 if result.retry_after else 200
        if result.retry_after:
            minutes = max(1, -(-result.retry_after // 60))
            form.form_errors.append(
                ngettext(
                    "Too many failed sign-in attempts. Please wait %(num)d minute and try again.",
                    "Too many failed sign-in attempts. Please wait %(num)d minutes and try again.",
                    minutes,
                )
            )
        else:
            form.form_errors.append(_("The username or password is not correct."))
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()  # nothing of the signed-in visit stays in the cookie
    flash(_("You have signed out."), "info")
    return redirect(url_for("home.index"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    policy.require(user, Action.ACCOUNT_CHANGE_PASSWORD, user)
    form = PasswordChangeForm(user)
    if form.validate_on_submit():
        services.change_own_password(user, form.new_password.data)
        db.session.commit()
        login_user(user)  # the session id carries the new session version
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("home.index"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status
