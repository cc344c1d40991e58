"""How the audit log reads the events of accounts and roles."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp import policy
from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, lower_first, object_of, text_detail
from webapp.auth.models import Role, User
from webapp.i18n.languages import all_languages
from webapp.policy import Action
from webapp.units.audit import unit_name

USERS = User.__tablename__
ROLES = {role.value for role in Role}

audit.loads(USERS, audit.by_id(User))


@audit.wants(USERS)
def _users(events, names: Names):
    return audit.object_ids(events, USERS)


@audit.links(USERS)
def _user_link(event, details: dict, names: Names) -> str | None:
    user = names.get(USERS, event.object_id)
    if user is None or not policy.can(current_user, Action.USER_VIEW, user):
        return None
    return url_for("admin.show_user", user_id=user.id)


def _values(event, details: dict, names: Names) -> dict:
    user = object_of(event, names, USERS)
    role = text_detail(details, "role")
    return {
        "user": user.username
        if user
        else (text_detail(details, "user") or text_detail(details, "username") or "—"),
        "role": lower_first(Role(role).label) if role in ROLES else _("a role"),
        "unit": unit_name(names, event.unit_id),
    }


def _role_note(event, details: dict, names: Names) -> list[str]:
    """The role granted or revoked, narrowed to an organization or a language."""
    if event.action not in ("role.granted", "role.revoked"):
        return []
    if text_detail(details, "role") not in ROLES:
        return []
    role = Role(details["role"]).label
    code = text_detail(details, "organization")
    known = names.get("organization_codes", code) if code else None
    language = all_languages().get(text_detail(details, "language") or "")
    narrowed = [name for name in (known and known.tr("name"), language and language.name) if name]
    return [f"{role} ({', '.join(narrowed)})" if narrowed else role]


audit.register(
    {
        "user.created": (
            _l("Account %(user)s was created"),
            _l("Account created"),
        ),
        "user.activated": (
            _l("Account %(user)s was reactivated"),
            _l("Account reactivated"),
        ),
        "user.deactivated": (
            _l("Account %(user)s was deactivated"),
            _l("Account deactivated"),
        ),
        "user.password_changed": (
            _l("Account %(user)s changed its password"),
            _l("Password changed"),
        ),
        "user.password_reset": (
            _l("An administrator reset the password of account %(user)s"),
            _l("Password reset by an administrator"),
        ),
        "user.unlocked": (
            _l("An administrator cleared the failed sign-ins of account %(user)s"),
            _l("Failed sign-ins cleared"),
        ),
        "user.sessions_ended": (
            _l("An administrator signed account %(user)s out"),
            _l("Signed out by an administrator"),
        ),
        "role.granted": (
            _l("Account %(user)s was given the role %(role)s"),
            _l("Role granted"),
        ),
        "role.revoked": (
            _l("Account %(user)s no longer has the role %(role)s"),
            _l("Role revoked"),
        ),
        "role.moved": (
            _l("The role %(role)s of account %(user)s moved to %(unit)s"),
            _l("Role moved to a new unit"),
        ),
    },
    values=_values,
    notes=_role_note,
)
