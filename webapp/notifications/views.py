"""A user's notifications: the latest first, each leading to its item. Reading is a POST (the
list is only read by GET): an unread one opens through a small form that marks it read first."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

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
        .options(*_with_subjects())
    ).all()
    # Someone who lost access to a list no longer sees what it was about.
    readable = [n for n in notifications if policy.can(current_user, *_subject(n))]
    return render_template(
        "notifications/index.html", notifications=readable, subject_url=subject_url
    )


def _with_subjects() -> list:
    """Each notification's subject and what its line names (unit, organization, entry, who),
    loaded for all of them at once: a fixed number of queries for up to SHOWN lines. The
    subjects' classes are reached through the relationships (their packages sit above)."""
    options = [selectinload(Notification.entry), selectinload(Notification.actor)]
    for relation in (Notification.registration_list, Notification.report):
        subject = relation.property.mapper.class_
        unit = subject.unit.property.mapper.class_
        # The policy walks each unit's successors and parents to ask whether it is in reach.
        in_reach = selectinload(subject.unit).options(
            selectinload(unit.successors),
            selectinload(unit.parent).selectinload(unit.successors),
        )
        options.append(selectinload(relation).options(in_reach, selectinload(subject.organization)))
    nomination = Notification.nomination.property.mapper.class_
    options.append(selectinload(Notification.nomination).selectinload(nomination.proposing_unit))
    return options


def _subject(notification: Notification) -> tuple[Action, object]:
    """What a notification is about, and the action that reads it."""
    if notification.report_id is not None:
        return Action.REPORT_VIEW, notification.report
    if notification.nomination_id is not None:
        return Action.NOMINATION_VIEW, notification.nomination
    return Action.LIST_VIEW, notification.registration_list


def subject_url(notification: Notification) -> str:
    """Where a notification leads: its report, its nomination, or its list (at the entry)."""
    if notification.report_id is not None:
        return url_for("reports.show_report", report_id=notification.report_id)
    if notification.nomination_id is not None:
        return url_for("commendations.show_nomination", nomination_id=notification.nomination_id)
    anchor = f"entry-{notification.entry_id}" if notification.entry_id else None
    return url_for("registrations.show_list", list_id=notification.list_id, _anchor=anchor)


@bp.post("/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int):
    """Open a notification: it and the others about the same item become read."""
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)
    policy.require(current_user, *_subject(notification))
    mark_read(current_user, about=notification)
    db.session.commit()
    return redirect(subject_url(notification), code=303)


@bp.post("/read")
@login_required
def read_all():
    mark_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), code=303)
