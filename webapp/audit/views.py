"""The audit log: administrators browse and filter the events of their scope, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement, Select

from webapp import policy
from webapp.audit.forms import AuditFilterForm
from webapp.audit.models import AuditEvent
from webapp.audit.sentences import UNKNOWN, Names, as_int, event_details, sentence, text_detail
from webapp.auth.models import Role, User
from webapp.campaign.models import DeadlineKind
from webapp.extensions import db
from webapp.i18n.languages import all_languages
from webapp.policy import Action
from webapp.registrations.models import Entry, RegistrationList
from webapp.units.models import Level, Unit
from webapp.units.queries import subtree_ids, tree_order, units_in_scope
from webapp.urls import form_id

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50
FILTER_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
FILTERS = ("action", "actor", "unit_id", "date_from", "date_to")
ROLES = {role.value for role in Role}

# The action filter's choices: what the services record (webapp/*/services.py); the log itself
# tells each event as a sentence (webapp/audit/sentences.py).
ACTION_LABELS = {
    "user.created": _l("Account created"),
    "user.activated": _l("Account reactivated"),
    "user.deactivated": _l("Account deactivated"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by an administrator"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role revoked"),
    "deadline.set": _l("Deadline changed"),
    "unit.area_added": _l("Residential area added"),
    "unit.new_rural_set": _l("New-rural recognition changed"),
    "list.created": _l("List started"),
    "list.updated": _l("List header changed"),
    "list.submitted": _l("List submitted"),
    "list.approved": _l("List approved"),
    "list.returned": _l("List returned to the editor"),
    "entry.created": _l("Entry added"),
    "overlap.decided": _l("Likely duplicate decided on"),
    "overlap.reopened": _l("Likely duplicate opened again"),
    "entry.updated": _l("Entry edited"),
    "entry.duplicated": _l("Entry copied"),
    "entry.deleted": _l("Entry deleted"),
    "entry.approved": _l("Entry approved"),
    "entry.returned": _l("Entry returned"),
    "entry.reopened": _l("Entry reopened"),
    "page.created": _l("Page created"),
    "page.saved": _l("Page saved"),
    "page.restored": _l("Page revision restored"),
    "page.published": _l("Page published"),
    "page.draft": _l("Page back to draft"),
    "page.archived": _l("Page archived"),
    "attachment.added": _l("File attached"),
    "attachment.deleted": _l("File deleted"),
    "translation.saved": _l("Translation saved"),
    "translation.published": _l("Translation published"),
    "translation.draft": _l("Translation back to draft"),
    "interface.saved": _l("Interface translation saved"),
    "interface.removed": _l("Interface translation removed"),
    "requirement.created": _l("Rule added"),
    "requirement.changed": _l("Rule changed"),
    "requirement.retired": _l("Rule retired"),
    "requirement.deleted": _l("Rule deleted"),
    "report_figure.created": _l("Report figure added"),
    "report_figure.changed": _l("Report figure changed"),
    "report_figure.retired": _l("Report figure retired"),
    "report_figure.restored": _l("Report figure asked for again"),
    "report_figure.deleted": _l("Report figure deleted"),
    "evaluation.recorded": _l("Evaluation recorded"),
    "nomination.created": _l("Nomination for commendation proposed"),
    "nomination.updated": _l("Nomination for commendation edited"),
    "nomination.submitted": _l("Nomination sent for approval"),
    "nomination.approved": _l("Commendation approved"),
    "nomination.rejected": _l("Nomination not approved"),
    "nomination.deleted": _l("Nomination withdrawn"),
    "role.moved": _l("Role moved to a new unit"),
    "unit.reorganized": _l("Units reorganised"),
    "report.created": _l("Progress report started"),
    "report.lines_added": _l("Entries added to a progress report"),
    "report.line_updated": _l("Progress of an entry updated"),
    "report.figures_updated": _l("Overall report figures updated"),
    "report.submitted": _l("Progress report submitted"),
    "report.accepted": _l("Progress report accepted"),
    "report.returned": _l("Progress report returned"),
}


@dataclass
class Row:
    """One event as the log shows it: a sentence, a link to the object's page, compact notes."""

    event: AuditEvent
    sentence: str
    link: str | None = None
    unit: str | None = None
    notes: list[str] = field(default_factory=list)
    is_late: bool = False


