"""Judging with the registered rules: `check` gives a Verdict (allowed, out of scope, wrong
state, with the reason), `can` the yes/no of it, `require` and friends answer requests,
`visible` filters list queries with the same scope, `who_can` finds the people to notify.

A role on a unit covers its subtree; an assignment narrowed to an organization covers only
that organization's objects; one narrowed to a language only objects in that language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.sql import Select

from webapp.extensions import login_manager
from webapp.policy.actions import Action
from webapp.policy.rules import (
    HOOKS,
    RULES,
    WHOLE_CAMPAIGN,
    Audience,
    Rule,
    no_language,
    no_organization,
    top_unit_of,
)

SIGN_IN = "sign-in required"
NO_ROLE = "no role of the rule on the object's unit or above"
NO_UNIT = "the object belongs to no unit the rule can judge"


@dataclass(frozen=True)
class Verdict:
    """Two findings: whether the action on the object falls to the user at all (`in_scope`),
    and whether the object's state allows it now (`in_state`), with the reason of a refusal.

    Views that keep an object's fate from those it is not for ask `out_of_scope` first (403),
    then `wrong_state` (409, or the page as it stands); views that show whoever may read the
    object that it has moved on (submitted, decided) ask `wrong_state` first.
    """

    in_scope: bool
    in_state: bool
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.in_scope and self.in_state

    @property
    def out_of_scope(self) -> bool:
        """Not theirs, whatever the state: no role reaching it, or their own work."""
        return not self.in_scope

    @property
    def wrong_state(self) -> bool:
        """The object's state refuses it now, whoever asks (already submitted or decided)."""
        return not self.in_state

    def __bool__(self) -> bool:
        return self.allowed


def signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _qualifying(user: Any, rule: Rule, language: str | None = None) -> list:
    """The user's assignments of the rule's roles; for rules about objects in a language, those
    for every language and those narrowed to `language`."""
    return [
        a
        for a in user.roles
        if a.role in rule.roles
        and (rule.language_of is no_language or a.language in (None, language))
    ]


def _covers(
    user: Any, rule: Rule, unit: Any, organization_id: int | None, language: str | None = None
) -> bool:
    above = {u.id for u in unit.covering_units()}
    return any(
        a.unit_id in above and (rule.narrowed_ok or a.organization_id in (None, organization_id))
        for a in _qualifying(user, rule, language)
    )


def covers(user: Any, action: Action, unit: Any, organization_id: int | None = None) -> bool:
    """Some assignment of the user, of the action's roles, is on this unit or above it (or on a
    unit that took it over), and for this organization where the rule asks."""
    return signed_in(user) and _covers(user, RULES[action], unit, organization_id)


def unit_for(action: Action, obj: Any) -> Any:
    """The unit whose roles decide the action on `obj` (for a reviewed item, its reviewing
    unit), asked by capabilities that may not import the one that knows."""
    return RULES[action].unit_of(obj)


def _in_roles_scope(user: Any, rule: Rule, obj: Any) -> str:
    """Why the user's roles do not reach the object, or "" when they do."""
    unit = rule.unit_of(obj) if obj is not None else None
    if unit is None:
        return NO_UNIT
    if not _covers(user, rule, unit, rule.organization_of(obj), rule.language_of(obj)):
        return NO_ROLE
    return ""


def check(user: Any, action: Action, obj: Any = None) -> Verdict:
    """The full answer: both findings, so a view can tell "not yours" from "no longer"."""
    rule = RULES[action]
    if rule.audience is not Audience.PUBLIC and not signed_in(user):
        return Verdict(False, True, SIGN_IN)  # the state is not judged for strangers
    refusal = ""
    if rule.audience is Audience.ROLES:
        refusal = _in_roles_scope(user, rule, obj)
    if not refusal and not rule.check(user, obj):
        refusal = _name(rule.check)
    in_state = obj is None or bool(rule.state(user, obj))
    return Verdict(not refusal, in_state, refusal or ("" if in_state else _name(rule.state)))


def _name(predicate: Any) -> str:
    return predicate.__name__.strip("_").replace("_", " ")


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """Yes or no, cheapest findings first (a template asks this for every row)."""
    rule = RULES[action]
    if rule.audience is Audience.PUBLIC:
        return rule.check(user, obj) and rule.state(user, obj)
    if not signed_in(user):
        return False
    if rule.audience is Audience.ROLES and _in_roles_scope(user, rule, obj):
        return False
    return rule.state(user, obj) and rule.check(user, obj)


