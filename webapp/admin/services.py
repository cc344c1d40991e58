"""User and role administration. Each function checks the policy for the actor, changes state,
appends the audit event and flushes; the caller commits."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.auth import sessions
from webapp.auth.models import Role, RoleAssignment, User
from webapp.auth.services import temporary_password
from webapp.campaign.models import MemberOrganization
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.units.models import Unit

# Roles that make sense narrowed to one organization (its officers and reviewers).
NARROWABLE = {Role.EDITOR, Role.REVIEWER, Role.VIEWER}
# Roles held for one language: its translators and its reviewers.
LANGUAGE_ROLES = {Role.TRANSLATOR, Role.TRANSLATION_REVIEWER}


class AdminError(Refused):
    """A request that cannot be carried out; the message is shown to the user."""


def create_user(actor: User, *, username: str, full_name: str, home_unit: Unit) -> tuple[User, str]:
    """A new account with a temporary password that must be changed at the first sign-in."""
    policy.ensure(actor, Action.USER_CREATE, home_unit)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise AdminError(_("The username %(name)s is already taken.", name=username))
    password = temporary_password()
    user = User(
        username=username, full_name=full_name, home_unit=home_unit, must_change_password=True
    )
    user.set_password(password)
    db.session.add(user)
    record(actor, "user.created", user, unit_id=home_unit.id, username=username)
    return user, password


def grant_role(
    actor: User,
    user: User,
    *,
    role: Role,
    unit: Unit,
    organization: MemberOrganization | None = None,
    language: str | None = None,
) -> RoleAssignment:
    policy.ensure(actor, Action.USER_VIEW, user)
    policy.ensure(actor, Action.ROLE_GRANT, unit)
    if organization is not None and role not in NARROWABLE:
        raise AdminError(
            _("Only editors, reviewers and viewers can be limited to an organization.")
        )
    if role in LANGUAGE_ROLES and not language:
        raise AdminError(_("Choose the language this translator works in."))
    if role not in LANGUAGE_ROLES:
        language = None
    for existing in user.roles:
        if (existing.role, existing.unit_id, existing.organization_id, existing.language) == (
            role,
            unit.id,
            organization.id if organization else None,
            language,
        ):
            raise AdminError(_("The user already has this role."))
    assignment = RoleAssignment(
        role=role, unit=unit, organization=organization, language=language, created_by_id=actor.id
    )
    user.roles.append(assignment)
    record(
        actor,
        "role.granted",
        user,
        unit_id=unit.id,
        role=str(role),
        organization=organization.code if organization else None,
        language=language,
    )
    return assignment


def revoke_role(actor: User, assignment: RoleAssignment) -> None:
    policy.ensure(actor, Action.ROLE_REVOKE, assignment)
    user = assignment.user
    record(
        actor,
        "role.revoked",
        user,
        unit_id=assignment.unit_id,
        role=str(assignment.role),
        organization=assignment.organization.code if assignment.organization else None,
        language=assignment.language,
    )
    user.roles.remove(assignment)
    db.session.flush()


def deactivate_user(actor: User, user: User) -> None:
    policy.ensure(actor, Action.USER_DEACTIVATE, user)
    user.is_active = False
    user.session_version += 1  # signs the person out everywhere
    sessions.end_all(user)
    record(actor, "user.deactivated", user, unit_id=user.home_unit_id)


def end_sessions(actor: User, user: User, only: str | None = None) -> int:
    """Sign the person out of one session (`only`) or of all of them; how many ended."""
    policy.ensure(actor, Action.USER_MANAGE_SESSIONS, user)
    ended = sessions.end_all(user, only=only)
    if ended:
        record(actor, "user.sessions_ended", user, unit_id=user.home_unit_id, count=ended)
    return ended


def activate_user(actor: User, user: User) -> None:
    policy.ensure(actor, Action.USER_ACTIVATE, user)
    user.is_active = True
    record(actor, "user.activated", user, unit_id=user.home_unit_id)
