"""The campaign and its calendar: which campaign runs, and when each year's lists and reports are
due (the registration calendar). Reading only, and no policy: the unit structure of a year asks
this module for the year's day, and the policy asks the units."""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from flask import g, has_request_context

from webapp.campaign.models import Campaign, Deadline, DeadlineKind
from webapp.db import local_today
from webapp.extensions import db

FIRST_YEAR = 2017  # the plan's first registration season


def current_campaign() -> Campaign | None:
    """The campaign, read once per request (a home page asks a dozen times); outside a
    request, each time."""
    if has_request_context() and (known := g.get("current_campaign")) is not None:
        return known
    campaign = db.session.scalar(sa.select(Campaign).order_by(Campaign.id).limit(1))
    if has_request_context() and campaign is not None:
        g.current_campaign = campaign
    return campaign


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


def registration_due(year: int) -> date | None:
    """The day the year's registration lists are due, if the campaign sets one."""
    campaign = current_campaign()
    return due_date(campaign, DeadlineKind.REGISTRATION, year) if campaign else None


def registration_years() -> list[int]:
    """The seasons one may open: from the plan's first to next year."""
    return list(range(FIRST_YEAR, local_today().year + 2))
