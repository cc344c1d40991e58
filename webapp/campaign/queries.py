"""Reading the campaign's rules: those in force in a year. The public campaign page lists them;
the coverage engine (a higher package) evaluates them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.campaign.models import Campaign, Requirement
from webapp.extensions import db


def requirements_in(campaign: Campaign, year: int) -> list[Requirement]:
    """The campaign's rules in force in `year` (rules outside their years are skipped)."""
    return list(
        db.session.scalars(
            sa.select(Requirement)
            .where(
                Requirement.campaign_id == campaign.id,
                sa.or_(Requirement.valid_from_year.is_(None), Requirement.valid_from_year <= year),
                sa.or_(Requirement.valid_to_year.is_(None), Requirement.valid_to_year >= year),
            )
            .options(
                selectinload(Requirement.organization),
                selectinload(Requirement.model_types),
                selectinload(Requirement.partners),
            )
            .order_by(Requirement.id)
        )
    )
