"""Rules for evaluations, nominations and the public list of commendations.

Evaluations are recorded by the level above the evaluated unit (the province for districts
and, where no district does it, communes; a district for its communes): reviewers and admins
there or above. Nobody rates their own unit.

Nominations are the proposing unit's committee's (editors and admins, not organization
officers); the level above decides: the nearest unit above still in force, where a reviewer
of the unit itself or an admin on it or above decides. The top unit's own nominations are
decided by its admins (the Standing Committee), never by the proposer.
"""

from __future__ import annotations

from typing import Any

from webapp.auth.models import Role
from webapp.auth.permissions import EVALUATORS, LIST_READERS, PROPOSERS
from webapp.commendations.models import Evaluation, Nomination, NominationState
from webapp.db import local_today
from webapp.policy import Action, Audience, Rule
from webapp.units.models import Level, Unit
from webapp.units.permissions import valid_in_year


def _evaluation_unit(evaluation: Evaluation) -> Unit:
    return evaluation.unit


def _evaluation_organization(evaluation: Evaluation) -> int | None:
    return evaluation.organization_id


def _unit_above(evaluation: Evaluation) -> Unit | None:
    return evaluation.unit.parent


def _evaluable(user: Any, evaluation: Evaluation) -> bool:
    """Units that existed in the year, above the residential areas."""
    unit = evaluation.unit
    return unit.level in (Level.DISTRICT, Level.COMMUNE) and valid_in_year(unit, evaluation.year)


def _evaluation_unit_column():
    return Evaluation.unit_id


def _evaluation_organization_column():
    return Evaluation.organization_id


def _proposing_unit(nomination: Nomination) -> Unit:
    return nomination.proposing_unit


def deciding_unit(nomination: Nomination) -> Unit:
    unit = nomination.proposing_unit
    today = local_today()
    above = sorted(unit.covering_units()[1:], key=lambda u: u.has_ended(today))
    return above[0] if above else unit


def _may_propose_here(user: Any, nomination: Nomination) -> bool:
    """A unit above the residential areas that existed in the nomination's year."""
    unit = nomination.proposing_unit
    return unit.level != Level.AREA and valid_in_year(unit, nomination.year)


def _draft(user: Any, nomination: Nomination) -> bool:
    return nomination.state == NominationState.DRAFT


def _submitted(user: Any, nomination: Nomination) -> bool:
    return nomination.state == NominationState.SUBMITTED


def _decides_here(user: Any, nomination: Nomination) -> bool:
    if user.id in (nomination.submitted_by_id, nomination.proposed_by_id):
        return False
    unit = deciding_unit(nomination)
    top = unit is nomination.proposing_unit
    covering = {u.id for u in unit.covering_units()}
    return any(
        a.organization_id is None
        and (
            (a.role == Role.ADMIN and a.unit_id in covering)
            or (a.role == Role.REVIEWER and not top and a.unit_id == unit.id)
        )
        for a in user.roles
    )


def _nomination_unit_column():
    return Nomination.proposing_unit_id


RULES: dict[Action, Rule] = {
    Action.EVALUATION_VIEW: Rule(
        Audience.ROLES,
        LIST_READERS,
        _evaluation_unit,
        _evaluation_organization,
        unit_column=_evaluation_unit_column,
        organization_column=_evaluation_organization_column,
    ),
    Action.EVALUATION_RECORD: Rule(
        Audience.ROLES, EVALUATORS, _unit_above, _evaluation_organization, check=_evaluable
    ),
    Action.NOMINATION_VIEW: Rule(
        Audience.ROLES, LIST_READERS, _proposing_unit, unit_column=_nomination_unit_column
    ),
    Action.NOMINATION_CREATE: Rule(
        Audience.ROLES, PROPOSERS, _proposing_unit, check=_may_propose_here, state=_draft
    ),
    Action.NOMINATION_SUBMIT: Rule(
        Audience.ROLES, PROPOSERS, _proposing_unit, check=_may_propose_here, state=_draft
    ),
    Action.NOMINATION_DECIDE: Rule(
        Audience.ROLES,
        EVALUATORS,
        deciding_unit,
        check=_decides_here,
        state=_submitted,
        unit_column=_nomination_unit_column,
    ),
    Action.COMMENDATION_VIEW: Rule(Audience.PUBLIC),
}
