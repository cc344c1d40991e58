"""Likely duplicates: a unit's pairs (open, or looked at), one pair, the decisions on a pair
as plain forms (htmx swaps the row in place), and what the registration pages show of them:
"joint work with …" on an entry, and an advisory notice on a sent list.

Routes of the coverage blueprint: the pages sit with the coverage matrices, under their tabs.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.campaign.deadlines import current_campaign, registration_years
from webapp.concurrency import hidden_id, keep_typed, saving
from webapp.coverage import overlaps
from webapp.coverage.forms import OverlapDecisionForm, OverlapReopenForm
from webapp.coverage.models import OverlapKind
from webapp.coverage.overlaps import Pair
from webapp.coverage.permissions import may_lead_joint_work
from webapp.coverage.queries import communes_in_year
from webapp.coverage.views.common import NO_STORE, View, bp, here
from webapp.extensions import db
from webapp.htmx import after_change, is_partial, render_fragment_or_page
from webapp.paging import page_of
from webapp.policy import Action
from webapp.registrations.models import Entry, ListState, RegistrationList
from webapp.review.chain import prime_reviewing_units
from webapp.units.models import Level, Unit
from webapp.units.queries import active_on, year_day
from webapp.urls import form_id, safe_next

OVERLAPS_PER_PAGE = 25


@dataclass
class PairRow:
    """One likely duplicate as shown: both entries, their commune, and the decision form."""

    pair: Pair
    first: Entry
    second: Entry
    commune: Unit
    may_decide: bool
    form: OverlapDecisionForm | None = None
    notice: str | None = None

    @property
    def anchor(self) -> str:
        return f"overlap-{self.pair.first_id}-{self.pair.second_id}"


def _pair_rows(pairs: list[Pair], back: str) -> list[PairRow]:
    """Rows for a page of pairs: a fixed number of queries however many communes they span."""
    ids = {i for p in pairs for i in p.key}
    entries = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Entry)
            .where(Entry.id.in_(ids))
            .options(
                selectinload(Entry.registration_list),
                selectinload(Entry.lead_organization),
                selectinload(Entry.partners),
                selectinload(Entry.model_type),
                selectinload(Entry.location),
            )
        )
    }
    communes = {
        u.id: u
        for u in db.session.scalars(
            sa.select(Unit)
            .where(Unit.id.in_({p.commune_id for p in pairs}))
            .options(
                # The units whose roles reach a commune, for the policy: above it up to a
                # province, and those that took over from any of them.
                selectinload(Unit.successors),
                selectinload(Unit.parent).selectinload(Unit.successors),
                selectinload(Unit.parent).selectinload(Unit.parent).selectinload(Unit.successors),
            )
        )
    }
    may_decide = policy.can_somewhere(current_user, Action.OVERLAP_DECIDE)
    if may_decide:
        prime_reviewing_units(
            list(communes.values()), {e.registration_list for e in entries.values()}
        )
    rows = []
    for pair in pairs:
        commune = communes[pair.commune_id]
        row = PairRow(
            pair,
            entries[pair.first_id],
            entries[pair.second_id],
            commune,
            may_decide and policy.can(current_user, Action.OVERLAP_DECIDE, commune),
        )
        if row.may_decide:
            row.form = _decision_form(row, back)
        rows.append(row)
    return rows


def _leads(first: Entry, second: Entry) -> list[Entry]:
    """The entries the user may have lead a joint work (it adds a partner to the lead)."""
    return [e for e in (first, second) if may_lead_joint_work(current_user, e)]


def _decision_form(row: PairRow, back: str, formdata=None) -> OverlapDecisionForm:
    decision = row.pair.decision
    form = OverlapDecisionForm(
        formdata=formdata,
        version=str(decision.version) if decision else "0",
        back=back,
        kind=decision.kind.value if decision else None,
        lead=str(decision.lead_entry_id) if decision and decision.lead_entry_id else None,
        note=decision.note if decision else None,
    )
    return form.for_pair(row.first, row.second, _leads(row.first, row.second))


@bp.get("/<int:year>/<id:unit_id>/overlaps")
@login_required
def show_overlaps(year: int, unit_id: int):
    """Likely duplicates among the entries of the unit's communes: open ones, or (reviewed=1)
    those decided on; optionally only those involving one list's entries."""
    unit = db.get_or_404(Unit, unit_id)
    if year not in registration_years() or unit.level == Level.AREA:
        abort(404)
    policy.require(current_user, Action.OVERLAP_VIEW, unit)
    if unit.level == Level.COUNTRY:
        return _choose_province(unit, year)
    communes = policy.visible(current_user, Action.OVERLAP_VIEW, communes_in_year(unit.id, year))
    reviewed = request.args.get("reviewed") == "1"
    only_list = db.session.get(RegistrationList, form_id(request.args.get("list")) or 0)
    if only_list is not None and not policy.can(current_user, Action.LIST_VIEW, only_list):
        only_list = None  # its heading would name a list the user may not open
    pairs = [
        p
        for p in overlaps.detect(communes, year, _open_lists(year))
        if (p.decision is not None) == reviewed
        and (only_list is None or p.involves_list(only_list.id))
    ]
    paged = page_of(pairs, OVERLAPS_PER_PAGE)
    return _overlaps_page(
        View(unit, year, False, current_campaign(), communes),
        reviewed=reviewed,
        only_list=only_list,
        paged=paged,
        rows=_pair_rows(paged.items, request.full_path),
    )


