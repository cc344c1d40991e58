"""A user's notifications: the latest first, each linking to its item."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from webapp import policy
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.services import mark_read
from webapp.policy import Action

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

SHOWN = 100


@bp.get("")
@login_required
def index():
    # Only one's own notifications, and of those only about lists still in reach.
    notifications = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(SHOWN)
    ).all()
    # Someone who lost access to a list no longer sees what it was about.
    readable = [n for n in notifications if policy.can(current_user, *_subject(n))]
    return render_template("notifications/index.html", notifications=readable)


def _subject(notification: Notification) -> tuple[Action, object]:
    """What a notification is about, and the action that reads it."""
    if notification.report_id is not None:
        return Action.REPORT_VIEW, notification.report
    if notification.nomination_id is not None:
        return Action.NOMINATION_VIEW, notification.nomination
    return Action.LIST_VIEW, notification.registration_list


@bp.post("/read")
@login_required
def read_all():
    mark_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), code=303)
