"""Coverage pages: a unit's communes against the 5 contents and against the organization
rules, a commune's own card, the entries behind a cell, and the gap list (page and XLSX).

All plain GET pages: they work without JavaScript and print from the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.campaign.models import Content, Requirement
from webapp.campaign.services import current_campaign
from webapp.coverage import services
from webapp.coverage.queries import (
    Coverage,
    cell_entry_ids,
    communes_in_year,
    counted_states,
    evaluate,
)
from webapp.db import local_today
from webapp.downloads import content_disposition
from webapp.exports.documents import XLSX_MIMETYPE
from webapp.extensions import db
from webapp.policy import Action
from webapp.registrations.models import Entry, RegistrationList
from webapp.registrations.queries import registration_years
from webapp.units.models import Level, Unit

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

# A cell of a commune holds a few dozen entries; a whole district's cell is cut here.
ENTRIES_SHOWN = 200

# The gap list names communes that fall short: keep it out of shared caches.
NO_STORE = "private, no-store"


@dataclass
class View:
    unit: Unit
    year: int
    include_submitted: bool
    coverage: Coverage | None  # None on the overlap pages, which count nothing


def _load(year: int, unit_id: int) -> View:
    """Parse, load and authorize: the unit's coverage for the year, over the communes the user
    may see (404 for an unknown unit, year or a residential area; 403 outside the scope)."""
    unit = db.get_or_404(Unit, unit_id)
    if year not in registration_years() or unit.level == Level.AREA:
        abort(404)
    policy.require(current_user, Action.COVERAGE_VIEW, unit)
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    include_submitted = request.args.get("submitted") == "1"
    communes = policy.visible(current_user, Action.COVERAGE_VIEW, communes_in_year(unit.id, year))
    coverage = evaluate(
        campaign, unit, year, include_submitted=include_submitted, communes=communes
    )
    return View(unit, year, include_submitted, coverage)


def _page(template: str, view: View, **context) -> str:
    return render_template(
        template,
        view=view,
        unit=view.unit,
        year=view.year,
        coverage=view.coverage,
        years=registration_years(),
        rule_label=services.rule_label,
        gap_text=services.gap_text,
        flag=_flag(view),
        here=_here,
        **context,
    )


@bp.get("")
@login_required
def index():
    """The coverage of the user's own unit for this year."""
    roots = policy.scope_roots(current_user, Action.COVERAGE_VIEW)
    if not roots:
        abort(403)
    return redirect(url_for("coverage.show_contents", year=local_today().year, unit_id=roots[0]))


@bp.get("/<int:year>/<id:unit_id>")
@login_required
def show_contents(year: int, unit_id: int):
    """Communes × the 5 contents; for a commune, its own card."""
    view = _load(year, unit_id)
    if view.unit.level == Level.COMMUNE:
        return _page(
            "coverage/commune.html", view, commune=next(iter(view.coverage.communes), None)
        )
    return _page("coverage/contents.html", view)


@bp.get("/<int:year>/<id:unit_id>/organizations")
@login_required
def show_organizations(year: int, unit_id: int):
    """Communes × the organization rules: met or missing."""
    view = _load(year, unit_id)
    if view.unit.level == Level.COMMUNE:
        return redirect(
            url_for("coverage.show_contents", year=year, unit_id=unit_id, **_flag(view))
        )
    return _page("coverage/organizations.html", view)


@bp.get("/<int:year>/<id:unit_id>/gaps")
@login_required
def show_gaps(year: int, unit_id: int):
    """What is missing where, per commune and per organization: for meetings and printing."""
    view = _load(year, unit_id)
    response = Response(
        _page(
            "coverage/gaps.html", view, by_organization=services.gaps_by_organization(view.coverage)
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/<int:year>/<id:unit_id>/gaps.xlsx")
@login_required
def export_gaps(year: int, unit_id: int):
    view = _load(year, unit_id)
    title = _gaps_title(view)
    response = Response(services.gaps_xlsx(view.coverage, title), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{title}.xlsx")
    response.headers["Cache-Control"] = NO_STORE
    return response


def _gaps_title(view: View) -> str:
    return _("Gaps %(year)d - %(unit)s", year=view.year, unit=view.unit.name)


@bp.get("/<int:year>/<id:unit_id>/entries")
@login_required
def list_entries(year: int, unit_id: int):
    """The entries behind a cell: located in the unit's communes, of one content or counted by
    one rule, among the lists the user may open."""
    view = _load(year, unit_id)
    content = _optional(Content, "content")
    requirement = _optional(Requirement, "requirement")
    ids = cell_entry_ids(
        communes_in_year(view.unit.id, year),
        year,
        counted_states(view.include_submitted),
        content_id=content.id if content else None,
        requirement_id=requirement.id if requirement else None,
    )
    stmt = policy.visible(
        current_user,
        Action.LIST_VIEW,
        sa.select(Entry).join(RegistrationList).where(Entry.id.in_(ids)),
    )
    entries = list(
        db.session.scalars(
            stmt.options(
                selectinload(Entry.location),
                selectinload(Entry.lead_organization),
                selectinload(Entry.content),
                selectinload(Entry.model_type),
            )
            .order_by(Entry.location_id, Entry.content_id, Entry.id)
            .limit(ENTRIES_SHOWN + 1)
        )
    )
    more = len(entries) > ENTRIES_SHOWN
    entries = entries[:ENTRIES_SHOWN]
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))
    return _page(
        "coverage/entries.html",
        view,
        content=content,
        requirement=requirement,
        entries=entries,
        more=more,
        hidden=0 if more else counted - len(entries),
        counted=counted,
    )


def _optional(model, name: str):
    value = request.args.get(name, type=int)
    return db.get_or_404(model, value) if value is not None else None


def _here(**changes) -> str:
    """This page's address with some arguments changed (None drops one)."""
    args = {**request.view_args, **request.args.to_dict(), **changes}
    return url_for(request.endpoint, **{k: v for k, v in args.items() if v is not None})


def _flag(view: View) -> dict:
    return {"submitted": "1"} if view.include_submitted else {}


# The likely-duplicate pages are routes of this blueprint too.
from webapp.coverage import overlap_views  # noqa: E402, F401
