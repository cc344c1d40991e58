"""Coverage pages: a unit's communes against the campaign's contents and against the organization
rules, a commune's own card, the entries behind a cell, and the gap list (page and XLSX).

All plain GET pages: they work without JavaScript and print from the browser.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.campaign.deadlines import current_campaign, registration_years
from webapp.campaign.display import rule_label
from webapp.campaign.models import Content, MemberOrganization, Requirement
from webapp.coverage import chart as coverage_chart
from webapp.coverage import services, summary, workbooks
from webapp.coverage.queries import (
    by_province,
    cell_entry_ids,
    communes_in_year,
    evaluate,
)
from webapp.coverage.views.common import NO_STORE, View, bp, here
from webapp.db import local_today
from webapp.downloads import XLSX_MIMETYPE, content_disposition
from webapp.extensions import db
from webapp.jobs import services as jobs
from webapp.policy import Action
from webapp.registrations.models import Entry, RegistrationList
from webapp.units.models import Level, Unit
from webapp.urls import form_id

# A cell of a commune holds a few dozen entries; a whole district's cell is cut here.
ENTRIES_SHOWN = 200

# The print view of a province's aggregated list stops here; the spreadsheet has every entry.
PRINT_ENTRIES = 1000


def _load(year: int, unit_id: int, *, evaluated: bool = True) -> View:
    """Parse, load and authorize: the unit's coverage for the year, over the communes the user
    may see (404 for an unknown unit, year or a residential area; 403 outside the scope)."""
    unit = db.get_or_404(Unit, unit_id)
    if year not in registration_years() or unit.level == Level.AREA:
        abort(404)
    policy.require(current_user, Action.COVERAGE_VIEW, unit)
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    communes = policy.visible(current_user, Action.COVERAGE_VIEW, communes_in_year(unit.id, year))
    view = View(unit, year, request.args.get("submitted") == "1", campaign, communes)
    if evaluated:
        view.coverage = evaluate(
            campaign, unit, year, include_submitted=view.include_submitted, communes=communes
        )
    return view


def _page(template: str, view: View, **context) -> str:
    return render_template(
        template,
        view=view,
        unit=view.unit,
        year=view.year,
        coverage=view.coverage,
        years=registration_years(),
        rule_label=rule_label,
        gap_text=services.gap_text,
        flag=_flag(view),
        here=here,
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
    """Communes × the contents; for a commune, its own card; at the national root, one row per
    province (its communes counted together) — 3,321 commune rows made a 1.3 MB page."""
    view = _load(year, unit_id)
    if view.unit.level == Level.COMMUNE:
        return _page(
            "coverage/commune.html", view, commune=next(iter(view.coverage.communes), None)
        )
    chart = None
    if view.unit.level == Level.PROVINCE and len(view.coverage.groups) > 1:
        chart = coverage_chart.build(view.coverage, view.unit)
    provinces = by_province(view.coverage) if view.unit.level == Level.COUNTRY else None
    return _page("coverage/contents.html", view, chart=chart, provinces=provinces)


@bp.get("/<int:year>/<id:unit_id>/organizations")
@login_required
def show_organizations(year: int, unit_id: int):
    """Communes × the organization rules: met or missing; at the national root, one row per
    province (how many of its communes meet each rule)."""
    view = _load(year, unit_id)
    if view.unit.level == Level.COMMUNE:
        return redirect(
            url_for("coverage.show_contents", year=year, unit_id=unit_id, **_flag(view))
        )
    provinces = by_province(view.coverage) if view.unit.level == Level.COUNTRY else None
    return _page("coverage/organizations.html", view, provinces=provinces)


@bp.get("/<int:year>/<id:unit_id>/gaps")
@login_required
def show_gaps(year: int, unit_id: int):
    """What is missing where, per commune and per organization: for meetings and printing. At
    the national root, per province (how many of its communes miss something) and per rule (how
    many communes miss it): 3,321 communes' gaps made a 2 MB page; the spreadsheet has them."""
    view = _load(year, unit_id)
    provinces = by_province(view.coverage) if view.unit.level == Level.COUNTRY else None
    response = Response(
        _page(
            "coverage/gaps.html",
            view,
            by_organization=services.gaps_by_organization(view.coverage),
            provinces=provinces,
            in_background=len(view.coverage.communes) >= workbooks.job_threshold(),
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/<int:year>/<id:unit_id>/gaps.xlsx")
@login_required
def export_gaps(year: int, unit_id: int):
    """The gap list as a spreadsheet: at once, or as a background job for a large scope."""
    view = _load(year, unit_id, evaluated=False)
    scope = _scope(view)
    title = workbooks.gaps_title(scope)
    if scope.is_large():
        return _as_job(workbooks.GAPS, scope, title)
    return _xlsx(workbooks.gaps_workbook(scope), title)


def _scope(view: View, organization=None, content=None) -> workbooks.Scope:
    return workbooks.Scope(
        current_user,
        view.unit,
        view.year,
        view.include_submitted,
        view.campaign,
        organization,
        content,
    )


def _as_job(kind: str, scope: workbooks.Scope, title: str):
    """Hand a large export to a worker; its page follows it (done already without Redis)."""
    job = jobs.start(
        current_user,
        kind,
        scope.parameters(),
        title=title,
        file_name=f"{title}.xlsx",
        source=request.full_path.rstrip("?"),
    )
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


def _xlsx(body: bytes, title: str) -> Response:
    response = Response(body, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{title}.xlsx")
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/<int:year>/<id:unit_id>/entries")
@login_required
def list_entries(year: int, unit_id: int):
    """The entries behind a cell: located in the unit's communes, of one content or counted by
    one rule, among the lists the user may open."""
    view = _load(year, unit_id)
    content = _optional(Content, "content")
    requirement = _optional(Requirement, "requirement")
    organization = _optional(MemberOrganization, "organization")
    ids = cell_entry_ids(
        communes_in_year(view.unit.id, year),
        year,
        view.states,
        content_id=content.id if content else None,
        requirement_id=requirement.id if requirement else None,
    )
    if organization is not None:  # a line of the aggregated list
        ids = (
            sa.select(Entry.id)
            .join(RegistrationList)
            .where(Entry.id.in_(ids), RegistrationList.organization_id == organization.id)
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
        organization=organization,
        entries=entries,
        more=more,
        hidden=0 if more else counted - len(entries),
        counted=counted,
    )


@bp.get("/<int:year>/<id:unit_id>/summary")
@login_required
def show_summary(year: int, unit_id: int):
    """The aggregated list ("bảng tổng hợp"): entries per organization and content, with
    their estimated budget by source. `?print=1` adds the entries themselves, for printing."""
    view = _load(year, unit_id, evaluated=False)
    organization, content, entries = _summary_entries(view)
    printing = request.args.get("print") == "1"
    lines, listed = [], 0
    if printing:
        lines = summary.entry_lines(view.campaign, entries, limit=PRINT_ENTRIES + 1)
        listed = summary.count_entries(entries) if len(lines) > PRINT_ENTRIES else len(lines)
        lines = lines[:PRINT_ENTRIES]
    response = Response(
        _page(
            "coverage/summary.html",
            view,
            summary=summary.summarize(view.campaign, entries),
            organization=organization,
            content=content,
            chosen=workbooks.chosen(organization, content),
            organizations=_catalog(MemberOrganization, MemberOrganization.sort_order),
            contents=view.campaign.contents,
            printing=printing,
            lines=lines,
            listed=listed,
            content_label=services.content_label,
            in_background=_scope(view).is_large(),
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/<int:year>/<id:unit_id>/summary.xlsx")
@login_required
def export_summary(year: int, unit_id: int):
    """The aggregated list as a spreadsheet: at once, or as a background job for a large
    scope (a national one took 17 s and 298 MiB in the request)."""
    view = _load(year, unit_id, evaluated=False)
    scope = _scope(view, *_summary_filters(view))
    title = workbooks.summary_title(scope)
    if scope.is_large():
        return _as_job(workbooks.SUMMARY, scope, title)
    return _xlsx(workbooks.summary_workbook(scope), title)


def _summary_filters(view: View) -> tuple[MemberOrganization | None, Content | None]:
    """The organization and content the summary is narrowed to (404 for an unknown one)."""
    organization = _optional(MemberOrganization, "organization")
    content = _optional(Content, "content")
    if content is not None and content.campaign_id != view.campaign.id:
        abort(404)
    return organization, content


def _summary_entries(view: View):
    """The entries the summary counts, among the lists the user may open, and the
    organization and content it is narrowed to."""
    organization, content = _summary_filters(view)
    entries = workbooks.summary_entries(_scope(view, organization, content))
    return organization, content, entries


def _catalog(model, order):
    return list(db.session.scalars(sa.select(model).order_by(order, model.id)))


def _optional(model, name: str):
    """The row a filter names; None without the filter; 404 when it names no row, a malformed
    or out-of-range id included (PostgreSQL would refuse to compare a huge one)."""
    value = request.args.get(name)
    return db.get_or_404(model, form_id(value) or 0) if value else None


def _flag(view: View) -> dict:
    return {"submitted": "1"} if view.include_submitted else {}