@bp.get("")
@login_required
def show_log():
    if not policy.can_somewhere(current_user, Action.AUDIT_VIEW):
        abort(403)
    scope = _scope()
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("All actions")), *_action_choices(scope)]
    form.unit_id.choices = [("", _("All units")), *_unit_choices()]
    if not form.validate():
        return render_template("audit/log.html", form=form, rows=[], invalid=True), 422
    stmt = sa.select(AuditEvent).where(scope, *_conditions(form))
    before, after = form_id(request.args.get("before")), form_id(request.args.get("after"))
    events, newer, older = _page(stmt, before=before, after=after)
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name, "").strip()}
    return render_template(
        "audit/log.html",
        form=form,
        rows=_rows(events),
        newer_url=url_for("audit.show_log", **filters, after=events[0].id) if newer else None,
        older_url=url_for("audit.show_log", **filters, before=events[-1].id) if older else None,
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


def _unit_choices() -> list[tuple[int, str]]:
    roots = policy.scope_roots(current_user, Action.AUDIT_VIEW)
    units = db.session.scalars(units_in_scope(roots, levels=FILTER_LEVELS))
    return [(unit.id, "\u2003" * depth + unit.name) for unit, depth in tree_order(units)]


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
    """Rows with links only to pages the viewer may open (checked as the pages check them)."""
    names = Names.load(events)

    def list_link(list_id: int | None, anchor: str | None = None) -> str | None:
        registration_list = names.lists.get(list_id)
        if registration_list is None:
            return None
        if not policy.can(current_user, Action.LIST_VIEW, registration_list):
            return None
        return url_for("registrations.show_list", list_id=list_id, _anchor=anchor)

    rows = []
    for event in events:
        details = event_details(event)
        unit = names.units.get(event.unit_id)
        row = Row(
            event=event,
            sentence=sentence(event, names),
            unit=unit.name if unit else None,
            notes=_notes(event, details, names),
            is_late=details.get("late") is True,
        )
        if event.object_type == User.__tablename__ and (user := names.users.get(event.object_id)):
            if policy.can(current_user, Action.USER_VIEW, user):
                row.link = url_for("admin.show_user", user_id=user.id)
        elif event.object_type == Unit.__tablename__ and (
            target := names.units.get(event.object_id)
        ):
            if policy.can(current_user, Action.UNIT_VIEW, target):
                row.link = url_for("units.show_unit", unit_id=target.id)
        elif event.object_type == RegistrationList.__tablename__:
            row.link = list_link(event.object_id)
        elif event.object_type == Entry.__tablename__:
            entry = names.entries.get(event.object_id)
            if entry is not None:
                row.link = list_link(entry.list_id, f"entry-{entry.id}")
            else:  # deleted: the event kept its list, which is still there
                row.link = list_link(as_int(details.get("list_id")))
        rows.append(row)
    return rows


def _notes(event: AuditEvent, details: dict, names: Names) -> list[str]:
    """The few details worth a glance; the rest (snapshots of values) stay in the database."""
    action = event.action
    notes = []
    code = text_detail(details, "organization")
    known = names.organization_codes.get(code) if code else None
    organization = known.tr("name") if known else None
    if reason := text_detail(details, "reason"):
        notes.append(_("Reason: %(reason)s", reason=reason))
    if changed := names.changed_fields(event):
        notes.append(_("Changed: %(fields)s", fields=", ".join(changed)))
    if action in ("role.granted", "role.revoked") and text_detail(details, "role") in ROLES:
        role = Role(details["role"]).label
        language = all_languages().get(text_detail(details, "language") or "")
        narrowed = [name for name in (organization, language and language.name) if name]
        notes.append(f"{role} ({', '.join(narrowed)})" if narrowed else role)
    if action == "deadline.set":
        kind = text_detail(details, "kind") or ""
        label = DeadlineKind(kind).label if kind in set(DeadlineKind) else kind
        if year := as_int(details.get("year")):
            label = f"{label} {year}"
        before, after = text_detail(details, "before") or "—", text_detail(details, "after") or "—"
        notes.append(f"{label}: {before} → {after}")
    if action == "unit.new_rural_set" and (year := as_int(details.get("year"))):
        recognised = details.get("after") is True
        notes.append(
            _("new-rural in %(year)d", year=year)
            if recognised
            else _("not new-rural in %(year)d", year=year)
        )
    if action == "list.submitted" and isinstance(details.get("entries"), list):
        count = len(details["entries"])
        notes.append(ngettext("%(num)d entry", "%(num)d entries", count))
    return [note for note in notes if note]
