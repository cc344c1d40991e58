"""Result report pages: a unit's reports for a year, a report with its per-entry progress
table (one row edited at a time with htmx, a page per line without), its figures, submission,
the reviewer's decision and the reviewer's worklist of reports awaiting it. Plain forms that
redirect; htmx only swaps the one row."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.campaign.deadlines import registration_years
from webapp.campaign.models import MemberOrganization
from webapp.concurrency import keep_typed, saving, version_of
from webapp.db import local_today
from webapp.extensions import db
from webapp.forms import field_error
from webapp.htmx import after_change, fragment_or_redirect, is_partial, render_fragment
from webapp.paging import page_of
from webapp.policy import Action
from webapp.registrations.services import organizations_at
from webapp.reports import queries, services
from webapp.reports.forms import figure_values, figures_form, line_form, line_values
from webapp.reports.models import LineStatus, Period, ProgressLine, ProgressReport, ReportState
from webapp.reports.views.common import bp
from webapp.review.chain import reviewing_unit
from webapp.review.forms import DecisionForm
from webapp.units.models import Unit
from webapp.urls import form_id

QUEUE_PER_PAGE = 25


def report_url(report: ProgressReport, line: ProgressLine | None = None) -> str:
    anchor = f"line-{line.id}" if line else None
    return url_for("reports.show_report", report_id=report.id, _anchor=anchor)


def _load_report(report_id: int) -> ProgressReport:
    report = db.session.get(
        ProgressReport,
        report_id,
        options=[selectinload(ProgressReport.lines).selectinload(ProgressLine.entry)],
    )
    if report is None:
        abort(404)
    policy.require(current_user, Action.REPORT_VIEW, report)
    return report


def _locked() -> str:
    return _("This report has been sent and can no longer be changed.")


def _kept(message: str) -> str:
    return _("%(reason)s What you typed is kept below so you can copy it.", reason=message)


@bp.get("/reports")
@login_required
def index():
    """The reports of the user's own unit for this year."""
    pairs = policy.scope(current_user, Action.REPORT_VIEW)
    if not pairs:
        abort(403)
    return redirect(url_for("reports.show_unit", year=local_today().year, unit_id=pairs[0][0]))


@bp.get("/reports/queue")
@login_required
def queue():
    """Sent reports waiting for the user's acceptance, oldest first: they stay here until
    decided, whether or not their notification was read."""
    if not policy.can_somewhere(current_user, Action.REPORT_DECIDE):
        abort(403)
    return render_template(
        "reports/queue.html",
        paged=page_of(queries.awaiting_decision(current_user), QUEUE_PER_PAGE),
    )


@bp.get("/reports/<int:year>/<id:unit_id>")
@login_required
def show_unit(year: int, unit_id: int):
    """One row per organization and period: state, due date, late. Only the reports that
    exist and those expected (the organization's list here for the year has an approved
    entry) are shown, and only expected ones can be started: an organization that registered
    nothing approved has nothing to report on."""
    unit = db.get_or_404(Unit, unit_id)
    if year not in registration_years():
        abort(404)
    expected = {
        organization_id
        for _unit_id, organization_id in db.session.execute(
            queries.expected_pairs(current_user, sa.select(sa.literal(unit.id)), year)
        )
    }
    reports = {
        (report.organization_id, report.period): report
        for report in db.session.scalars(
            sa.select(ProgressReport).filter_by(unit_id=unit.id, year=year)
        )
    }
    rows = []
    for organization in organizations_at(unit):
        for period in Period:
            report = reports.get((organization.id, period))
            if report is None and organization.id not in expected:
                continue
            probe = report or ProgressReport(
                unit=unit, organization=organization, year=year, period=period
            )
            if not policy.can(current_user, Action.REPORT_VIEW, probe):
                continue
            rows.append(
                {
                    "organization": organization,
                    "period": period,
                    "report": report,
                    "due": services.report_due(year, period),
                    "can_start": report is None
                    and policy.can(current_user, Action.REPORT_EDIT, probe),
                }
            )
    if not rows:
        policy.require(current_user, Action.UNIT_VIEW, unit)
    return render_template(
        "reports/unit.html",
        unit=unit,
        year=year,
        rows=rows,
        periods=list(Period.labels()),
        nothing_expected=not expected and not reports,
        years=registration_years(),
        assumed=services.due_is_assumption(year, Period.YEAR)
        or services.due_is_assumption(year, Period.HALF_YEAR),
        today=local_today(),
    )


