"""The audit log: administrators browse and filter the journal's events of their scope, newest
first. A screen across capabilities (each says through the audit registry how its events read),
so it sits in admin, above the journal it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement, Select

from webapp import policy
from webapp.admin.forms import AuditFilterForm
from webapp.admin.views.common import bp, unit_choices
from webapp.audit.models import AuditEvent
from webapp.audit.sentences import (
    ACTION_LABELS,
    UNKNOWN,
    Names,
    event_details,
    link,
    notes,
    sentence,
)
from webapp.auth.models import User
from webapp.extensions import db
from webapp.policy import Action
from webapp.units.models import Unit
from webapp.units.queries import subtree_ids
from webapp.urls import form_id

PAGE_SIZE = 50
FILTERS = ("action", "actor", "unit_id", "date_from", "date_to")


@dataclass
class Row:
    """One event as the log shows it: a sentence, a link to the object's page, compact notes."""

    event: AuditEvent
    sentence: str
    link: str | None = None
    unit: str | None = None
    notes: list[str] = field(default_factory=list)
    is_late: bool = False


@bp.get("/audit")
@login_required
def show_audit_log():
    if not policy.can_somewhere(current_user, Action.AUDIT_VIEW):
        abort(403)
    scope = _scope()
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("All actions")), *_action_choices(scope)]
    form.unit_id.choices = [("", _("All units")), *unit_choices(Action.AUDIT_VIEW)]
    if not form.validate():
        return render_template("admin/audit_log.html", form=form, rows=[], invalid=True), 422
    stmt = sa.select(AuditEvent).where(scope, *_conditions(form))
    before, after = form_id(request.args.get("before")), form_id(request.args.get("after"))
    events, newer, older = _page(stmt, before=before, after=after)
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name, "").strip()}
    return render_template(
        "admin/audit_log.html",
        form=form,
        rows=_rows(events),
        newer_url=url_for("admin.show_audit_log", **filters, after=events[0].id) if newer else None,
        older_url=url_for("admin.show_audit_log", **filters, before=events[-1].id)
        if older
        else None,
        invalid=False,
    )


# Scope and filters


def _scope() -> ColumnElement[bool]:
    """The events the viewer may see: those of their subtrees (the policy's rule), and the
    unit-less ones (campaign settings) for administrators of the top of the tree."""
    visible = policy.visible(current_user, Action.AUDIT_VIEW, sa.select(AuditEvent.id))
    if _administers_top():
        return sa.or_(AuditEvent.unit_id.is_(None), visible.whereclause)
    return visible.whereclause


def _administers_top() -> bool:
    roots = policy.scope_roots(current_user, Action.AUDIT_VIEW)
    return bool(roots) and bool(
        db.session.scalar(
            sa.select(sa.exists().where(Unit.id.in_(roots), Unit.parent_id.is_(None)))
        )
    )


def _action_choices(scope: ColumnElement[bool]) -> list[tuple[str, str]]:
    present = db.session.scalars(sa.select(AuditEvent.action).where(scope).distinct())
    choices = [(code, str(ACTION_LABELS.get(code, UNKNOWN))) for code in present]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def _conditions(form: AuditFilterForm) -> list[ColumnElement[bool]]:
    conditions = []
    if form.action.data:
        conditions.append(AuditEvent.action == form.action.data)
    if form.actor.data:
        # Usernames are stored lower-case; a prefix also finds the exact name.
        prefix = form.actor.data.lower()
        conditions.append(
            AuditEvent.actor_id.in_(
                sa.select(User.id).where(User.username.startswith(prefix, autoescape=True))
            )
        )
    if form.unit_id.data:
        # Fetched first: the scope condition already holds a CTE of the same name.
        below = list(db.session.scalars(subtree_ids([form.unit_id.data])))
        conditions.append(AuditEvent.unit_id.in_(below))
    if form.date_from.data and (start := _day_start(form.date_from.data)):
        conditions.append(AuditEvent.occurred_at >= start)
    if form.date_to.data and (end := _day_start(form.date_to.data, days_after=1)):
        conditions.append(AuditEvent.occurred_at < end)
    return conditions


def _day_start(day: date, *, days_after: int = 0) -> datetime | None:
    """When a day (or one after it) begins in Vietnam, in UTC; None past the calendar's ends
    (a year typed as 0001 or 9999), which then sets no bound."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    try:
        return datetime.combine(day + timedelta(days=days_after), time(), zone).astimezone(UTC)
    except OverflowError:
        return None


# Keyset pages: newest first, by time and then id, so new events never shift a page.


def _newer_than(event: AuditEvent) -> ColumnElement[bool]:
    return sa.or_(
        AuditEvent.occurred_at > event.occurred_at,
        sa.and_(AuditEvent.occurred_at == event.occurred_at, AuditEvent.id > event.id),
    )


def _older_than(event: AuditEvent) -> ColumnElement[bool]:
    return sa.or_(
        AuditEvent.occurred_at < event.occurred_at,
        sa.and_(AuditEvent.occurred_at == event.occurred_at, AuditEvent.id < event.id),
    )


def _page(
    stmt: Select, *, before: int | None, after: int | None
) -> tuple[list[AuditEvent], bool, bool]:
    """A page of events and whether there are newer and older ones beyond it."""
    loading = stmt.options(selectinload(AuditEvent.actor))
    anchor = db.session.get(AuditEvent, after or before) if (after or before) else None
    if anchor is not None and after:
        oldest_first = (AuditEvent.occurred_at, AuditEvent.id)
        page = loading.where(_newer_than(anchor)).order_by(*oldest_first).limit(PAGE_SIZE)
        events = list(db.session.scalars(page))[::-1]
    else:
        if anchor is not None:
            loading = loading.where(_older_than(anchor))
        newest_first = (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        events = list(db.session.scalars(loading.order_by(*newest_first).limit(PAGE_SIZE)))
    if not events:
        return events, False, False
    newer = db.session.scalar(sa.select(stmt.where(_newer_than(events[0])).exists()))
    older = db.session.scalar(sa.select(stmt.where(_older_than(events[-1])).exists()))
    return events, bool(newer), bool(older)


# Rows


def _rows(events: list[AuditEvent]) -> list[Row]:
    """Rows with links only to pages the viewer may open (each capability checks them as its
    pages do)."""
    names = Names.load(events)
    rows = []
    for event in events:
        unit = names.get("units", event.unit_id)
        rows.append(
            Row(
                event=event,
                sentence=sentence(event, names),
                link=link(event, names),
                unit=unit.name if unit else None,
                notes=notes(event, names),
                is_late=event_details(event).get("late") is True,
            )
        )
    return rows
