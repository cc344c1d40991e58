"""Rules for opinions of the people: anyone sends one; the Front committee of its commune and
the levels above read, handle and answer it (their admins, editors and reviewers: the staff
who handle the campaign's work). Viewers and translators never see a sender's name."""

from __future__ import annotations

from typing import Any

from webapp.auth.models import Role
from webapp.opinions.models import ANSWERABLE_STATES, Opinion, OpinionState
from webapp.policy import Action, Audience, Rule, covers
from webapp.units.models import Level
from webapp.units.permissions import is_current_commune, unit_itself

HANDLERS = frozenset({Role.ADMIN, Role.EDITOR, Role.REVIEWER})


def opinion_unit(opinion: Opinion):
    return opinion.unit


def opinion_unit_column():
    return Opinion.unit_id


def _current_commune(user: Any, unit) -> bool:
    return is_current_commune(user, unit)


def _committee_unit(user: Any, unit) -> bool:
    """A unit with a Front committee that sends lists: a province, district or commune that
    still exists (not a residential area)."""
    return unit.level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE) and unit.valid_to is None


def province_of(unit):
    """The province a unit lies in (itself for a province): its answer time is the
    province's to set."""
    while unit is not None and unit.level != Level.PROVINCE:
        unit = unit.parent
    return unit


def not_settled(user: Any, opinion: Opinion) -> bool:
    """Still to handle: received, or being handled (not answered, rejected nor merged); once
    sent up, by the level it was sent to (or above), which may in turn send it further up —
    the level below has handed it on."""
    if opinion.state in (OpinionState.RECEIVED, OpinionState.ACCEPTED):
        return True
    return (
        opinion.state == OpinionState.FORWARDED
        and opinion.forwarded_to is not None
        and covers(user, Action.OPINION_HANDLE, opinion.forwarded_to)
    )


def awaiting_answer(user: Any, opinion: Opinion) -> bool:
    return opinion.state in ANSWERABLE_STATES or opinion.state == OpinionState.ANSWERED


RULES: dict[Action, Rule] = {
    Action.OPINION_SEND: Rule(Audience.PUBLIC),
    Action.OPINION_VIEW: Rule(
        Audience.ROLES, HANDLERS, opinion_unit, unit_column=opinion_unit_column
    ),
    # The photo may show faces and homes: the handling committee and above, like the sender.
    Action.OPINION_PHOTO_VIEW: Rule(Audience.ROLES, HANDLERS, opinion_unit),
    Action.OPINION_RECORD: Rule(Audience.ROLES, HANDLERS, unit_itself, check=_current_commune),
    Action.OPINION_HANDLE: Rule(Audience.ROLES, HANDLERS, opinion_unit, state=not_settled),
    Action.OPINION_ANSWER: Rule(Audience.ROLES, HANDLERS, opinion_unit, state=awaiting_answer),
    # On a unit: its committee (or one above) lists the opinions it handles and records the
    # sending; the list carries no sender, but the opinions' texts are the committee's.
    Action.OPINION_EXPORT: Rule(Audience.ROLES, HANDLERS, unit_itself, check=_committee_unit),
    Action.OPINION_DISPATCH: Rule(Audience.ROLES, HANDLERS, unit_itself, check=_committee_unit),
    # On a unit: the answer time of its province, for the province's admins only.
    Action.OPINION_SET_DAYS: Rule(Audience.ROLES, frozenset({Role.ADMIN}), province_of),
}
