"""Sign in, sign out, one's own sessions (listed, ended), changing one's own password, and
moving the roles held on the units a reorganization ends (their section of the reorganization's
page, and the move)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp import policy
from webapp.auth import role_moves, services, sessions, throttle
from webapp.auth.forms import LoginForm, PasswordChangeForm
from webapp.db import local_today
from webapp.extensions import db
from webapp.policy import Action
from webapp.units import reorganize
from webapp.urls import safe_next

bp = Blueprint("auth", __name__)

# While a password must be changed, only these endpoints are open.
_OPEN_WHILE_CHANGING = {
    "auth.change_password",
    "auth.logout",
    "static",
    "i18n.set_language",
    "i18n.save_language",
}


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
            sessions.begin(result.user)
            return redirect(safe_next(request.args.get("next")), code=303)
        if result.retry_after:
            form.form_errors.append(_sign_in_wait(result.retry_after))
            return _throttled(render_template("auth/login.html", form=form), result.retry_after)
        form.form_errors.append(_("The username or password is not correct."))
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


def _throttled(page: str, seconds: int):
    return page, 429, {"Retry-After": str(seconds)}


def _sign_in_wait(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Too many failed sign-in attempts. Please wait %(num)d second and try again.",
            "Too many failed sign-in attempts. Please wait %(num)d seconds and try again.",
            seconds,
        )
    return ngettext(
        "Too many failed sign-in attempts. Please wait %(num)d minute and try again.",
        "Too many failed sign-in attempts. Please wait %(num)d minutes and try again.",
        -(-seconds // 60),
    )


def _password_wait(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Too many wrong passwords. Please wait %(num)d second and try again.",
            "Too many wrong passwords. Please wait %(num)d seconds and try again.",
            seconds,
        )
    return ngettext(
        "Too many wrong passwords. Please wait %(num)d minute and try again.",
        "Too many wrong passwords. Please wait %(num)d minutes and try again.",
        -(-seconds // 60),
    )


@bp.post("/logout")
def logout():
    sessions.end()  # the stored session is deleted: a copied cookie opens nothing
    flash(_("You have signed out."), "info")
    return redirect(url_for("home.index"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    policy.require(user, Action.ACCOUNT_CHANGE_PASSWORD, user)
    form = PasswordChangeForm(user)
    if not form.is_submitted():
        return render_template("auth/password.html", form=form)
    valid = form.validate()
    if form.current_password.data:
        # Checked (and throttled) even when another field is wrong, so all messages show at once.
        check = services.check_own_password(
            user,
            form.current_password.data,
            request.remote_addr or "unknown",
            throttle.Limits.from_config(current_app.config),
        )
        if check.retry_after:
            form.current_password.errors.append(_password_wait(check.retry_after))
            page = render_template("auth/password.html", form=form)
            return _throttled(page, check.retry_after)
        if check.user is None:
            form.current_password.errors.append(_("The current password is not correct."))
        elif valid:
            services.change_own_password(user, form.new_password.data)
            db.session.commit()
            sessions.begin(user)  # a new session, with the new session version
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("home.index"), code=303)
    return render_template("auth/password.html", form=form), 422


@bp.get("/account/sessions")
@login_required
def list_sessions():
    user = current_user._get_current_object()
    policy.require(user, Action.ACCOUNT_MANAGE_SESSIONS, user)
    return render_template("auth/sessions.html", sessions=sessions.of_user(user))


@bp.post("/account/sessions/end")
@login_required
def end_session():
    """Sign out one of one's other browsers (this one signs out with "Sign out")."""
    user = current_user._get_current_object()
    policy.require(user, Action.ACCOUNT_MANAGE_SESSIONS, user)
    key = request.form.get("key", "")
    if key == sessions.current_key() or not sessions.end_all(user, only=key):
        abort(404)
    db.session.commit()
    flash(_("That session has been signed out."), "success")
    return redirect(url_for("auth.list_sessions"), code=303)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    user = current_user._get_current_object()
    policy.require(user, Action.ACCOUNT_MANAGE_SESSIONS, user)
    ended = sessions.end_all(user, keep=sessions.current_key())
    db.session.commit()
    flash(
        ngettext("%(num)d other session signed out.", "%(num)d other sessions signed out.", ended),
        "success",
    )
    return redirect(url_for("auth.list_sessions"), code=303)


def role_moves_section(plan: reorganize.Plan, user, sections: list) -> None:
    """The roles held on the units a reorganization ends, with their proposed moves (those
    `user` may move), for the reorganization's page (events.REORGANIZATION_SHOWN)."""
    moves = role_moves.plan_role_moves(local_today(), plan, user)
    sections.append(Markup(render_template("auth/_role_moves.html", result=plan, moves=moves)))


@bp.post("/units/reorganizations/<code>/roles")
@login_required
def move_roles(code: str):
    result = reorganize.plan_by_code(code)
    if result is None:
        abort(404)
    policy.require(current_user, Action.UNIT_REORGANIZE, result.root)
    if result.applied is None:
        abort(409)
    moves = role_moves.plan_role_moves(local_today(), result, current_user)
    moved = role_moves.move_roles(current_user, moves)
    db.session.commit()
    flash(
        ngettext("%(num)d role assignment moved.", "%(num)d role assignments moved.", moved),
        "success",
    )
    return redirect(url_for("units.show_reorganization", code=code), code=303)
