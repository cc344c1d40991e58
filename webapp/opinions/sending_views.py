"""The committee's screens for the authorities: the consolidated list of a unit and period (a
page, a Word file, a spreadsheet), the record that it was sent, and a province's time for an
answer. Plain GET and POST forms on the opinions blueprint; they work without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import policy
from webapp.concurrency import hidden_id, saving
from webapp.downloads import DOCX_MIMETYPE, XLSX_MIMETYPE, content_disposition
from webapp.extensions import db
from webapp.forms import field_error
from webapp.opinions import consolidated, overdue
from webapp.opinions.models import OpinionProvinceSetting
from webapp.opinions.sending_forms import AnswerTimeForm, DispatchForm, PeriodForm
from webapp.opinions.services import OpinionError
from webapp.opinions.views import bp
from webapp.policy import Action
from webapp.units.models import Level, Unit
from webapp.units.queries import units_in_scope

# The lists carry the opinions' texts: kept out of shared caches.
NO_STORE = "private, no-store"
LEVEL_ORDER = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2}


@dataclass
class Choice:
    unit: Unit
    start: date
    end: date
    below: bool


def _units() -> list[Unit]:
    roots = policy.scope_roots(current_user, Action.OPINION_EXPORT)
    if not roots:
        return []
    stmt = units_in_scope(roots, levels=list(LEVEL_ORDER))
    return sorted(db.session.scalars(stmt), key=lambda u: (LEVEL_ORDER[u.level], u.name))


def _period_form(units: list[Unit]) -> PeriodForm:
    form = PeriodForm(request.args)
    form.unit.choices = [("", _("Choose a unit"))] + [(u.id, u.name) for u in units]
    return form


def _choice(form: PeriodForm, units: list[Unit]) -> Choice | None:
    """The unit and period asked, when valid; else None with the form's messages. A unit that
    exists but lies outside the user's scope is refused (403)."""
    valid = form.validate()
    unit = None
    if isinstance(form.unit.data, int):
        unit = db.session.get(Unit, form.unit.data)
        if unit is not None and unit.id not in {u.id for u in units}:
            policy.require(current_user, Action.OPINION_EXPORT, unit)
    if unit is None:
        form.unit.errors = [*form.unit.errors, _("Choose a unit of your scope.")]
        valid = False
    if form.start.data is None and not form.start.errors:
        form.start.errors = [_("Give the first day of the period.")]
        valid = False
    if form.end.data is None and not form.end.errors:
        form.end.errors = [_("Give the last day of the period.")]
        valid = False
    if valid and form.end.data < form.start.data:
        form.end.errors = [_("The last day cannot be before the first.")]
        valid = False
    return Choice(unit, form.start.data, form.end.data, bool(form.below.data)) if valid else None


def _private(body, status: int = 200, **kw) -> Response:
    response = Response(body, status=status, **kw)
    response.headers["Cache-Control"] = NO_STORE
    return response


def _require_somewhere() -> None:
    if not policy.can_somewhere(current_user, Action.OPINION_EXPORT):
        policy.require(current_user, Action.OPINION_EXPORT, None)


def _asked() -> bool:
    return any(request.args.get(name) for name in ("unit", "start", "end"))


def _page(form: PeriodForm, choice: Choice | None, dispatch_form=None, status: int = 200):
    listing = dispatches = None
    if choice is not None:
        listing = consolidated.build(choice.unit, choice.start, choice.end, choice.below)
        dispatches = consolidated.dispatches_of(choice.unit)
        if dispatch_form is None:
            dispatch_form = DispatchForm(
                formdata=None,
                unit=str(choice.unit.id),
                start=_day(choice.start),
                end=_day(choice.end),
                below="1" if choice.below else "",
            )
    return _private(
        render_template(
            "opinions/consolidated.html",
            form=form,
            choice=choice,
            listing=listing,
            dispatches=dispatches,
            dispatch_form=dispatch_form,
            query=_query(choice) if choice else {},
        ),
        status,
    )


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _query(choice: Choice) -> dict:
    query = {"unit": choice.unit.id, "start": _day(choice.start), "end": _day(choice.end)}
    if choice.below:
        query["below"] = "y"
    return query


@bp.get("/consolidated")
def consolidated_list():
    """Choose a unit and a period; see the list grouped by topic, download it, record that it
    was sent."""
    _require_somewhere()
    units = _units()
    form = _period_form(units)
    if not _asked():
        return _page(form, None)
    choice = _choice(form, units)
    return _page(form, choice, status=200 if choice else 422)


