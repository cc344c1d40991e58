"""A tiny in-process publish/subscribe, so a lower package can let higher ones react without
importing them: registrations announce "an entry is about to be deleted", coverage (which sits
above registrations) subscribes and takes back the partners its joint-work decisions added.

The event names are listed here, one catalogue like the policy's Action names. Subscriptions are
made by create_app when it wires a capability; handlers run synchronously, in the publisher's
transaction, in the order they subscribed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# An entry is about to be deleted (still in its list, not yet flushed): payload `entry`.
ENTRY_DELETING = "entry.deleting"
# A reorganization's page is being shown: payload `plan` (a units.reorganize.Plan), `user`, and
# `sections`, a list the handlers append their HTML to; the page shows them after its checks
# (auth adds the roles held on the units that end, with their proposed moves).
REORGANIZATION_SHOWN = "reorganization.shown"
# A result report is about to be sent (locked, policy checked): payload `actor`, `report`. The
# fund writes its book's figures into the Front committee's report (issue 20).
REPORT_SUBMITTING = "report.submitting"
# A result report's figures are being shown or asked for: payload `report` and `derived`, a dict
# the handlers fill with figure code → (value, where it comes from, a link to it) for figures
# another package keeps. The report shows those read-only and does not ask for them (the fund's
# book gives "Quỹ 'Vì người nghèo'", issue 20).
REPORT_FIGURES_DERIVED = "report.figures_derived"

_subscribers: dict[str, list[Callable[..., Any]]] = {}


def subscribe(event: str, handler: Callable[..., Any]) -> None:
    """Call `handler(**payload)` whenever `event` is published. Subscribing the same handler
    again does nothing (create_app runs once per test app, the registry lives per process)."""
    handlers = _subscribers.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def publish(event: str, **payload: Any) -> None:
    for handler in list(_subscribers.get(event, ())):
        handler(**payload)
