"""Reading the campaign configuration."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp.campaign.models import Campaign, Deadline, DeadlineKind
from webapp.extensions import db


def current_campaign() -> Campaign | None:
    return db.session.scalar(sa.select(Campaign).order_by(Campaign.id).limit(1))


def deadline_for(campaign: Campaign, kind: DeadlineKind, year: int) -> Deadline | None:
    """The deadline row for a year: that year's override if there is one, else the yearly rule."""
    rows = [d for d in campaign.deadlines if d.kind == kind and d.year in (year, None)]
    rows.sort(key=lambda d: d.year is None)
    return rows[0] if rows else None


def due_date(campaign: Campaign, kind: DeadlineKind, year: int) -> date | None:
    row = deadline_for(campaign, kind, year)
    return date(year, row.month, row.day) if row else None