def _download(extension: str):
    _require_somewhere()
    if not _asked():
        return redirect(url_for("opinions.consolidated_list"), 303)
    units = _units()
    form = _period_form(units)
    choice = _choice(form, units)
    if choice is None:
        return _page(form, None, status=422)
    listing = consolidated.build(choice.unit, choice.start, choice.end, choice.below)
    if extension == "docx":
        body, mimetype = consolidated.to_docx(listing), DOCX_MIMETYPE
    else:
        body, mimetype = consolidated.to_xlsx(listing), XLSX_MIMETYPE
    response = _private(body, mimetype=mimetype)
    name = f"Tổng hợp ý kiến - {choice.unit.name} - {_day(choice.start)}-{_day(choice.end)}"
    response.headers["Content-Disposition"] = content_disposition(
        f"{name.replace('/', '.')}.{extension}", ascii_name=f"{listing.file_stem}.{extension}"
    )
    return response


@bp.get("/consolidated.docx")
def consolidated_docx():
    return _download("docx")


@bp.get("/consolidated.xlsx")
def consolidated_xlsx():
    return _download("xlsx")


def _parse_day(text: str | None) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


@bp.post("/dispatches")
def record_dispatch():
    """That the list of the unit and period shown was sent: the opinions on it now, kept."""
    if not policy.can_somewhere(current_user, Action.OPINION_DISPATCH):
        policy.require(current_user, Action.OPINION_DISPATCH, None)
    form = DispatchForm()
    unit = db.session.get(Unit, hidden_id(form.unit.data))
    start, end = _parse_day(form.start.data), _parse_day(form.end.data)
    if unit is None or start is None or end is None or end < start:
        abort(400)  # the hidden fields as the page wrote them: only a forged form misses them
    policy.require(current_user, Action.OPINION_DISPATCH, unit)
    choice = Choice(unit, start, end, bool(form.below.data))
    period = _period_form(_units())
    period.process(data={"unit": unit.id, "start": start, "end": end, "below": choice.below})
    if not form.validate():
        return _page(period, choice, form, 422)
    values = consolidated.DispatchValues(
        unit=unit,
        start=start,
        end=end,
        with_below=choice.below,
        recipient=form.recipient.data,
        number=form.number.data,
        sent_on=form.sent_on.data,
    )
    with saving(OpinionError) as attempt:
        dispatch = consolidated.record_dispatch(current_user, values)
    if attempt.refused:
        field_error(form, attempt.refused)
        return _page(period, choice, form, 422)
    flash(
        _(
            "The sending of list %(number)s with %(num)d opinions was recorded.",
            number=dispatch.number,
            num=len(dispatch.items),
        )
    )
    return redirect(url_for("opinions.consolidated_list", **_query(choice)), 303)


def _setting(province: Unit | None) -> OpinionProvinceSetting | None:
    if province is None:
        return None
    return db.session.scalar(
        sa.select(OpinionProvinceSetting).where(OpinionProvinceSetting.unit_id == province.id)
    )


@bp.route("/answer-time", methods=["GET", "POST"])
def answer_time():
    """A province's days for an answer before an opinion is overdue."""
    if not policy.can_somewhere(current_user, Action.OPINION_SET_DAYS):
        policy.require(current_user, Action.OPINION_SET_DAYS, None)
    provinces = overdue.provinces_to_set(current_user)
    source = request.form if request.method == "POST" else request.args
    chosen = db.session.get(Unit, hidden_id(source.get("province")))
    if chosen is not None and chosen not in provinces:
        policy.require(current_user, Action.OPINION_SET_DAYS, chosen)
        chosen = None  # in scope, but not a province in force
    province = chosen or (provinces[0] if provinces else None)
    setting = _setting(province)
    current = overdue.days_for(province) if province else overdue.campaign_days()
    if request.method == "GET":
        form = AnswerTimeForm(
            formdata=None,
            province=province.id if province else None,
            days=current,
            version=str(setting.version) if setting else "",
        )
    else:
        form = AnswerTimeForm()
    form.province.choices = [(p.id, p.name) for p in provinces]

    def page(status: int = 200):
        return render_template(
            "opinions/answer_time.html",
            form=form,
            province=province,
            current=current,
            default=overdue.campaign_days(),
            provinces=provinces,
        ), status

    if request.method == "GET":
        return page()
    if province is None or chosen is None:
        form.province.errors = [_("Choose a province.")]
        return page(422)
    if not form.validate():
        return page(422)
    version = hidden_id(form.version.data) or None
    with saving(OpinionError, conflicts=(sa.exc.IntegrityError,)) as attempt:
        overdue.set_answer_days(current_user, province, form.days.data, version)
    if attempt.stale:
        form.form_errors.append(
            _("Someone changed this setting meanwhile: here it is as it stands.")
        )
        setting = _setting(province)
        form.version.data = str(setting.version) if setting else ""
        return page(409)
    if attempt.refused:
        field_error(form, attempt.refused)
        return page(422)
    flash(
        _(
            "Opinions of %(province)s are now overdue after %(num)d days without an answer.",
            province=province.name,
            num=form.days.data,
        )
    )
    return redirect(url_for("opinions.answer_time", province=province.id), 303)
