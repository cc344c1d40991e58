"""Screens of the fund's books: the books of the user's scope, a book's year (lines, balance,
the year's state, the units below summed), recording a line, a line with its edit and
reversal, closing and approving a year, the reconciliation, and the public statement per unit
and year (page and spreadsheet). Every flow is a plain form that works with JavaScript off."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp import policy
from webapp.concurrency import VersionForm, keep_typed, saving, version_of
from webapp.db import local_today
from webapp.downloads import XLSX_MIMETYPE, content_disposition
from webapp.extensions import db
from webapp.forms import YEAR_MAX, YEAR_MIN, field_error
from webapp.fund import queries, services
from webapp.fund.forms import MovementForm, ReverseForm
from webapp.fund.models import FundBook, FundMovement, Means, MovementKind, Purpose
from webapp.fund.services import Beneficiary, FundError, MovementValues
from webapp.i18n.choice import ui_language
from webapp.i18n.domain import interface_stamp
from webapp.policy import Action
from webapp.revalidate import already_known, etag_of, not_kept, revalidated
from webapp.units.models import Level, Unit
from webapp.units.queries import subtree_ids
from webapp.xlsx import cell_text

bp = Blueprint("fund", __name__, url_prefix="/fund")

KINDS = {
    "receipt": MovementKind.RECEIPT,
    "transfer": MovementKind.TRANSFER_OUT,
    "spending": MovementKind.SPENDING,
}


def _year(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        abort(404)
    return year


class _Place:
    """What the policy judges before a book exists: the unit itself (a book of its own)."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self.book = None
        self.state = "open"
        self.closed_by_id = None


def _has_below(unit: Unit) -> bool:
    return unit.level in (Level.PROVINCE, Level.DISTRICT)


