"""The public description of the campaign: its contents, organizations, models and rules."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.campaign import services
from webapp.campaign.deadlines import current_campaign
from webapp.campaign.forms import DeadlineForm
from webapp.campaign.models import DeadlineKind, MemberOrganization, ModelType
from webapp.campaign.queries import requirements_in
from webapp.campaign.views.common import bp
from webapp.db import local_today
from webapp.extensions import db
from webapp.policy import Action


@bp.get("/campaign")
def show_campaign():
    policy.require(current_user, Action.CAMPAIGN_VIEW)
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    # A visitor gets no form, so no CSRF token and no session cookie.
    may_configure = policy.can(current_user, Action.CAMPAIGN_CONFIGURE, campaign)
    return _campaign_page(campaign, DeadlineForm(formdata=None) if may_configure else None)


@bp.post("/campaign/deadlines")
@login_required
def set_deadline():
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    policy.require(current_user, Action.CAMPAIGN_CONFIGURE, campaign)
    form = DeadlineForm()
    if not form.validate_on_submit():
        return _campaign_page(campaign, form, status=422)
    services.set_deadline(
        current_user, campaign, DeadlineKind(form.kind.data), form.year.data, form.day, form.month
    )
    db.session.commit()
    flash(_("The deadline was saved."), "success")
    return redirect(url_for("campaign.show_campaign", _anchor="deadlines"), code=303)


def _campaign_page(campaign, form: DeadlineForm | None, *, status: int = 200):
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
    year = local_today().year
    page = render_template(
        "campaign/campaign.html",
        campaign=campaign,
        organizations=organizations,
        models_by_org=models_by_org,
        deadlines=sorted(campaign.deadlines, key=lambda d: (d.kind, d.year or 0)),
        # Retired rules and rules still to come are the rules screen's, not the public's.
        requirements=requirements_in(campaign, year),
        year=year,
        form=form,
    )
    return make_response(page, status)
