"""When an opinion is overdue, and each province's time for an answer.

An opinion still open (received, being handled, sent up a level) is overdue when no answer came
within N days of the day it was last sent to the authorities in a consolidated list (the
latest dispatch that carried it: the authority now holding it is the one that owes the answer),
or, when no list ever carried it, within N days of its receipt (the committee owes the people a
handling as much as the authority owes an answer).

N is data: the province's own setting (`OpinionProvinceSetting`, changed by its admins), else
the campaign's (`OpinionSetting`), else 30 days. The conditions are SQL so lists filter and
count in one statement whatever the number of opinions; the number of provinces with their
own setting (at most the country's 34) is the only thing the statement grows with.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.campaign.models import Campaign
from webapp.concurrency import lock_current
from webapp.db import local_today, utcnow
from webapp.extensions import db
from webapp.opinions.models import (
    OPEN_STATES,
    Opinion,
    OpinionDispatch,
    OpinionDispatchItem,
    OpinionProvinceSetting,
    OpinionSetting,
)
from webapp.opinions.permissions import province_of
from webapp.opinions.services import OpinionError
from webapp.policy import Action
from webapp.units.models import Level, Unit
from webapp.units.queries import subtree_ids

DEFAULT_ANSWER_DAYS = 30
MIN_DAYS, MAX_DAYS = 1, 3650


def campaign_days() -> int:
    """The campaign's time for an answer (opinion_settings; 30 days without a row)."""
    days = db.session.scalar(
        sa.select(OpinionSetting.answer_days)
        .join(Campaign, Campaign.id == OpinionSetting.campaign_id)
        .order_by(Campaign.id)
        .limit(1)
    )
    return days or DEFAULT_ANSWER_DAYS


def province_settings() -> dict[int, int]:
    """{province id: days} of the provinces that set their own time."""
    rows = db.session.execute(
        sa.select(OpinionProvinceSetting.unit_id, OpinionProvinceSetting.answer_days)
    )
    return {unit_id: days for unit_id, days in rows}


def days_for(unit: Unit | None) -> int:
    """The time for an answer to an opinion of this unit (or set at this province)."""
    province = province_of(unit) if unit is not None else None
    if province is not None:
        days = db.session.scalar(
            sa.select(OpinionProvinceSetting.answer_days).where(
                OpinionProvinceSetting.unit_id == province.id
            )
        )
        if days:
            return days
    return campaign_days()


def last_sent():
    """SQL: the day the opinion was last sent to the authorities in a list (NULL: never)."""
    return (
        sa.select(sa.func.max(OpinionDispatch.sent_on))
        .join(OpinionDispatchItem, OpinionDispatchItem.dispatch_id == OpinionDispatch.id)
        .where(OpinionDispatchItem.opinion_id == Opinion.id)
        .scalar_subquery()
    )


def _late(days: int, sent):
    today, now = local_today(), utcnow()
    return sa.or_(
        sa.and_(sent.is_not(None), sent < today - timedelta(days=days)),
        sa.and_(sent.is_(None), Opinion.received_at < now - timedelta(days=days)),
    )


def overdue_condition():
    """SQL: the opinion is open and its answer is late by its province's time."""
    sent = last_sent()
    provinces = province_settings()
    if not provinces:
        return sa.and_(Opinion.state.in_(OPEN_STATES), _late(campaign_days(), sent))
    branches, inside_any = [], []
    for index, (province_id, days) in enumerate(sorted(provinces.items())):
        inside = Opinion.unit_id.in_(subtree_ids([province_id], name=f"answer_time_{index}"))
        inside_any.append(inside)
        branches.append(sa.and_(inside, _late(days, sent)))
    branches.append(sa.and_(~sa.or_(*inside_any), _late(campaign_days(), sent)))
    return sa.and_(Opinion.state.in_(OPEN_STATES), sa.or_(*branches))


def overdue_ids(ids: list[int]) -> set[int]:
    """Which of these opinions are overdue, in one query."""
    if not ids:
        return set()
    return set(
        db.session.scalars(sa.select(Opinion.id).where(Opinion.id.in_(ids), overdue_condition()))
    )


def is_overdue(opinion: Opinion) -> bool:
    return opinion.id in overdue_ids([opinion.id])


def provinces_to_set(user) -> list[Unit]:
    """The provinces (in force) whose answer time the user may change."""
    roots = policy.scope_roots(user, Action.OPINION_SET_DAYS)
    if not roots:
        return []
    units = db.session.scalars(
        sa.select(Unit)
        .where(Unit.level == Level.PROVINCE, Unit.valid_to.is_(None))
        .order_by(Unit.name)
    )
    return [u for u in units if policy.can(user, Action.OPINION_SET_DAYS, u)]


def set_answer_days(user, province: Unit, days: int | None, version: int | None) -> None:
    """The province's own time for an answer. `version` is the setting's as the form showed
    it (None: there was none yet)."""
    policy.ensure(user, Action.OPINION_SET_DAYS, province)
    if province.level != Level.PROVINCE:
        raise OpinionError(_("Choose a province."), "province")
    if days is None or not MIN_DAYS <= days <= MAX_DAYS:
        raise OpinionError(
            _("Enter a number between %(low)d and %(high)d.", low=MIN_DAYS, high=MAX_DAYS), "days"
        )
    setting = db.session.scalar(
        sa.select(OpinionProvinceSetting).where(OpinionProvinceSetting.unit_id == province.id)
    )
    if setting is None:
        setting = OpinionProvinceSetting(
            unit_id=province.id, answer_days=days, updated_by_id=user.id
        )
        db.session.add(setting)
    else:
        # No version: the form saw no setting, so one saved meanwhile is someone else's.
        lock_current(setting, version or 0)
        setting.answer_days = days
        setting.updated_by_id = user.id
    record(user, "opinion.answer_days_set", province, unit_id=province.id, days=days)
