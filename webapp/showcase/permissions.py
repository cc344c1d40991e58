"""Rules for effective models: the level above an entry's unit recognises it and withdraws the
recognition (reviewers and admins of the district for its communes, of the province for
districts and communes); anyone reads a recognised model; a commune's editors replicate it
into their own lists (LIST_EDIT on the list decides whose); the entry's editors and the level
above add its photos; readers of a unit see how far its models spread.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from webapp.auth.models import Role
from webapp.auth.permissions import EVALUATORS, LIST_READERS
from webapp.extensions import db
from webapp.policy import Action, Audience, Rule
from webapp.registrations.models import Entry, EntryState
from webapp.registrations.permissions import entry_organization, entry_unit
from webapp.reports.models import LineStatus, ProgressLine
from webapp.showcase.models import EffectiveModel, ModelState
from webapp.units.models import Level, Unit

# "Advanced": a line still in progress counts from this share done.
ADVANCED_PERCENT = 50
PHOTO_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.ADMIN})


def _above_entry(entry: Entry) -> Unit | None:
    return entry.registration_list.unit.parent


def _above_model(model: EffectiveModel) -> Unit | None:
    return _above_entry(model.entry)


def _below_the_top(user: Any, entry: Entry) -> bool:
    """Entries of communes and districts: the province's own have no level above."""
    return entry.registration_list.unit.level in (Level.COMMUNE, Level.DISTRICT)


def has_progress(entry: Entry) -> bool:
    """A report line of the entry says completed, or in progress and at least half done."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    ProgressLine.entry_id == entry.id,
                    sa.or_(
                        ProgressLine.status == LineStatus.COMPLETED,
                        sa.and_(
                            ProgressLine.status == LineStatus.IN_PROGRESS,
                            ProgressLine.percent_done >= ADVANCED_PERCENT,
                        ),
                    ),
                )
            )
        )
    )


def _approved_with_progress(user: Any, entry: Entry) -> bool:
    return entry.state == EntryState.APPROVED and has_progress(entry)


def _approved(user: Any, entry: Entry) -> bool:
    return entry.state == EntryState.APPROVED


def _recognised(user: Any, model: EffectiveModel | None) -> bool:
    """A recognised model (no model: the showcase of them all, open to anyone)."""
    return model is None or model.state == ModelState.RECOGNISED


def edits_a_commune(user: Any, model: EffectiveModel | None = None) -> bool:
    """Replicating is for communes' editors; into which of their lists is LIST_EDIT's."""
    return any(a.role == Role.EDITOR and a.unit.level == Level.COMMUNE for a in user.roles)


def _unit_itself(unit: Unit) -> Unit:
    return unit


RULES: dict[Action, Rule] = {
    Action.MODEL_VIEW: Rule(Audience.PUBLIC, state=_recognised),
    Action.MODEL_RECOGNISE: Rule(
        Audience.ROLES,
        EVALUATORS,
        _above_entry,
        check=_below_the_top,
        state=_approved_with_progress,
    ),
    Action.MODEL_WITHDRAW: Rule(Audience.ROLES, EVALUATORS, _above_model, state=_recognised),
    Action.MODEL_REPLICATE: Rule(Audience.SIGNED_IN, check=edits_a_commune, state=_recognised),
    Action.MODEL_SPREAD: Rule(Audience.ROLES, LIST_READERS, _unit_itself),
    Action.ENTRY_PHOTO_ADD: Rule(
        Audience.ROLES, PHOTO_ROLES, entry_unit, entry_organization, state=_approved
    ),
}
