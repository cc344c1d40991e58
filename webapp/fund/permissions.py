"""Who keeps and reads the fund's books, in the product's roles (DESIGN.md §4):

- The **treasurer** of a unit is an editor (or admin) whose role is on that unit itself and
  not narrowed to an organization: the commune Front committee keeps the commune's book, the
  district's its own. A role above does not record in a commune's book: each level keeps its
  own, and money reaches another level only by a transfer.
- The **Standing Committee** that approves a closed year is a reviewer or admin whose role
  reaches the unit (on it or above): the product's reviewers are the Front committees that
  decide for the units below, and its admins the province's. Nobody approves a year they
  closed themselves.
- The book's figures (no names) are read by every role that reads the unit's reports; the
  names of the households supported only by the committee's staff (admins, editors,
  reviewers), as for opinions; the public statement by anyone.
"""

from __future__ import annotations

from typing import Any

from webapp.auth.models import Role
from webapp.fund.models import FundBook, FundPeriod, PeriodState
from webapp.policy import Action, Audience, Rule

TREASURERS = frozenset({Role.ADMIN, Role.EDITOR})
COMMITTEE = frozenset({Role.ADMIN, Role.REVIEWER})
STAFF = frozenset({Role.ADMIN, Role.EDITOR, Role.REVIEWER})
READERS = frozenset({Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER})


def fund_unit(obj: Any):
    """The unit of a book, a period or a movement (each says its own)."""
    return obj.unit if obj is not None else None


def book_unit_column():
    return FundBook.unit_id


def _own_unit(user: Any, obj: Any) -> bool:
    """The treasurer's role is on the book's unit itself, for every organization."""
    unit = fund_unit(obj)
    return any(
        a.role in TREASURERS and a.unit_id == unit.id and a.organization_id is None
        for a in user.roles
    )


def period_open(user: Any, period: FundPeriod) -> bool:
    return period.state == PeriodState.OPEN


def period_closed(user: Any, period: FundPeriod) -> bool:
    return period.state == PeriodState.CLOSED


def not_who_closed(user: Any, period: FundPeriod) -> bool:
    return period.closed_by_id is None or period.closed_by_id != user.id


RULES: dict[Action, Rule] = {
    Action.FUND_DISCLOSE: Rule(Audience.PUBLIC),
    Action.FUND_VIEW: Rule(Audience.ROLES, READERS, fund_unit, unit_column=book_unit_column),
    Action.FUND_VIEW_PERSONAL: Rule(Audience.ROLES, STAFF, fund_unit, unit_column=book_unit_column),
    Action.FUND_RECORD: Rule(
        Audience.ROLES, TREASURERS, fund_unit, check=_own_unit, state=period_open
    ),
    Action.FUND_CLOSE: Rule(
        Audience.ROLES, TREASURERS, fund_unit, check=_own_unit, state=period_open
    ),
    Action.FUND_APPROVE: Rule(
        Audience.ROLES, COMMITTEE, fund_unit, check=not_who_closed, state=period_closed
    ),
}
