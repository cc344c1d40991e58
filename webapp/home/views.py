"""Home page: the welcome for visitors, and for the signed-in the work queue (webapp.home.queue)
with the pages behind its counts that no capability lists."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.campaign.deadlines import current_campaign, registration_due, registration_years
from webapp.coverage import chart as coverage_chart
from webapp.db import local_today
from webapp.extensions import db
from webapp.home.queue import unregistered_communes, work_queue
from webapp.pages.queries import latest
from webapp.paging import page_of
from webapp.policy import Action
from webapp.units.models import Unit

bp = Blueprint("home", __name__)

UNREGISTERED_PER_PAGE = 50


@bp.get("/")
def index():
    policy.require(current_user, Action.CAMPAIGN_VIEW)
    campaign = current_campaign()
    if not current_user.is_authenticated:
        return render_template("home/welcome.html", campaign=campaign, latest=latest())
    return render_template(
        "home/dashboard.html",
        campaign=campaign,
        queue=work_queue(current_user),
        latest=latest(),
        chart=coverage_chart.for_dashboard(current_user, campaign, local_today().year),
    )


@bp.get("/queue/<int:year>/unregistered")
@login_required
def unregistered(year: int):
    """The communes below the user's districts and provinces that sent no list for the year,
    by district, each linking to its registrations."""
    if year not in registration_years():
        abort(404)
    if not policy.can_somewhere(current_user, Action.COVERAGE_VIEW):
        abort(403)
    stmt = unregistered_communes(current_user, year).options(selectinload(Unit.parent))
    parent = sa.orm.aliased(Unit)
    communes = list(
        db.session.scalars(
            stmt.outerjoin(parent, parent.id == Unit.parent_id).order_by(
                parent.name, Unit.name, Unit.id
            )
        )
    )
    return render_template(
        "home/unregistered.html",
        year=year,
        due=registration_due(year),
        paged=page_of(communes, UNREGISTERED_PER_PAGE),
    )
