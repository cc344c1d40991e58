"""Home page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user

from webapp import policy
from webapp.auth.models import User
from webapp.campaign.services import current_campaign
from webapp.coverage import chart as coverage_chart
from webapp.db import local_today
from webapp.extensions import db
from webapp.notifications.models import NotificationKind
from webapp.notifications.services import unread_counts
from webapp.pages.queries import latest
from webapp.policy import Action
from webapp.registrations.queries import due_items
from webapp.review.queries import awaiting_count

bp = Blueprint("home", __name__)


def attention_items(user) -> list[dict]:
    """What needs the user's attention, most urgent first. Later capabilities add their items
    here (lists due, entries returned, submissions to review)."""
    items: list[dict] = due_items(user) if policy.can_somewhere(user, Action.LIST_EDIT) else []
    if policy.can_somewhere(user, Action.ENTRY_APPROVE):
        awaiting = awaiting_count(user)
        if awaiting:
            items.append(
                {
                    "text": ngettext(
                        "%(num)d entry awaits your decision",
                        "%(num)d entries await your decision",
                        awaiting,
                    ),
                    "count": awaiting,
                    "url": url_for("review.queue"),
                }
            )
    for kind, count in sorted(unread_counts(user).items()):
        items.append(
            {
                "text": _unread_text(kind, count),
                "count": count,
                "url": url_for("notifications.index"),
            }
        )
    if policy.can_somewhere(user, Action.USER_VIEW):
        without_role = db.session.scalar(
            policy.visible(
                user,
                Action.USER_VIEW,
                sa.select(sa.func.count(User.id)).where(User.is_active, ~User.roles.any()),
            )
        )
        if without_role:
            items.append(
                {
                    "text": ngettext(
                        "%(num)d active user has no role yet",
                        "%(num)d active users have no role yet",
                        without_role,
                    ),
                    "count": without_role,
                    "url": url_for("admin.list_users", without_role=1),
                }
            )
    return items


def _unread_text(kind: NotificationKind, count: int) -> str:
    texts = {
        NotificationKind.SUBMITTED: ngettext(
            "%(num)d new list submitted for your review",
            "%(num)d new lists submitted for your review",
            count,
        ),
        NotificationKind.RETURNED: ngettext(
            "%(num)d entry returned to you", "%(num)d entries returned to you", count
        ),
        NotificationKind.APPROVED: ngettext(
            "%(num)d list approved", "%(num)d lists approved", count
        ),
        NotificationKind.REOPENED: ngettext(
            "%(num)d approved entry reopened", "%(num)d approved entries reopened", count
        ),
        NotificationKind.REPORT_SUBMITTED: ngettext(
            "%(num)d new report sent for your review",
            "%(num)d new reports sent for your review",
            count,
        ),
        NotificationKind.REPORT_ACCEPTED: ngettext(
            "%(num)d report accepted", "%(num)d reports accepted", count
        ),
        NotificationKind.REPORT_RETURNED: ngettext(
            "%(num)d report returned to you", "%(num)d reports returned to you", count
        ),
        NotificationKind.NOMINATION_SUBMITTED: ngettext(
            "%(num)d nomination for commendation awaits your decision",
            "%(num)d nominations for commendation await your decision",
            count,
        ),
        NotificationKind.NOMINATION_APPROVED: ngettext(
            "%(num)d nomination approved", "%(num)d nominations approved", count
        ),
        NotificationKind.NOMINATION_REJECTED: ngettext(
            "%(num)d nomination not approved", "%(num)d nominations not approved", count
        ),
    }
    return texts[kind]


@bp.get("/")
def index():
    policy.require(current_user, Action.CAMPAIGN_VIEW)
    campaign = current_campaign()
    if not current_user.is_authenticated:
        return render_template("home/welcome.html", campaign=campaign, latest=latest())
    return render_template(
        "home/dashboard.html",
        campaign=campaign,
        items=attention_items(current_user),
        latest=latest(),
        chart=coverage_chart.for_dashboard(current_user, campaign, local_today().year),
    )
