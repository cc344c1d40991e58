"""The commendations blueprint and what its screens share: the year asked for, and the way to
the user's own unit for this year."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    redirect,
    url_for,
)
from flask_login import current_user

from webapp import policy
from webapp.campaign.deadlines import registration_years
from webapp.db import local_today
from webapp.policy import Action

bp = Blueprint("commendations", __name__, url_prefix="/commendations")


def checked_year(year: int) -> int:
    if year not in registration_years():
        abort(404)
    return year


def this_year_at_home(action: Action, endpoint: str):
    """To the page of this year for the first unit of the user's scope."""
    pairs = policy.scope(current_user, action)
    if not pairs:
        abort(403)
    return redirect(url_for(endpoint, year=local_today().year, unit_id=pairs[0][0]))


# Evaluations