@bp.post("/reports/start")
@login_required
def start_report():
    unit_id, organization_id = (
        form_id(request.form.get(n)) for n in ("unit_id", "organization_id")
    )
    year = request.form.get("year", type=int)
    period = request.form.get("period")
    if (
        unit_id is None
        or organization_id is None
        or year not in registration_years()
        or period not in {p.value for p in Period}
    ):
        abort(400)
    unit = db.get_or_404(Unit, unit_id)
    organization = db.get_or_404(MemberOrganization, organization_id)
    try:
        report = services.start_report(current_user, unit, organization, year, Period(period))
        db.session.commit()
    except policy.Denied:
        abort(403)
    except services.ReportError as error:
        flash(str(error), "error")
        return redirect(url_for("reports.show_unit", year=year, unit_id=unit.id), code=303)
    except IntegrityError:  # a second tap started it meanwhile
        db.session.rollback()
        report = services.start_report(current_user, unit, organization, year, Period(period))
    return redirect(report_url(report), code=303)


def report_page(report: ProgressReport, *, status: int = 200, **extra):
    # Entries approved since the report was started are counted here, and get their line
    # only through the POST below (or when the report is sent): reading changes nothing.
    editable = policy.can(current_user, Action.REPORT_EDIT, report)
    context = {
        "new_entries": services.missing_entry_count(report) if editable else 0,
        "report": report,
        "due": services.report_due(report.year, report.period),
        "assumed": services.due_is_assumption(report.year, report.period),
        "figures": services.report_figures(report),
        "derived": services.derived_figures(report),
        "evaluation": _evaluation(report),
        "decision_form": extra.pop("decision_form", None)
        or DecisionForm(data={"version": report.version}),
        **extra,
    }
    return make_response(render_template("reports/report.html", **context), status)


def _evaluation(report: ProgressReport):
    """The year's evaluation of the organization at the unit, for those who may read it."""
    from webapp.commendations.services import find_evaluation

    evaluation = find_evaluation(report.year, report.unit_id, report.organization_id)
    if evaluation is None or not policy.can(current_user, Action.EVALUATION_VIEW, evaluation):
        return None
    return evaluation


@bp.get("/reports/<id:report_id>")
@login_required
def show_report(report_id: int):
    return report_page(_load_report(report_id))


@bp.post("/reports/<id:report_id>/lines")
@login_required
def add_new_entries(report_id: int):
    report = _load_report(report_id)
    if not _may_edit(report):
        flash(_locked(), "error")
        return redirect(report_url(report), code=303)
    added = services.add_new_entries(current_user, report)
    db.session.commit()
    if added:
        flash(
            ngettext(
                "%(num)d newly approved entry was added.",
                "%(num)d newly approved entries were added.",
                added,
            ),
            "success",
        )
    return redirect(report_url(report), code=303)


def _load_line(line_id: int) -> ProgressLine:
    line = db.get_or_404(ProgressLine, line_id)
    policy.require(current_user, Action.REPORT_VIEW, line.report)
    return line


def _may_edit(report: ProgressReport) -> bool:
    """False when it is in the user's hands but sent meanwhile; 403 when it never was."""
    return policy.require_unless_moved_on(current_user, Action.REPORT_EDIT, report).allowed


@bp.get("/reports/lines/<id:line_id>")
@login_required
def show_line(line_id: int):
    line = _load_line(line_id)
    return fragment_or_redirect(
        "reports/_line.html", redirect_to=report_url(line.report, line), line=line
    )


def _line_form_page(line, form, *, status=200, saved=None):
    context = {
        "line": line,
        "report": line.report,
        "form": form,
        "inline": is_partial(),
        "saved": saved,
    }
    if is_partial():
        return render_fragment("reports/_line_form.html", **context)
    return make_response(render_template("reports/line_form.html", **context), status)


@bp.get("/reports/lines/<id:line_id>/edit")
@login_required
def edit_line(line_id: int):
    line = _load_line(line_id)
    if not _may_edit(line.report):
        flash(_locked(), "error")
        return redirect(report_url(line.report, line), code=303)
    return _line_form_page(line, line_form(line))


@bp.post("/reports/lines/<id:line_id>/edit")
@login_required
def update_line(line_id: int):
    line = _load_line(line_id)
    form = line_form(formdata=request.form)
    if not _may_edit(line.report):
        form.form_errors.append(_kept(_locked()))
        return _line_form_page(line, form, status=409)
    if form.validate():
        with saving(services.ReportError) as attempt:
            services.update_line(current_user, line, version_of(form), line_values(form))
        if attempt.stale:
            line = _load_line(line_id)
            if not policy.can(current_user, Action.REPORT_EDIT, line.report):
                form.form_errors.append(_kept(_locked()))
                return _line_form_page(line, form, status=409)
            message = _(
                "Someone else saved this line after you opened it. What is saved now is "
                "shown above; your values are kept below, and saving again keeps yours."
            )
            keep_typed(form, line, message)
            return _line_form_page(line, form, status=409, saved=line)
        if attempt.refused:
            field_error(form, attempt.refused)
        else:
            return after_change(
                "reports/_line.html",
                event="progress-changed",
                redirect_to=report_url(line.report, line),
                saved=_("Progress saved: %(name)s", name=line.entry.name),
                line=line,
            )
    return _line_form_page(line, form, status=422)


