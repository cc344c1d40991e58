"""Rules defined by roles on units for what lies at or below auth: accounts, users and their
roles, the units themselves, the campaign's configuration and the interface's translation.
Also the role sets the higher capabilities' rules use, and the `role_holders` hook by which
`policy.who_can` finds candidates."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from webapp.auth.models import Role, RoleAssignment, User
from webapp.extensions import db
from webapp.policy import Action, Audience, Rule, covers, top_unit_of
from webapp.units.permissions import (
    can_hold_roles,
    is_current_commune,
    unit_id_column,
    unit_itself,
)

ADMIN = frozenset({Role.ADMIN})
EDITOR = frozenset({Role.EDITOR})
EVERY_ROLE = frozenset(Role)
# Who reads registrations: the committees that make, review, manage or watch them.
LIST_READERS = frozenset({Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER})
REVIEWER = frozenset({Role.REVIEWER})
# Guidance is published by publishers; a province admin may publish too (DESIGN §4).
PUBLISHERS = frozenset({Role.PUBLISHER, Role.ADMIN})
EVALUATORS = frozenset({Role.REVIEWER, Role.ADMIN})
PROPOSERS = frozenset({Role.EDITOR, Role.ADMIN})
# Translations: translators in their language, and those who publish the originals; the
# language's reviewers open the same editors to read what they approve.
TRANSLATORS = frozenset({Role.TRANSLATOR, Role.TRANSLATION_REVIEWER, Role.PUBLISHER, Role.ADMIN})
# Who approves translations in a language: its reviewers, and nobody else (DESIGN §6).
LANGUAGE_REVIEWERS = frozenset({Role.TRANSLATION_REVIEWER})


def role_holders(roles: frozenset, unit_ids: list[int]) -> list[User]:
    """Active users holding one of `roles` on one of these units, by username."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                User.is_active,
                RoleAssignment.role.in_(roles),
                RoleAssignment.unit_id.in_(unit_ids),
            )
            .distinct()
            .order_by(User.username)
        )
    )


def _home_unit(user: User):
    return user.home_unit


def _assignment_unit(assignment: RoleAssignment):
    return assignment.unit


def _home_unit_column():
    return User.home_unit_id


def _is_self(user: User, obj: User) -> bool:
    return obj is not None and obj.id == user.id


def _holds_no_role_beyond(user: User, target: User) -> bool:
    """Every role of the target lies within the actor's admin scope: a district admin must not
    take over (reset, deactivate) a province admin whose home is a commune of the district."""
    return all(covers(user, Action.ROLE_GRANT, a.unit, None) for a in target.roles)


def _other_user_in_reach(user: User, target: User) -> bool:
    return target.id != user.id and _holds_no_role_beyond(user, target)


def _active(user: User, target: User) -> bool:
    return target.is_active


def _inactive(user: User, target: User) -> bool:
    return not target.is_active


def _not_own_assignment(user: User, assignment: RoleAssignment) -> bool:
    return assignment.user_id != user.id


def _language_code(language: Any) -> str:
    return language.code


def _row_language(row: Any) -> str:
    return row.language


def not_own_work(user: User, row: Any) -> bool:
    """A translation is approved by another person than the one who wrote it."""
    return row.translated_by_id is None or row.translated_by_id != user.id


def _awaiting_review(user: User, row: Any) -> bool:
    return row.state == "review"


RULES: dict[Action, Rule] = {
    Action.ACCOUNT_CHANGE_PASSWORD: Rule(Audience.SIGNED_IN, check=_is_self),
    Action.ACCOUNT_SET_LANGUAGE: Rule(Audience.SIGNED_IN, check=_is_self),
    Action.ACCOUNT_MANAGE_SESSIONS: Rule(Audience.SIGNED_IN, check=_is_self),
    Action.UNIT_VIEW: Rule(
        Audience.ROLES, EVERY_ROLE, unit_itself, unit_column=unit_id_column, narrowed_ok=True
    ),
    Action.UNIT_ADD_AREA: Rule(
        Audience.ROLES, frozenset({Role.ADMIN, Role.EDITOR}), unit_itself, check=is_current_commune
    ),
    # Applying a reorganization of a subtree and moving the roles held on its ended units.
    Action.UNIT_REORGANIZE: Rule(Audience.ROLES, ADMIN, unit_itself),
    # Which communes are recognised new-rural in a year decides where the cooperative rule applies.
    Action.UNIT_SET_NEW_RURAL: Rule(Audience.ROLES, ADMIN, unit_itself, check=is_current_commune),
    Action.USER_VIEW: Rule(Audience.ROLES, ADMIN, _home_unit, unit_column=_home_unit_column),
    Action.USER_CREATE: Rule(Audience.ROLES, ADMIN, unit_itself, check=can_hold_roles),
    Action.USER_DEACTIVATE: Rule(
        Audience.ROLES, ADMIN, _home_unit, check=_other_user_in_reach, state=_active
    ),
    Action.USER_ACTIVATE: Rule(
        Audience.ROLES, ADMIN, _home_unit, check=_holds_no_role_beyond, state=_inactive
    ),
    Action.USER_RESET_PASSWORD: Rule(
        Audience.ROLES, ADMIN, _home_unit, check=_other_user_in_reach, state=_active
    ),
    # Clearing an account's sign-in throttle: the admins who could reset its password; their
    # own account too (signed in elsewhere while guesses slow their sign-in here).
    Action.USER_UNLOCK: Rule(Audience.ROLES, ADMIN, _home_unit, check=_holds_no_role_beyond),
    # One's own sessions are ended on the account's sessions page, not the admin's.
    Action.USER_MANAGE_SESSIONS: Rule(
        Audience.ROLES, ADMIN, _home_unit, check=_other_user_in_reach
    ),
    Action.ROLE_GRANT: Rule(Audience.ROLES, ADMIN, unit_itself, check=can_hold_roles),
    Action.ROLE_REVOKE: Rule(Audience.ROLES, ADMIN, _assignment_unit, check=_not_own_assignment),
    # The campaign's configuration, its rules and its report figures hold for the whole
    # campaign: the top unit's admins.
    Action.CAMPAIGN_CONFIGURE: Rule(Audience.ROLES, ADMIN, top_unit_of),
    Action.REQUIREMENT_MANAGE: Rule(Audience.ROLES, ADMIN, top_unit_of),
    Action.REPORT_FIGURE_MANAGE: Rule(Audience.ROLES, ADMIN, top_unit_of),
    # Interface strings serve the whole site: translators of the language on the top unit, or
    # its admins.
    Action.INTERFACE_TRANSLATE: Rule(
        Audience.ROLES,
        frozenset({Role.TRANSLATOR, Role.TRANSLATION_REVIEWER, Role.ADMIN}),
        top_unit_of,
        language_of=_language_code,
    ),
    Action.INTERFACE_EXPORT: Rule(Audience.ROLES, ADMIN, top_unit_of),
    # The object: a translation row (interface string or campaign word) with its language,
    # translator and state.
    Action.INTERFACE_REVIEW: Rule(
        Audience.ROLES,
        LANGUAGE_REVIEWERS,
        top_unit_of,
        language_of=_row_language,
        check=not_own_work,
        state=_awaiting_review,
    ),
    Action.GLOSSARY_EDIT: Rule(
        Audience.ROLES, LANGUAGE_REVIEWERS, top_unit_of, language_of=_language_code
    ),
}