def can_somewhere(user: Any, action: Action, language: str | None = None) -> bool:
    """Whether the user may do this to anything at all (for menus and index pages); for
    actions on objects in a language, to anything in `language`, or in any language if None."""
    rule = RULES[action]
    if rule.audience is not Audience.ROLES:
        return rule.audience is Audience.PUBLIC or signed_in(user)
    if language is None and rule.language_of is not no_language:
        return signed_in(user) and any(a.role in rule.roles for a in user.roles)
    if rule.unit_of is top_unit_of and rule.language_of is no_language:
        return can(user, action, WHOLE_CAMPAIGN)  # a role below the top does not reach it
    return bool(scope(user, action, language))


def languages_of(user: Any, action: Action, offered: list[str]) -> list[str]:
    """Of the `offered` languages, those in which the user may do this somewhere."""
    return [code for code in offered if can_somewhere(user, action, code)]


class Denied(PermissionError):
    """Raised by services acting for someone who may not; answered with 403."""


def ensure(user: Any, action: Action, obj: Any = None) -> None:
    """For services: raise Denied unless allowed."""
    if not can(user, action, obj):
        raise Denied(action)


def _refuse(user: Any) -> None:
    if not signed_in(user):
        abort(login_manager.unauthorized())
    abort(403)


def require(user: Any, action: Action, obj: Any = None) -> None:
    """Abort the request unless allowed: anonymous visitors are sent to sign in, others get 403."""
    if not can(user, action, obj):
        _refuse(user)


def require_in_scope(user: Any, action: Action, obj: Any) -> Verdict:
    """Abort unless the action on `obj` falls to the user (403 for others, whatever the state);
    the verdict says whether it is possible now: on a wrong state the view answers 409, or
    shows the object as it stands."""
    verdict = check(user, action, obj)
    if verdict.out_of_scope:
        _refuse(user)
    return verdict


def require_unless_moved_on(user: Any, action: Action, obj: Any) -> Verdict:
    """For views that tell whoever may read the object that it has moved on: the verdict when
    it is allowed or its state refuses it (the view says "already sent" or "locked"); 403 when
    it is in the right state but not the user's to act on."""
    verdict = check(user, action, obj)
    if verdict.in_state and verdict.out_of_scope:
        _refuse(user)
    return verdict


def scope(user: Any, action: Action, language: str | None = None) -> list[tuple[int, int | None]]:
    """(unit id, organization id) pairs: the subtrees the user may act on, each for every
    organization (None) or for one. Narrowed assignments count where the rule's objects belong
    to organizations, or where the rule accepts them for everything. For rules about objects
    in a language, the subtrees for objects in `language`."""
    if not signed_in(user):
        return []
    rule = RULES[action]
    pairs = set()
    for a in _qualifying(user, rule, language):
        if a.organization_id is None or rule.narrowed_ok:
            pairs.add((a.unit_id, None))
        elif rule.organization_of is not no_organization:
            pairs.add((a.unit_id, a.organization_id))
    return sorted(pairs, key=lambda pair: (pair[0], pair[1] or 0))


def scope_roots(user: Any, action: Action) -> list[int]:
    """Unit ids whose subtrees the user may act on for every organization."""
    return [unit_id for unit_id, organization_id in scope(user, action) if organization_id is None]


def visible(
    user: Any,
    action: Action,
    stmt: Select,
    language: str | None = None,
    *,
    cte_name: str = "subtree",
) -> Select:
    """Narrow a list query to the rows the user may see under `action` (for objects in
    `language`, where the rule is about objects in a language). `cte_name` names the subtree
    queries, for a statement that combines two narrowed ones.

    Scope only: per-object conditions are for `can`.
    """
    rule = RULES[action]
    if rule.audience is Audience.PUBLIC:
        return stmt
    if not signed_in(user):
        return stmt.where(sa.false())
    if rule.audience is Audience.SIGNED_IN:
        return stmt
    if rule.unit_column is None:
        raise ValueError(f"{action} has no unit column to filter lists by")
    pairs = scope(user, action, language)
    if not pairs:
        return stmt.where(sa.false())
    subtree_ids = HOOKS.subtree_ids
    unit_column = rule.unit_column()
    roots = [unit_id for unit_id, organization_id in pairs if organization_id is None]
    allowed = [unit_column.in_(subtree_ids(roots, name=cte_name))] if roots else []
    for number, (unit_id, organization_id) in enumerate(pairs):
        if organization_id is not None:
            allowed.append(
                sa.and_(
                    unit_column.in_(subtree_ids([unit_id], name=f"{cte_name}_{number}")),
                    rule.organization_column() == organization_id,
                )
            )
    return stmt.where(sa.or_(*allowed))


def who_can(action: Action, obj: Any) -> list:
    """Active users allowed to do `action` to `obj`: whom to notify or route work to."""
    rule = RULES[action]
    if rule.audience is not Audience.ROLES:
        raise ValueError(f"{action} is not limited to roles")
    unit = rule.unit_of(obj)
    if unit is None:
        return []
    above = [u.id for u in unit.covering_units()]
    return [user for user in HOOKS.role_holders(rule.roles, above) if can(user, action, obj)]
