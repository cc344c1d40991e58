"""The only place that answers "may this user do this to this object?" — the engine.

`actions` is the catalogue of names; `rules` what a rule is, the registry and the hooks;
`engine` judges: `check` gives a Verdict (allowed, out of scope, wrong state, with the reason),
`can` its yes/no (a Jinja global), `require` answers a request (sign in, or 403), `visible`
filters list queries with the same scope, `who_can` finds the people to notify.

The rules themselves live with their capabilities (`webapp/<capability>/permissions.py`),
registered by create_app; this package imports none of them.
"""

from webapp.policy.actions import Action
from webapp.policy.engine import (
    Denied,
    Verdict,
    can,
    can_somewhere,
    check,
    covers,
    ensure,
    languages_of,
    require,
    require_in_scope,
    require_unless_moved_on,
    scope,
    scope_roots,
    signed_in,
    unit_for,
    visible,
    who_can,
)
from webapp.policy.rules import (
    RULES,
    WHOLE_CAMPAIGN,
    Audience,
    Rule,
    ensure_complete,
    register,
    register_hooks,
    top_unit_of,
)

__all__ = [
    "RULES",
    "WHOLE_CAMPAIGN",
    "Action",
    "Audience",
    "Denied",
    "Rule",
    "Verdict",
    "can",
    "can_somewhere",
    "check",
    "covers",
    "ensure",
    "ensure_complete",
    "languages_of",
    "register",
    "register_hooks",
    "require",
    "require_in_scope",
    "require_unless_moved_on",
    "scope",
    "scope_roots",
    "signed_in",
    "top_unit_of",
    "unit_for",
    "visible",
    "who_can",
]
