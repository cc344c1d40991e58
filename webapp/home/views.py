"""Home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from webapp import policy
from webapp.campaign.services import current_campaign
from webapp.policy import Action

bp = Blueprint("home", __name__)


def attention_items(user) -> list[dict]:
    """What needs the user's attention, most urgent first. Later capabilities add their items
    here (lists due, entries returned, submissions to review)."""
    items: list[dict] = []
    return items


@bp.get("/")
def index():
    policy.require(current_user, Action.CAMPAIGN_VIEW)
    campaign = current_campaign()
    if not current_user.is_authenticated:
        return render_template("home/welcome.html", campaign=campaign)
    return render_template(
        "home/dashboard.html", campaign=campaign, items=attention_items(current_user)
    )
