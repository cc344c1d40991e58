"""Changing the campaign configuration (its deadlines); reading it is in `deadlines`."""

from __future__ import annotations

from webapp import policy
from webapp.audit.services import record
from webapp.campaign.models import Campaign, Deadline, DeadlineKind
from webapp.extensions import db
from webapp.policy import Action


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
