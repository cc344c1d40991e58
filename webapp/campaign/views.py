"""The public description of the campaign: its contents, organizations, models and rules."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user

from webapp import policy
from webapp.campaign.models import MemberOrganization, ModelType
from webapp.campaign.services import current_campaign
from webapp.extensions import db
from webapp.policy import Action

bp = Blueprint("campaign", __name__, url_prefix="/campaign")


@bp.get("")
def show_campaign():
    policy.require(current_user, Action.CAMPAIGN_VIEW)
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    organizations = list(
        db.session.scalars(
            sa.select(MemberOrganization)
            .where(MemberOrganization.is_active)
            .order_by(MemberOrganization.sort_order)
        )
    )
    models_by_org: dict[int | None, list[ModelType]] = defaultdict(list)
    for model in db.session.scalars(
        sa.select(ModelType).where(ModelType.is_active).order_by(ModelType.id)
    ):
        models_by_org[model.organization_id].append(model)
    return render_template(
        "campaign/campaign.html",
        campaign=campaign,
        organizations=organizations,
        models_by_org=models_by_org,
        deadlines=sorted(campaign.deadlines, key=lambda d: (d.kind, d.year or 0)),
    )
