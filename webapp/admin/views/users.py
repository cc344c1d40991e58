"""Administration screens: users in the admin's scope, their roles and passwords."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp import policy
from webapp.admin import services
from webapp.admin.forms import RoleGrantForm, UserCreateForm
from webapp.admin.views.common import bp, unit_choices
from webapp.auth import sessions, throttle
from webapp.auth.models import Role, RoleAssignment, User
from webapp.auth.services import reset_password as issue_temporary_password
from webapp.auth.services import unlock
from webapp.campaign.models import MemberOrganization
from webapp.extensions import db
from webapp.htmx import after_change, is_partial, render_fragment_or_page
from webapp.i18n.languages import all_languages
from webapp.paging import page_of
from webapp.policy import Action
from webapp.text import fold
from webapp.units.models import Unit

PAGE_SIZE = 50


def _role_form(user: User, formdata=None) -> RoleGrantForm:
    form = RoleGrantForm(formdata=formdata)
    form.role.choices = [("", ""), *Role.choices()]
    form.unit_id.choices = unit_choices(Action.ROLE_GRANT)
    if formdata is None:
        form.unit_id.data = user.home_unit_id
    organizations = db.session.scalars(
        sa.select(MemberOrganization)
        .where(MemberOrganization.is_active)
        .order_by(MemberOrganization.sort_order)
    )
    form.organization_id.choices = [("", _("All organizations"))] + [
        (o.id, o.tr("name")) for o in organizations
    ]
    form.language.choices = [("", "")] + [
        (lang.code, lang.name) for lang in all_languages().values() if lang.code != "vi"
    ]
    return form


def _load_user(user_id: int, action: Action = Action.USER_VIEW) -> User:
    user = db.get_or_404(User, user_id)
    policy.require(current_user, action, user)
    return user


@bp.get("/admin/users")
@login_required
def list_users():
    if not policy.can_somewhere(current_user, Action.USER_VIEW):
        abort(403)
    query = (request.args.get("q") or "").strip()
    without_role = request.args.get("without_role") == "1"
    stmt = policy.visible(current_user, Action.USER_VIEW, sa.select(User)).order_by(User.username)
    if without_role:
        stmt = stmt.where(User.is_active, ~User.roles.any())
    users = list(db.session.scalars(stmt))
    if query:
        needle = fold(query)
        users = [u for u in users if needle in fold(f"{u.username} {u.full_name}")]
    return render_template(
        "admin/users.html", paged=page_of(users, PAGE_SIZE), q=query, without_role=without_role
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def create_user():
    if not policy.can_somewhere(current_user, Action.USER_CREATE):
        abort(403)
    form = UserCreateForm()
    form.home_unit_id.choices = unit_choices(Action.USER_CREATE)
    if form.validate_on_submit():
        unit = db.get_or_404(Unit, form.home_unit_id.data)
        try:
            user, password = services.create_user(
                current_user,
                username=form.username.data,
                full_name=form.full_name.data,
                home_unit=unit,
            )
        except services.AdminError as error:
            form.username.errors.append(str(error))
        else:
            try:
                db.session.commit()
            except sa.exc.IntegrityError:
                # Another administrator took the same username a moment ago.
                db.session.rollback()
                form.username.errors.append(
                    _("The username %(name)s is already taken.", name=form.username.data)
                )
                return render_template("admin/user_new.html", form=form), 422
            # Shown once, not redirected: the temporary password must not sit in a cookie.
            return render_template("admin/password_issued.html", user=user, password=password)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user_new.html", form=form), status


@bp.get("/admin/users/<id:user_id>")
@login_required
def show_user(user_id: int):
    user = _load_user(user_id)
    active = (
        sessions.of_user(user)
        if policy.can(current_user, Action.USER_MANAGE_SESSIONS, user)
        else None
    )
    return render_template(
        "admin/user.html",
        user=user,
        form=_role_form(user),
        failures=throttle.failures(user.username),
        sessions=active,
    )


@bp.post("/admin/users/<id:user_id>/sessions/end")
@login_required
def end_user_sessions(user_id: int):
    """End one session of the person (the form names it) or all of them."""
    user = _load_user(user_id, Action.USER_MANAGE_SESSIONS)
    ended = services.end_sessions(current_user, user, only=request.form.get("key") or None)
    db.session.commit()
    flash(
        ngettext("%(num)d session signed out.", "%(num)d sessions signed out.", ended),
        "success",
    )
    return redirect(url_for("admin.show_user", user_id=user.id), code=303)


@bp.post("/admin/users/<id:user_id>/roles")
@login_required
def grant_role(user_id: int):
    user = _load_user(user_id)
    form = _role_form(user, formdata=request.form)
    if form.validate_on_submit():
        unit = db.get_or_404(Unit, form.unit_id.data)
        policy.require(current_user, Action.ROLE_GRANT, unit)
        organization = (
            db.get_or_404(MemberOrganization, form.organization_id.data)
            if form.organization_id.data
            else None
        )
        try:
            services.grant_role(
                current_user,
                user,
                role=Role(form.role.data),
                unit=unit,
                organization=organization,
                language=form.language.data,
            )
        except services.AdminError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            return after_change(
                "admin/_roles.html",
                event="roles-changed",
                redirect_to=url_for("admin.show_user", user_id=user.id),
                saved=_("The role was granted."),
                user=user,
                form=_role_form(user),
            )
    return render_fragment_or_page(
        "admin/_roles.html",
        "admin/user.html",
        status=200 if is_partial() else 422,
        user=user,
        form=form,
    )


@bp.post("/admin/users/<id:user_id>/roles/<id:assignment_id>/revoke")
@login_required
def revoke_role(user_id: int, assignment_id: int):
    user = _load_user(user_id)
    assignment = db.get_or_404(RoleAssignment, assignment_id)
    if assignment.user_id != user.id:
        abort(404)
    policy.require(current_user, Action.ROLE_REVOKE, assignment)
    services.revoke_role(current_user, assignment)
    db.session.commit()
    return after_change(
        "admin/_roles.html",
        event="roles-changed",
        redirect_to=url_for("admin.show_user", user_id=user.id),
        saved=_("The role was withdrawn."),
        user=user,
        form=_role_form(user),
    )


@bp.post("/admin/users/<id:user_id>/deactivate")
@login_required
def deactivate_user(user_id: int):
    user = _load_user(user_id, Action.USER_DEACTIVATE)
    services.deactivate_user(current_user, user)
    db.session.commit()
    flash(_("%(name)s can no longer sign in.", name=user.username), "success")
    return redirect(url_for("admin.show_user", user_id=user.id), code=303)


@bp.post("/admin/users/<id:user_id>/activate")
@login_required
def activate_user(user_id: int):
    user = _load_user(user_id, Action.USER_ACTIVATE)
    services.activate_user(current_user, user)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.username), "success")
    return redirect(url_for("admin.show_user", user_id=user.id), code=303)


@bp.post("/admin/users/<id:user_id>/password")
@login_required
def reset_password(user_id: int):
    user = _load_user(user_id, Action.USER_RESET_PASSWORD)
    password = issue_temporary_password(current_user, user)
    db.session.commit()
    return render_template("admin/password_issued.html", user=user, password=password)


@bp.post("/admin/users/<id:user_id>/unlock")
@login_required
def unlock_user(user_id: int):
    user = _load_user(user_id, Action.USER_UNLOCK)
    unlock(current_user, user)
    db.session.commit()
    flash(_("The failed sign-ins of %(name)s were cleared.", name=user.username), "success")
    return redirect(url_for("admin.show_user", user_id=user.id), code=303)