@bp.route("/reports/<id:report_id>/figures", methods=["GET", "POST"])
@login_required
def edit_figures(report_id: int):
    report = _load_report(report_id)
    shown = services.report_figures(report)
    # Figures kept elsewhere (the fund's book) are shown, not asked for.
    derived = services.derived_figures(report)
    figures = [figure for figure in shown if figure.id not in derived]
    posted = request.method == "POST"
    form = figures_form(figures, request.form if posted else None, report)
    status = 200
    if not _may_edit(report):
        if not posted:
            flash(_locked(), "error")
            return redirect(report_url(report), code=303)
        form.form_errors.append(_kept(_locked()))
        status = 409
    elif posted and form.validate():
        with saving(services.ReportError) as attempt:
            services.update_figures(
                current_user, report, version_of(form), figure_values(form, figures)
            )
        if attempt.stale:
            report = _load_report(report_id)
            message = _(
                "Someone else changed this report after you opened it. Your values are "
                "kept below; saving again keeps yours."
            )
            keep_typed(form, report, message)
            status = 409
        elif attempt.refused:
            field_error(form, attempt.refused)
            status = 422
        else:
            flash(_("The figures were saved."), "success")
            return redirect(report_url(report), code=303)
    elif posted:
        status = 422
    return make_response(
        render_template(
            "reports/figures.html",
            report=report,
            form=form,
            figures=figures,
            derived=[(f, derived[f.id]) for f in shown if f.id in derived],
        ),
        status,
    )


def _load_to_submit(report_id: int) -> ProgressReport:
    """The report the user may send now; one already sent sends them back to it with a word,
    so a second tap (a slow connection) does no harm."""
    report = _load_report(report_id)
    if not _may_edit(report):
        flash(_("This report has already been sent."), "success")
        abort(redirect(report_url(report), code=303))
    return report


@bp.get("/reports/<id:report_id>/submit")
@login_required
def confirm_submit(report_id: int):
    """What sending will do, before it locks the report: one tap must not send it."""
    report = _load_to_submit(report_id)
    due = services.report_due(report.year, report.period)
    figures = services.report_figures(report)
    derived = services.derived_figures(report)
    counts = Counter(line.status for line in report.lines)
    # In the order the statuses are listed, those the report's lines have.
    statuses = {status: counts[status] for status in LineStatus.labels() if counts[status]}
    return render_template(
        "reports/submit.html",
        report=report,
        statuses=statuses,
        new_entries=services.missing_entry_count(report),
        figures_given=sum(
            1 for f in figures if f.id in derived or report.figure_value(f.id) is not None
        ),
        figures_total=len(figures),
        late=report.state == ReportState.DRAFT and due is not None and local_today() > due,
        due=due,
        reviewers=reviewing_unit(
            report.unit, report.organization_id, excluded_user_id=current_user.id
        ),
    )


@bp.post("/reports/<id:report_id>/submit")
@login_required
def submit_report(report_id: int):
    report = _load_to_submit(report_id)
    services.submit_report(current_user, report)
    db.session.commit()
    if report.is_late:
        flash(_("The report was sent after its due date and is marked late."), "warning")
    else:
        flash(_("The report was sent for review."), "success")
    return redirect(report_url(report), code=303)


@bp.post("/reports/<id:report_id>/accept")
@login_required
def accept_report(report_id: int):
    return _decide(report_id, accept=True)


@bp.post("/reports/<id:report_id>/return")
@login_required
def return_report(report_id: int):
    return _decide(report_id, accept=False)


def _decide(report_id: int, *, accept: bool):
    report = _load_report(report_id)
    form = DecisionForm()
    if policy.require_unless_moved_on(current_user, Action.REPORT_DECIDE, report).wrong_state:
        flash(_("This report has already been decided."), "success")
        return redirect(report_url(report), code=303)
    with saving(services.ReportError) as attempt:
        if accept:
            services.accept_report(current_user, report, version_of(form))
        else:
            services.return_report(current_user, report, version_of(form), form.reason.data)
    if attempt.stale:
        flash(_("The report changed after you opened it. Look at it again."), "error")
        return redirect(report_url(report), code=303)
    if attempt.refused:
        form.reason.errors = [str(attempt.refused)]
        return report_page(_load_report(report_id), status=422, decision_form=form)
    flash(
        _("The report was accepted.") if accept else _("The report was returned to the editor."),
        "success",
    )
    return redirect(report_url(report), code=303)
