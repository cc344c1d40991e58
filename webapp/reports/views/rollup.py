"""The consolidated report of a unit (sums over the accepted reports of its subtree, as a page
that prints and as a spreadsheet) and the completeness and timeliness of its reports.

Plain GET pages under /reports: they work without JavaScript and print from the browser.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.campaign.deadlines import registration_years
from webapp.db import local_today
from webapp.downloads import XLSX_MIMETYPE, content_disposition
from webapp.extensions import db
from webapp.policy import Action
from webapp.reports import queries, services
from webapp.reports.models import LineStatus, Period
from webapp.reports.views.common import bp
from webapp.units.models import Level, Unit
from webapp.xlsx import cell_text

# The consolidated figures name units that fall behind: keep them out of shared caches.
NO_STORE = "private, no-store"


@dataclass
class Scope:
    unit: Unit
    year: int
    period: Period


def _load(year: int, unit_id: int) -> Scope:
    """Parse, load and authorize: 404 for an unknown unit, year, period or a residential area;
    403 outside the user's scope."""
    unit = db.get_or_404(Unit, unit_id)
    if year not in registration_years() or unit.level == Level.AREA:
        abort(404)
    policy.require(current_user, Action.REPORT_ROLLUP, unit)
    period = request.args.get("period", Period.HALF_YEAR.value)
    if period not in {p.value for p in Period}:
        abort(404)
    return Scope(unit, year, Period(period))


def _completeness(scope: Scope) -> queries.Completeness:
    due = services.report_due(scope.year, scope.period)
    return queries.completeness(
        current_user, scope.unit, scope.year, scope.period, due, local_today()
    )


def _private(body, **kw) -> Response:
    response = Response(body, **kw)
    response.headers["Cache-Control"] = NO_STORE
    return response


def _page(template: str, scope: Scope, **context) -> Response:
    return _private(
        render_template(
            template,
            unit=scope.unit,
            year=scope.year,
            period=scope.period,
            periods=list(Period.labels()),
            years=registration_years(),
            assumed=services.due_is_assumption(scope.year, scope.period),
            **context,
        )
    )


@bp.get("/reports/<int:year>/<id:unit_id>/rollup")
@login_required
def show_rollup(year: int, unit_id: int):
    """Sums of every figure and measure over the accepted reports, by organization and content."""
    scope = _load(year, unit_id)
    rollup = queries.rollup(current_user, scope.unit, year, scope.period)
    return _page(
        "reports/rollup.html",
        scope,
        rollup=rollup,
        completeness=_completeness(scope).total,
        measures=measure_labels(),
        organization_rows=_organization_rows(rollup),
        content_rows=_content_rows(rollup),
        entry_headings=_entry_headings(),
        entry_cells=_entry_cells,
    )


@bp.get("/reports/<int:year>/<id:unit_id>/rollup.xlsx")
@login_required
def export_rollup(year: int, unit_id: int):
    scope = _load(year, unit_id)
    rollup = queries.rollup(current_user, scope.unit, year, scope.period)
    title = _(
        "Consolidated report %(period)s %(year)d - %(unit)s",
        period=scope.period.label,
        year=year,
        unit=scope.unit.name,
    )
    response = _private(rollup_xlsx(rollup, title), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{title}.xlsx")
    return response


@bp.get("/reports/<int:year>/<id:unit_id>/completeness")
@login_required
def show_completeness(year: int, unit_id: int):
    """Expected, submitted, on time, late and missing reports, and which are missing. At the
    national root, per province instead of per unit: every unit's row and every missing report
    of the country made a 2.4 MB page; a province's page names them."""
    scope = _load(year, unit_id)
    return _page(
        "reports/completeness.html",
        scope,
        completeness=_completeness(scope),
        national=scope.unit.level == Level.COUNTRY,
    )


def measure_labels() -> dict[str, str]:
    return {
        "money_people": _("People's contribution (đồng)"),
        "money_state": _("State budget (đồng)"),
        "money_other": _("Other sources (đồng)"),
        "workdays": _("Workdays"),
        "land_m2": _("Land donated (m²)"),
        "beneficiaries": _("Beneficiaries"),
    }


def _organization_rows(rollup: queries.Rollup) -> list[tuple[str, queries.Measures]]:
    return [(o.tr("name"), m) for o, m in rollup.by_organization]


def _content_rows(rollup: queries.Rollup) -> list[tuple[str, queries.Measures]]:
    return [(f"{c.number}. {c.tr('short')}", m) for c, m in rollup.by_content]


def _entry_headings() -> list[str]:
    return [
        _("Registered (approved)"),
        *[LineStatus(s).label for s in queries.STATUSES],
        _("No line yet"),
    ]


def _entry_cells(measures: queries.Measures) -> list[int]:
    return [
        measures.registered,
        *[measures.statuses[s] for s in queries.STATUSES],
        measures.not_reported,
    ]


def rollup_xlsx(rollup: queries.Rollup, title: str) -> bytes:
    """Four sheets with the page's numbers, as numbers: figures, by organization, by content,
    entries."""
    buffer = io.BytesIO()
    import xlsxwriter  # loaded by the download that asks, not by every worker

    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#EEE"})
    text = workbook.add_format({"text_wrap": True, "border": 1, "valign": "top"})
    number = workbook.add_format({"border": 1, "num_format": "#,##0"})
    heading = workbook.add_format({"bold": True, "font_size": 13})
    labels = measure_labels()

    def sheet(name: str, headings: list[str], rows: list[list]) -> None:
        ws = workbook.add_worksheet(name[:31])
        ws.write_string(0, 0, title, heading)
        ws.set_column(0, 0, 34)
        ws.set_column(1, len(headings), 16)
        for index, value in enumerate(headings):
            ws.write_string(2, index, value, bold)
        for offset, row in enumerate(rows, start=3):
            for index, value in enumerate(row):
                if value is None:
                    ws.write_blank(offset, index, None, number)
                elif isinstance(value, int):
                    ws.write_number(offset, index, value, number)
                else:
                    ws.write_string(offset, index, cell_text(str(value)), text)
        ws.repeat_rows(2)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    sheet(
        _("Figures"),
        [_("Figure"), _("Total"), *[o.tr("name") for o, _v in rollup.figures_by_organization]],
        [
            [
                figure.tr("name"),
                value,
                *[values.get(figure.id) for _o, values in rollup.figures_by_organization],
            ]
            for figure, value in rollup.figures
        ],
    )
    measure_headings = [labels[m] for m in queries.MEASURES]

    def measure_row(name: str, measures: queries.Measures) -> list:
        return [name, *[measures.sums[m] for m in queries.MEASURES], measures.money_total]

    money_total = _("Mobilized in total (đồng)")
    sheet(
        _("By organization"),
        [_("Organization"), *measure_headings, money_total],
        [measure_row(name, m) for name, m in _organization_rows(rollup)]
        + [measure_row(_("Total"), rollup.total)],
    )
    sheet(
        _("By content"),
        [_("Content"), *measure_headings, money_total],
        [measure_row(name, m) for name, m in _content_rows(rollup)]
        + [measure_row(_("Total"), rollup.total)],
    )
    sheet(
        _("Entries"),
        [_("Organization"), *_entry_headings()],
        [[o.tr("name"), *_entry_cells(m)] for o, m in rollup.by_organization]
        + [[_("Total"), *_entry_cells(rollup.total)]],
    )
    workbook.close()
    return buffer.getvalue()