def _overlaps_page(view: View, **context) -> Response:
    response = Response(
        render_template(
            "coverage/overlaps.html",
            view=view,
            unit=view.unit,
            year=view.year,
            years=registration_years(),
            flag={},
            here=here,
            **context,
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


def _choose_province(root: Unit, year: int) -> Response:
    """The national root's page: its provinces, each a link to its own pairs. Pairs are looked
    at in the commune and the province; finding them across the country took 8.5 s and 254 MiB
    for 25 rows of a 3,321-commune list nobody works through. Whoever may look at the root's
    pairs may look at its provinces' (a scope covers the subtree of its unit)."""
    provinces = db.session.scalars(
        sa.select(Unit)
        .where(Unit.parent_id == root.id, Unit.level == Level.PROVINCE, active_on(year_day(year)))
        .order_by(Unit.code, Unit.name)
    ).all()
    return _overlaps_page(View(root, year, False, current_campaign(), None), provinces=provinces)


def _open_lists(year: int) -> sa.Select:
    """The year's lists the user may open: pairs show only their entries."""
    return policy.visible(
        current_user,
        Action.LIST_VIEW,
        sa.select(RegistrationList.id).where(RegistrationList.year == year),
        cte_name="open_lists",
    )


def _load_pair(first_id: int, second_id: int) -> tuple[Entry, Entry, Unit]:
    """Both entries and their commune (403 unless the user may open both entries' lists and
    read the commune's likely duplicates; 404 unless detection could pair them)."""
    first, second = (db.get_or_404(Entry, i) for i in overlaps.ordered(first_id, second_id))
    for entry in (first, second):
        policy.require(current_user, Action.LIST_VIEW, entry.registration_list)
    try:
        commune = overlaps.pair_commune(first, second)
    except overlaps.OverlapError:
        abort(404)
    policy.require(current_user, Action.OVERLAP_VIEW, commune)
    return first, second, commune


def _pair_row(first: Entry, second: Entry, commune: Unit) -> PairRow:
    pair = Pair(commune.id, first.id, second.id, first.list_id, second.list_id)
    pair.decision = overlaps.decision_of(first.id, second.id)
    pair.reasons = overlaps.reasons(first, second)
    return PairRow(
        pair, first, second, commune, policy.can(current_user, Action.OVERLAP_DECIDE, commune)
    )


def _pair_page(row: PairRow, status: int = 200):
    """One pair as a page (for links, and for a decision that did not happen without JS),
    or as the row for htmx."""
    return render_fragment_or_page(
        "coverage/_overlap.html",
        "coverage/overlap.html",
        status=status if not is_partial() else 200,
        row=row,
        year=row.first.registration_list.year,
    )


@bp.get("/overlaps/<id:first_id>/<id:second_id>")
@login_required
def show_overlap(first_id: int, second_id: int):
    row = _pair_row(*_load_pair(first_id, second_id))
    if row.may_decide:
        row.form = _decision_form(row, request.full_path)
    return _pair_page(row)


def _refused(row: PairRow, form, message: str | None, status: int):
    row.form, row.notice = form, message
    return _pair_page(row, status)


def _stale(first: Entry, second: Entry, commune: Unit, back: str | None):
    """Decided by someone else meanwhile: their decision as it stands, the user's typing kept."""
    db.session.rollback()
    row = _pair_row(first, second, commune)
    form = _decision_form(row, back or "", formdata=request.form)
    message = _(
        "Someone else decided on this pair after you opened it. "
        "Here is how it stands now; what you chose is kept below."
    )
    keep_typed(form, row.pair.decision, missing="0")
    return _refused(row, form, message, 409)


def _after_decision(row: PairRow, back: str | None):
    return after_change(
        "coverage/_overlap.html",
        event="overlap-decided",
        redirect_to=safe_next(back)
        if back
        else url_for("coverage.show_overlap", first_id=row.first.id, second_id=row.second.id),
        row=row,
        year=row.first.registration_list.year,
    )


@bp.post("/overlaps/<id:first_id>/<id:second_id>")
@login_required
def decide_overlap(first_id: int, second_id: int):
    first, second, commune = _load_pair(first_id, second_id)
    policy.require(current_user, Action.OVERLAP_DECIDE, commune)
    leads = _leads(first, second)
    form = OverlapDecisionForm().for_pair(first, second, leads)
    lead = {str(first.id): first, str(second.id): second}.get(form.lead.data or "")
    if form.kind.data == OverlapKind.JOINT and lead is not None and lead not in leads:
        # Offered to nobody who may not take it; a stale or forged form still says why.
        message = _(
            "You do not review the list of the entry chosen to lead, so a joint work cannot "
            "add a partner to it. Choose the other entry to lead, or leave the decision to "
            "that list's reviewers."
        )
        return _refused(_pair_row(first, second, commune), form, message, 403)
    if not form.validate_on_submit():
        return _refused(_pair_row(first, second, commune), form, None, 422)
    # Two first decisions on one pair meet at its unique key: the second one is stale.
    with saving(conflicts=(sa.exc.IntegrityError,)) as attempt:
        overlaps.decide(
            current_user,
            first,
            second,
            kind=OverlapKind(form.kind.data),
            lead=lead,
            note=form.note.data,
            version=hidden_id(form.version.data),
        )
    if attempt.stale:
        return _stale(first, second, commune, form.back.data)
    row = _pair_row(first, second, commune)
    return _after_decision(row, form.back.data)


@bp.post("/overlaps/<id:first_id>/<id:second_id>/reopen")
@login_required
def reopen_overlap(first_id: int, second_id: int):
    first, second, commune = _load_pair(first_id, second_id)
    policy.require(current_user, Action.OVERLAP_DECIDE, commune)
    form = OverlapReopenForm()
    decision = overlaps.decision_of(first.id, second.id)
    if not form.validate_on_submit():
        abort(400)
    if decision is None:  # taken back meanwhile
        return _stale(first, second, commune, form.back.data)
    with saving() as attempt:
        overlaps.reopen(current_user, decision, version=hidden_id(form.version.data))
    if attempt.stale:
        return _stale(first, second, commune, form.back.data)
    row = _pair_row(first, second, commune)
    row.form = _decision_form(row, form.back.data or "")
    return _after_decision(row, form.back.data)


@bp.app_template_global("joint_work_text")
def _joint_work_text(entry: Entry) -> str:
    """ "Joint work with …" for an entry linked to others, or an empty string. One query per
    list shown, however many of its entries the page renders."""
    cache = g.setdefault("joint_works", {})
    if entry.list_id not in cache:
        cache[entry.list_id] = overlaps.joint_works([e.id for e in entry.registration_list.entries])
    names = [
        _("%(organization)s (lead)", organization=other.lead_organization.tr("name"))
        if leads
        else other.lead_organization.tr("name")
        for other, leads in cache[entry.list_id].get(entry.id, [])
    ]
    return _("Joint work with %(organizations)s", organizations=", ".join(names)) if names else ""


@bp.app_template_global("overlap_notice")
def _overlap_notice(registration_list: RegistrationList) -> tuple[int, str] | None:
    """How many of a sent list's entries look like another entry of their commune, and where
    to see them, for those who read likely duplicates. Advisory: nothing waits on it."""
    if registration_list.state == ListState.DRAFT:
        return None
    unit = registration_list.unit
    if unit.level == Level.AREA:
        unit = unit.parent
    if not policy.can(current_user, Action.OVERLAP_VIEW, unit):
        return None
    pairs = overlaps.open_pairs_of_list(registration_list, _open_lists(registration_list.year))
    own = {e.id for e in registration_list.entries}
    count = len({i for p in pairs for i in p.key if i in own})
    if not count:
        return None
    url = url_for(
        "coverage.show_overlaps",
        year=registration_list.year,
        unit_id=unit.id,
        list=registration_list.id,
    )
    return count, url
