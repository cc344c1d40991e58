"""Reading the campaign configuration."""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa

from webapp import policy
from webapp.audit.services import record
from webapp.campaign.models import Campaign, Deadline, DeadlineKind
from webapp.extensions import db
from webapp.policy import Action


def current_campaign() -> Campaign | None:
    return db.session.scalar(sa.select(Campaign).order_by(Campaign.id).limit(1))


def deadline_for(campaign: Campaign, kind: DeadlineKind, year: int) -> Deadline | None:
    """The deadline row for a year: that year's override if there is one, else the yearly rule."""
    rows = [d for d in campaign.deadlines if d.kind == kind and d.year in (year, None)]
    rows.sort(key=lambda d: d.year is None)
    return rows[0] if rows else None


def due_date(campaign: Campaign, kind: DeadlineKind, year: int) -> date | None:
    row = deadline_for(campaign, kind, year)
    if row is None:
        return None
    # A day the month lacks that year (29/02 stored before this check existed) means its last.
    return date(year, row.month, min(row.day, calendar.monthrange(year, row.month)[1]))


def set_deadline(
    actor, campaign: Campaign, kind: DeadlineKind, year: int | None, day: int, month: int
) -> Deadline:
    """Set the yearly due date (year None) or one year's own date; the seed keeps it."""
    policy.ensure(actor, Action.CAMPAIGN_CONFIGURE, campaign)
    row = next((d for d in campaign.deadlines if d.kind == kind and d.year == year), None)
    before = f"{row.day:02d}/{row.month:02d}" if row else None
    if row is None:
        row = Deadline(campaign=campaign, kind=kind, year=year, day=day, month=month)
        db.session.add(row)
    row.day, row.month, row.is_assumption = day, month, False
    record(
        actor,
        "deadline.set",
        row,
        unit_id=None,
        kind=str(kind),
        year=year,
        before=before,
        after=f"{day:02d}/{month:02d}",
    )
    return row