def _unit(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


@bp.get("")
def index():
    """The books of the user's scope, with this year's balance."""
    if not policy.can_somewhere(current_user, Action.FUND_VIEW):
        policy.require(current_user, Action.FUND_VIEW, None)
    roots = policy.scope_roots(current_user, Action.FUND_VIEW)
    units = db.session.scalars(sa.select(Unit).where(Unit.id.in_(roots)).order_by(Unit.name)).all()
    year = local_today().year
    books = db.session.scalars(
        policy.visible(current_user, Action.FUND_VIEW, sa.select(FundBook))
    ).all()
    return render_template(
        "fund/index.html",
        year=year,
        roots=[(u, queries.rollup_statement(u, year)) for u in units],
        books=sorted(books, key=lambda b: b.unit.name),
    )


def _book_page(unit: Unit, year: int, status: int = 200, **forms):
    book = services.find_book(unit)
    period = services.find_period(book, year) if book else None
    place = period or _Place(unit)
    policy.require(current_user, Action.FUND_VIEW, place)
    lines = queries.movements(book, year) if book else []
    return (
        render_template(
            "fund/book.html",
            unit=unit,
            year=year,
            book=book,
            period=period,
            place=place,
            lines=lines,
            reversed=queries.reversed_ids(book) if book else set(),
            own=queries.book_statement(book, year),
            rollup=queries.rollup_statement(unit, year) if _has_below(unit) else None,
            children=queries.child_rows(unit, year) if _has_below(unit) else [],
            version_form=VersionForm(formdata=None, version=str(period.version) if period else ""),
            personal=policy.can(current_user, Action.FUND_VIEW_PERSONAL, place),
            **forms,
        ),
        status,
    )


@bp.get("/units/<id:unit_id>/<int:year>")
def book(unit_id: int, year: int):
    return _book_page(_unit(unit_id), _year(year))


def _record_verdict(unit: Unit, year: int):
    """403 unless the user keeps this unit's book; the verdict says whether the year is
    still open (the caller says so when it is not)."""
    book = services.find_book(unit)
    period = services.find_period(book, year) if book else None
    return policy.require_in_scope(current_user, Action.FUND_RECORD, period or _Place(unit))


def _areas(unit: Unit) -> list[Unit]:
    return db.session.scalars(
        sa.select(Unit)
        .where(
            Unit.level == Level.AREA, Unit.id.in_(subtree_ids([unit.id])), Unit.valid_to.is_(None)
        )
        .order_by(Unit.name)
    ).all()


def _transfer_targets(unit: Unit) -> list[Unit]:
    """Where a book's money goes: the level above, or a unit directly below."""
    below = db.session.scalars(
        sa.select(Unit)
        .where(Unit.parent_id == unit.id, Unit.level != Level.AREA, Unit.valid_to.is_(None))
        .order_by(Unit.name)
    ).all()
    return ([unit.parent] if unit.parent is not None else []) + list(below)


def _prepare(form: MovementForm, unit: Unit, kind: MovementKind) -> None:
    form.to_unit.choices = [("", _("Choose a unit"))] + [
        (u.id, u.name) for u in _transfer_targets(unit)
    ]
    areas = [("", _("Not known"))] + [(a.id, a.name) for a in _areas(unit)]
    for row in form.beneficiaries:
        row.form.area.choices = areas


def _values(form: MovementForm, unit: Unit) -> MovementValues:
    areas = {a.id: a for a in _areas(unit)}
    rows = []
    for row in form.beneficiaries:
        sub = row.form
        if sub.household.data or sub.amount.data:
            if not sub.household.data:
                raise FundError(_("Give the household's name, or clear its row."), "beneficiaries")
            rows.append(
                Beneficiary(sub.household.data, areas.get(sub.area.data), sub.amount.data or 0)
            )
    return MovementValues(
        on=form.on.data,
        amount=form.amount.data,
        means=Means(form.means.data) if form.means.data in set(Means) else Means.CASH,
        in_kind=form.in_kind.data or None,
        counterparty=form.counterparty.data or None,
        purpose=Purpose(form.purpose.data) if form.purpose.data in set(Purpose) else None,
        voucher=form.voucher.data or None,
        note=form.note.data or None,
        beneficiaries=rows,
    )


@bp.route("/units/<id:unit_id>/<int:year>/record/<kind>", methods=["GET", "POST"])
def record(unit_id: int, year: int, kind: str):
    unit, year = _unit(unit_id), _year(year)
    if kind not in KINDS:
        abort(404)
    movement_kind = KINDS[kind]
    verdict = _record_verdict(unit, year)
    back = url_for("fund.book", unit_id=unit.id, year=year)
    if verdict.wrong_state:
        flash(_("The book's year %(year)d is closed: it can no longer change.", year=year))
        return redirect(back, 303)
    form = MovementForm()
    _prepare(form, unit, movement_kind)
    page = {"unit": unit, "year": year, "kind": kind, "form": form}
    if request.method == "GET":
        if form.on.data is None and year == local_today().year:
            form.on.data = local_today()
        return render_template("fund/record.html", **page)
    if not form.validate():
        return render_template("fund/record.html", **page), 422
    with saving(FundError) as attempt:
        values = _values(form, unit)
        target = services.period_of(services.book_of(unit), year)
        if movement_kind == MovementKind.RECEIPT:
            line = services.record_receipt(current_user, target, values)
        elif movement_kind == MovementKind.SPENDING:
            line = services.record_spending(current_user, target, values)
        else:
            to_unit = next((u for u in _transfer_targets(unit) if u.id == form.to_unit.data), None)
            line = services.record_transfer(current_user, target, to_unit, values)
    if attempt.refused:
        field_error(form, attempt.refused)
        return render_template("fund/record.html", **page), 422
    if attempt.stale:
        form.form_errors.append(_("Someone changed this book meanwhile: please save again."))
        return render_template("fund/record.html", **page), 409
    flash(_("Line %(voucher)s was recorded.", voucher=line.voucher))
    return redirect(back, 303)


def _movement(movement_id: int) -> FundMovement:
    movement = db.get_or_404(FundMovement, movement_id)
    policy.require(current_user, Action.FUND_VIEW, movement)
    return movement


def _movement_page(movement: FundMovement, status: int = 200, form=None, reverse_form=None):
    unit = movement.book.unit
    if form is None:
        form = MovementForm(formdata=None, obj=movement, version=str(movement.version))
        form.means.data = str(movement.means)
        form.purpose.data = str(movement.purpose) if movement.purpose else ""
    _prepare(form, unit, movement.kind)
    return (
        render_template(
            "fund/movement.html",
            movement=movement,
            unit=unit,
            form=form,
            reverse_form=reverse_form or ReverseForm(formdata=None),
            reversal=services.reversal_of(movement),
            may_edit=movement.reverses_id is None
            and policy.can(current_user, Action.FUND_RECORD, movement.period),
            may_reverse=policy.can(
                current_user,
                Action.FUND_RECORD,
                services.find_period(movement.book, local_today().year) or _Place(unit),
            ),
            personal=policy.can(current_user, Action.FUND_VIEW_PERSONAL, movement),
        ),
        status,
    )


@bp.get("/movements/<id:movement_id>")
def show_movement(movement_id: int):
    return _movement_page(_movement(movement_id))


@bp.post("/movements/<id:movement_id>")
def update_movement(movement_id: int):
    movement = db.get_or_404(FundMovement, movement_id)
    verdict = policy.require_in_scope(current_user, Action.FUND_RECORD, movement.period)
    if verdict.wrong_state:
        flash(
            _(
                "The book's year %(year)d is closed: it can no longer change.",
                year=movement.period.year,
            )
        )
        return redirect(url_for("fund.show_movement", movement_id=movement.id), 303)
    form = MovementForm()
    _prepare(form, movement.book.unit, movement.kind)
    if not form.validate():
        return _movement_page(movement, 422, form=form)
    with saving(FundError) as attempt:
        values = _values(form, movement.book.unit)
        values.beneficiaries = []
        services.update_movement(current_user, movement, version_of(form), values)
    if attempt.stale:
        current = db.session.get(FundMovement, movement_id)
        keep_typed(form, current, _("Someone changed this line meanwhile: check and save again."))
        return _movement_page(current, 409, form=form)
    if attempt.refused:
        field_error(form, attempt.refused)
        return _movement_page(db.session.get(FundMovement, movement_id), 422, form=form)
    flash(_("The line was saved."))
    return redirect(url_for("fund.show_movement", movement_id=movement_id), 303)


@bp.post("/movements/<id:movement_id>/reverse")
def reverse_movement(movement_id: int):
    movement = db.get_or_404(FundMovement, movement_id)
    policy.require_in_scope(current_user, Action.FUND_RECORD, _Place(movement.book.unit))
    form = ReverseForm()
    if not form.validate():
        return _movement_page(movement, 422, reverse_form=form)
    with saving(FundError) as attempt:
        line = services.reverse(current_user, movement, form.on.data, form.note.data)
    if attempt.refused:
        field_error(form, attempt.refused)
        return _movement_page(db.session.get(FundMovement, movement_id), 422, reverse_form=form)
    flash(_("Reversing entry %(voucher)s was recorded.", voucher=line.voucher))
    return redirect(url_for("fund.show_movement", movement_id=movement_id), 303)


def _period_step(unit_id: int, year: int, action: Action, run, message: str):
    unit, year = _unit(unit_id), _year(year)
    book = services.find_book(unit)
    period = services.find_period(book, year) if book else None
    back = url_for("fund.book", unit_id=unit.id, year=year)
    if period is None:
        policy.require_in_scope(current_user, action, _Place(unit))
        flash(_("This book has no line in %(year)d yet.", year=year))
        return redirect(back, 303)
    verdict = policy.require_in_scope(current_user, action, period)
    if verdict.wrong_state:
        flash(_("This year has moved on meanwhile: here it is as it stands."))
        return redirect(back, 303)
    form = VersionForm()
    with saving(FundError) as attempt:
        run(period, version_of(form))
    if attempt.stale:
        flash(_("Someone changed this year meanwhile: here it is as it stands."))
    elif attempt.refused:
        flash(str(attempt.refused))
    else:
        flash(message)
    return redirect(back, 303)


@bp.post("/units/<id:unit_id>/<int:year>/close")
def close_period(unit_id: int, year: int):
    return _period_step(
        unit_id,
        year,
        Action.FUND_CLOSE,
        lambda period, version: services.close_period(current_user, period, version),
        _("The year was closed: its book is now read-only."),
    )


@bp.post("/units/<id:unit_id>/<int:year>/approve")
def approve_period(unit_id: int, year: int):
    return _period_step(
        unit_id,
        year,
        Action.FUND_APPROVE,
        lambda period, version: services.approve_period(current_user, period, version),
        _("The year was approved."),
    )


@bp.get("/reconciliation")
def reconciliation():
    """What does not add up in the books of the user's scope."""
    if not policy.can_somewhere(current_user, Action.FUND_VIEW):
        policy.require(current_user, Action.FUND_VIEW, None)
    ids = policy.visible(current_user, Action.FUND_VIEW, sa.select(FundBook.id))
    return render_template(
        "fund/reconciliation.html",
        mismatches=queries.mismatched_transfers(ids),
        negatives=queries.negative_books(ids),
        unfinished=queries.unfinished_periods(ids, local_today().year),
    )


def _public(unit_id: int, year: int):
    policy.require(current_user, Action.FUND_DISCLOSE)
    unit, year = _unit(unit_id), _year(year)
    if unit.level == Level.AREA:
        abort(404)
    figures = queries.rollup_statement(unit, year) if _has_below(unit) else None
    own = queries.book_statement(services.find_book(unit), year)
    return unit, year, own, figures


@bp.get("/public/<id:unit_id>/<int:year>")
def disclosure(unit_id: int, year: int):
    """The unit's statement for the year, for everyone: no household is named."""
    policy.require(current_user, Action.FUND_DISCLOSE)
    unit, year = _unit(unit_id), _year(year)
    # Anonymous readers revalidate: a 304 while nothing in the subtree's books changed.
    personal = current_user.is_authenticated or session.get("_flashes")
    etag = None
    if not personal:
        parts = (
            unit.id,
            year,
            queries.public_stamp(unit),
            local_today(),  # the page says the day its figures stand at
            ui_language().code,
            interface_stamp(),
        )
        etag = etag_of(parts)
        if already_known(etag):
            return revalidated(make_response("", 304), etag)
    unit, year, own, rollup = _public(unit_id, year)
    book = services.find_book(unit)
    response = make_response(
        render_template(
            "fund/disclosure.html",
            unit=unit,
            year=year,
            own=own,
            rollup=rollup,
            period=services.find_period(book, year) if book else None,
            today=local_today(),
        )
    )
    return not_kept(response) if personal else revalidated(response, etag)


def statement_rows(own) -> list[tuple[str, int]]:
    """The statement as label/amount rows: the page and the spreadsheet read the same list."""
    rows = [
        (_("Balance carried forward"), own.opening),
        (_("Received"), own.received),
        ("  " + _("of which in the mobilization month (17/10–18/11)"), own.in_campaign_month),
        (_("Transferred in from other units"), own.transferred_in),
        (_("Transferred out to other units"), own.transferred_out),
        (_("Spent"), own.spent),
    ]
    rows += [("  " + purpose.label, amount) for purpose, amount in own.by_purpose.items()]
    rows.append((_("Balance at the end of the year"), own.closing))
    return rows


@bp.get("/public/<id:unit_id>/<int:year>.xlsx")
def disclosure_xlsx(unit_id: int, year: int):
    unit, year, own, rollup = _public(unit_id, year)
    title = _("Fund for the Poor %(year)s – %(unit)s", year=year, unit=unit.name)
    import xlsxwriter  # loaded on download, not by every worker at start

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Statement")[:31])
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0"})
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 2, 18)
    sheet.write(0, 0, cell_text(title), bold)
    row = 2
    for label, amount in statement_rows(own):
        sheet.write(row, 0, cell_text(label))
        sheet.write_number(row, 1, amount, money)
        row += 1
    row += 1
    sheet.write(row, 0, _("Residential area"), bold)
    sheet.write(row, 1, _("Households supported"), bold)
    sheet.write(row, 2, _("Amount (đồng)"), bold)
    for name, count, amount in own.areas:
        row += 1
        sheet.write(row, 0, cell_text(name or _("Not known")))
        sheet.write_number(row, 1, count)
        sheet.write_number(row, 2, amount, money)
    if rollup is not None:
        row += 2
        sheet.write(row, 0, cell_text(_("%(unit)s and the units below", unit=unit.name)), bold)
        for label, amount in statement_rows(rollup):
            row += 1
            sheet.write(row, 0, cell_text(label))
            sheet.write_number(row, 1, amount, money)
    workbook.close()
    response = Response(output.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{title}.xlsx")
    response.cache_control.no_cache = True
    return response
