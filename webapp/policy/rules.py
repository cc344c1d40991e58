"""What a rule is, the registry of rules, and the hooks through which lower capabilities tell
the engine what it needs to know (the top unit, a subtree query, the holders of roles).

The engine imports no capability: each capability states its rules in its own
`permissions.py`, and create_app registers them, with the hooks, in one readable list.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from webapp.policy.actions import Action


class Audience(enum.Enum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    ROLES = "roles"


def always(user: Any, obj: Any) -> bool:
    return True


def no_unit(obj: Any) -> Any:
    return None


def no_organization(obj: Any) -> int | None:
    return None


def no_language(obj: Any) -> str | None:
    return None


@dataclass(frozen=True)
class Rule:
    audience: Audience
    roles: frozenset = frozenset()
    # The unit the object belongs to: a role there or above it covers the object. Units are
    # judged by duck typing: `unit.covering_units()` lists the unit and those above it.
    unit_of: Callable[[Any], Any] = no_unit
    organization_of: Callable[[Any], int | None] = no_organization
    # The language the object is written in, when assignments narrowed to a language count.
    language_of: Callable[[Any], str | None] = no_language
    # Who may act beyond the role on the unit ("not their own submission", "a reviewer of the
    # reviewing unit itself", "a unit that existed that year"): failing it is "out of scope".
    check: Callable[[Any, Any], bool] = always
    # The state the object must be in ("only submitted entries can be approved"), which others'
    # actions change under the user's feet: failing it is "wrong state".
    state: Callable[[Any, Any], bool] = always
    # For `visible`: the column holding the unit id of the listed rows.
    unit_column: Callable[[], Any] | None = None
    # For `visible`, when the objects belong to organizations: the column holding it, so an
    # assignment narrowed to an organization shows that organization's rows.
    organization_column: Callable[[], Any] | None = None
    # Whether assignments narrowed to an organization count for objects that belong to no
    # organization (an organization's officer may still browse the units of their scope).
    narrowed_ok: bool = False


RULES: dict[Action, Rule] = {}


def register(rules: Mapping[Action, Rule]) -> None:
    """Add a capability's rules (create_app does this for every capability)."""
    for action, rule in rules.items():
        known = RULES.get(action)
        if known is not None and known != rule:
            raise ValueError(f"{action} already has another rule")
        RULES[action] = rule


def ensure_complete() -> None:
    """Every action in the catalogue has its rule: a forgotten registration fails at start."""
    missing = [str(action) for action in Action if action not in RULES]
    if missing:
        raise RuntimeError(f"no rule registered for {', '.join(missing)}")


@dataclass
class Hooks:
    """What the engine asks of the lower capabilities, registered at app creation."""

    # The unit at the top of the tree today (the campaign's configuration belongs to it).
    top_unit: Callable[[], Any] = field(default=lambda: None)
    # A SELECT of the ids of these units' subtrees: subtree_ids(unit_ids, name=...).
    subtree_ids: Callable[..., Any] | None = None
    # Active users holding one of these roles on one of these units: role_holders(roles, ids).
    role_holders: Callable[[frozenset, list[int]], Iterable[Any]] | None = None


HOOKS = Hooks()


def register_hooks(**hooks: Callable[..., Any]) -> None:
    for name, hook in hooks.items():
        if not hasattr(HOOKS, name):
            raise TypeError(f"unknown policy hook {name!r}")
        setattr(HOOKS, name, hook)


# What the top unit's configuration actions are asked about when there is no one object.
WHOLE_CAMPAIGN = object()


def top_unit_of(obj: Any) -> Any:
    """For rules about the whole campaign: the top of the tree, whatever the object."""
    return HOOKS.top_unit()
