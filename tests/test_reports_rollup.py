"""The consolidated report (sums over accepted reports only, by organization and content, the
spreadsheet equal to the page), completeness and timeliness (on time, late, missing), scope,
constant query counts, and a report page that changes nothing when read."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import content, org
from tests.queries import counting_queries
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.registrations import services as registrations
from webapp.registrations.models import EntryState
from webapp.reports import queries, services
from webapp.reports.models import (
    LineStatus,
    Period,
    ProgressLine,
    ReportFigure,
)
from webapp.review import services as review
from webapp.units.models import Kind, Level, Unit
from webapp.units.queries import SMALL_SUBTREE

YEAR = 2027
ON_TIME = datetime(2027, 6, 10, tzinfo=UTC)  # the half year is due on 20/06/2027
LATE = datetime(2027, 7, 2, tzinfo=UTC)


def approved_list(unit, organization, editor, reviewer, contents=(1, 2), year=YEAR):
    registration_list = registrations.start_list(editor, unit, organization, year)
    for number in contents:
        registrations.add_entry(
            editor,
            registration_list,
            registrations.EntryValues(
                kind="cong_trinh", name=f"Công trình {number}", content=content(number),
                location=unit, lead_organization=organization,
            ),
        )  # fmt: skip
    registrations.submit_list(editor, registration_list)
    review.approve_all(
        reviewer, registration_list, {e.id: e.version for e in registration_list.entries}
    )
    return registration_list


def filled_report(unit, organization, editor, lines, figures=None, period=Period.HALF_YEAR):
    """A report (of the half year unless told) with its lines set from `lines` (status,
    money_people, money_state, workdays, land_m2, beneficiaries) and figures by code."""
    report = services.start_report(editor, unit, organization, YEAR, period)
    for line, (status, people, state, workdays, land, beneficiaries) in zip(
        report.lines, lines, strict=True
    ):
        values = services.LineValues(
            status=status, percent_done=100 if status == LineStatus.COMPLETED else 50,
            money_people=people, money_state=state, workdays=workdays, land_m2=land,
            beneficiaries=beneficiaries,
        )  # fmt: skip
        services.update_line(editor, line, line.version, values)
    if figures:
        ids = {f.code: f.id for f in services.figures_shown()}
        services.update_figures(
            editor, report, report.version, {ids[code]: value for code, value in figures.items()}
        )
    return report


C = LineStatus.COMPLETED
P = LineStatus.IN_PROGRESS
S = LineStatus.STOPPED


@pytest.fixture
def fixture(db, tree, campaign):
    """C1 and C2 of D1, farmers and women: C1 farmers accepted (sent on time, with a figure
    filled in and cleared again), C1 women accepted (sent late), C2 farmers only submitted,
    C2 women returned; C3 of D2 farmers accepted. Only the first two count in D1's roll-up."""
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    reviewer2 = factories.make_user(roles=[(Role.REVIEWER, tree.d2)])
    farmers, women = org("nong_dan"), org("phu_nu")
    editors = {
        unit.id: factories.make_user(roles=[(Role.EDITOR, unit)])
        for unit in (tree.c1, tree.c2, tree.c3)
    }
    for unit, organization in [(tree.c1, farmers), (tree.c1, women), (tree.c2, farmers),
                               (tree.c2, women)]:  # fmt: skip
        approved_list(unit, organization, editors[unit.id], reviewer)
    approved_list(tree.c3, farmers, editors[tree.c3.id], reviewer2)
    # Nothing approved for C3 women: nothing expected from them.
    e1, e2, e3 = editors[tree.c1.id], editors[tree.c2.id], editors[tree.c3.id]
    a = filled_report(tree.c1, farmers, e1, [(C, 1_000_000, 2_000_000, 10, 100, 5),
                                              (P, 500_000, None, 20, None, 7)],
                      {"nha_ddk_built": 2, "ho_thoat_ngheo": 3})  # fmt: skip
    b = filled_report(tree.c1, women, e1, [(C, 300_000, 0, 5, 50, 1),
                                            (S, None, None, None, None, None)],
                      {"nha_ddk_built": 1})  # fmt: skip
    c = filled_report(tree.c2, farmers, e2, [(C, 9_000_000, 9, 9, 9, 9), (C, 9, 9, 9, 9, 9)],
                      {"nha_ddk_built": 50})  # fmt: skip
    d = filled_report(tree.c2, women, e2, [(C, 7_000_000, 7, 7, 7, 7), (C, 7, 7, 7, 7, 7)])
    f = filled_report(tree.c3, farmers, e3, [(C, 4_000_000, 4, 4, 4, 4), (C, 4, 4, 4, 4, 4)],
                      {"nha_ddk_built": 40})  # fmt: skip
    # A figure filled in, then cleared: its value is kept as blank (NULL), not as 0.
    gdvh = figure_id("gia_dinh_van_hoa")
    services.update_figures(e1, a, a.version, {gdvh: 4})
    services.update_figures(e1, a, a.version, {gdvh: None})
    services.submit_report(e1, a, at=ON_TIME)
    services.submit_report(e1, b, at=LATE)
    services.submit_report(e2, c, at=ON_TIME)
    services.submit_report(e2, d, at=LATE)
    services.submit_report(e3, f, at=ON_TIME)
    for report in (a, b):
        services.accept_report(reviewer, report, report.version)
    services.return_report(reviewer, d, d.version, "Thiếu số liệu")
    services.accept_report(reviewer2, f, f.version)
    db.session.commit()
    return {"reviewer": reviewer, "farmers": farmers, "women": women, "reports": (a, b, c, d, f)}


def figure_id(code: str) -> int:
    from webapp.extensions import db

    return db.session.scalar(sa.select(ReportFigure.id).filter_by(code=code))


def test_rollup_sums_accepted_reports_only(db, tree, fixture):
    rollup = queries.rollup(fixture["reviewer"], tree.d1, YEAR, Period.HALF_YEAR)
    assert rollup.reports == 2
    figures = {figure.code: value for figure, value in rollup.figures}
    assert figures["nha_ddk_built"] == 2 + 1
    assert figures["ho_thoat_ngheo"] == 3
    assert figures["gia_dinh_van_hoa"] is None
    total = rollup.total
    assert total.sums == {"money_people": 1_800_000, "money_state": 2_000_000, "money_other": 0,
                          "workdays": 35, "land_m2": 150, "beneficiaries": 13}  # fmt: skip
    assert total.money_total == 3_800_000
    assert (total.registered, total.completed) == (4, 2)
    assert total.statuses == {C: 2, P: 1, S: 1, LineStatus.NOT_STARTED: 0}
    by_org = {o.code: m for o, m in rollup.by_organization}
    assert by_org["nong_dan"].sums["money_people"] == 1_500_000
    assert by_org["phu_nu"].sums["workdays"] == 5
    assert (by_org["phu_nu"].registered, by_org["phu_nu"].completed) == (2, 1)
    by_content = {c.number: m for c, m in rollup.by_content}
    assert by_content[1].sums["money_people"] == 1_300_000  # the first line of each
    assert by_content[2].sums["workdays"] == 20
    assert by_content[2].statuses[S] == 1
    by_org_figures = {o.code: values for o, values in rollup.figures_by_organization}
    assert by_org_figures["phu_nu"] == {figure_id("nha_ddk_built"): 1}

    province = factories.make_user(roles=[(Role.VIEWER, tree.province)])
    whole = queries.rollup(province, tree.province, YEAR, Period.HALF_YEAR)
    assert whole.reports == 3
    assert dict((f.code, v) for f, v in whole.figures)["nha_ddk_built"] == 43
    assert whole.total.sums["money_people"] == 1_800_000 + 4_000_004


def test_an_officer_narrowed_to_an_organization_sums_its_reports_only(db, tree, fixture):
    officer = factories.make_user(roles=[(Role.VIEWER, tree.d1, fixture["women"])])
    rollup = queries.rollup(officer, tree.d1, YEAR, Period.HALF_YEAR)
    assert rollup.reports == 1
    assert [o.code for o, _ in rollup.by_organization] == ["phu_nu"]
    result = queries.completeness(officer, tree.d1, YEAR, Period.HALF_YEAR, None, ON_TIME.date())
    assert result.total.expected == 2


def test_completeness_counts_on_time_late_and_missing(db, tree, fixture):
    province = factories.make_user(roles=[(Role.VIEWER, tree.province)])
    due = services.report_due(YEAR, Period.HALF_YEAR)
    result = queries.completeness(province, tree.province, YEAR, Period.HALF_YEAR, due, LATE.date())
    total = result.total
    # 5 expected (C3 women registered nothing), all 5 sent: the returned one was sent too.
    assert (total.expected, total.submitted, total.on_time, total.late, total.missing) == (
        5, 5, 3, 2, 0,
    )  # fmt: skip
    assert total.accepted == 3
    annual = queries.completeness(province, tree.province, YEAR, Period.YEAR, due, LATE.date())
    assert (annual.total.expected, annual.total.submitted, annual.total.missing) == (5, 0, 5)
    assert annual.overdue
    farmers, women = fixture["farmers"].name_vi, fixture["women"].name_vi
    assert [(m.unit_name, m.organization_name) for m in annual.missing] == [
        ("Xã Cao Sơn", farmers),  # Huyện Hai, then Huyện Một
        ("Xã Nà Phặc", farmers), ("Xã Nà Phặc", women),
        ("Xã Đồng Phúc", farmers), ("Xã Đồng Phúc", women),
    ]  # fmt: skip
    units = {u.name: u.counts for u in result.units}
    assert (units["Xã Đồng Phúc"].on_time, units["Xã Đồng Phúc"].late) == (1, 1)
    assert (units["Xã Nà Phặc"].on_time, units["Xã Nà Phặc"].late) == (1, 1)
    groups = {g.name: g.counts for g in result.groups}
    assert (groups["Huyện Một"].expected, groups["Huyện Hai"].expected) == (4, 1)
    by_org = {o.code: c for o, c in result.organizations}
    assert (by_org["nong_dan"].expected, by_org["nong_dan"].on_time) == (3, 3)
    assert (by_org["phu_nu"].expected, by_org["phu_nu"].late) == (2, 2)


def test_a_started_draft_is_missing_and_linked(db, tree, fixture, login_as):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    draft = services.start_report(editor, tree.c1, fixture["farmers"], YEAR, Period.YEAR)
    db.session.commit()
    client, _ = login_as(Role.REVIEWER, tree.d1)
    page = client.get(f"/reports/{YEAR}/{tree.d1.id}/completeness?period=year")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    missing = html[html.index('id="missing"') :]
    assert f"/reports/{draft.id}" in missing[: missing.index("</ul>")]
    assert missing.count("<li>") >= 4


def _numbers(html: str, table_id: str) -> list[str]:
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    return [re.sub(r"\D", "", cell) for cell in re.findall(r'<td class="num">([^<]*)', table)]


def test_the_page_and_the_spreadsheet_show_the_same_sums(db, tree, fixture, login_as):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    page = client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup?period=half_year")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/reports/{YEAR}/{tree.d1.id}/completeness?period=half_year" in html
    organizations = _numbers(html, "rollup-organizations")
    # Total row: people, state, other, workdays, land, beneficiaries, mobilized in total.
    assert organizations[-7:] == ["1800000", "2000000", "0", "35", "150", "13", "3800000"]

    download = client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup.xlsx?period=half_year")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    assert len(book.sheetnames) == 4
    figures, by_org, by_content, entries = (book[name] for name in book.sheetnames)
    rows = list(by_org.iter_rows(min_row=4, values_only=True))
    assert rows[-1][1:] == (1_800_000, 2_000_000, 0, 35, 150, 13, 3_800_000)
    assert [str(v) for v in rows[-1][1:]] == organizations[-7:]
    content_rows = list(by_content.iter_rows(min_row=4, values_only=True))
    assert content_rows[-1][1:] == rows[-1][1:]
    assert sum(r[1] for r in content_rows[:-1]) == 1_800_000
    figure_rows = {r[0]: r[1] for r in figures.iter_rows(min_row=4, values_only=True)}
    assert 3 in figure_rows.values()  # houses built: 2 + 1
    entry_rows = list(entries.iter_rows(min_row=4, values_only=True))
    assert entry_rows[-1][1:] == (4, 0, 1, 2, 1, 0)  # registered, not started … stopped, none
    assert _numbers(html, "rollup-entries")[-6:] == ["4", "0", "1", "2", "1", "0"]


def test_out_of_scope_is_refused(db, tree, fixture, login_as):
    client, _ = login_as(Role.REVIEWER, tree.d2)
    for path in ("rollup", "rollup.xlsx", "completeness"):
        assert client.get(f"/reports/{YEAR}/{tree.d1.id}/{path}").status_code == 403
        assert client.get(f"/reports/{YEAR}/{tree.c3.id}/{path}").status_code == 200
    translator, _ = login_as(Role.TRANSLATOR, tree.province)
    assert translator.get(f"/reports/{YEAR}/{tree.d1.id}/rollup").status_code == 403
    assert client.get(f"/reports/{YEAR}/{tree.d2.id}/rollup?period=month").status_code == 404
    assert client.get(f"/reports/1990/{tree.d2.id}/rollup").status_code == 404
    anonymous = client.application.test_client()
    assert anonymous.get(f"/reports/{YEAR}/{tree.d1.id}/rollup").status_code in (302, 401)


def test_the_unit_page_links_to_the_rollup(db, tree, fixture, login_as):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    html = client.get(f"/reports/{YEAR}/{tree.d1.id}").get_data(as_text=True)
    assert f"/reports/{YEAR}/{tree.d1.id}/rollup?period=half_year" in html
    assert f"/reports/{YEAR}/{tree.d1.id}/completeness" in html


def grow(tree, reviewer, communes: int) -> None:
    """More communes with an approved list and an accepted report each."""
    from webapp.extensions import db

    for n in range(communes):
        commune = factories.make_unit(f"Xã thêm {n}", parent=tree.d1)
        editor = factories.make_user(roles=[(Role.EDITOR, commune)])
        approved_list(commune, org("nong_dan"), editor, reviewer)
        report = filled_report(commune, org("nong_dan"), editor,
                               [(C, 1, 1, 1, 1, 1), (P, 1, 1, 1, 1, 1)])  # fmt: skip
        services.submit_report(editor, report, at=ON_TIME)
        services.accept_report(reviewer, report, report.version)
    db.session.commit()


def test_query_count_is_constant_in_the_number_of_communes(db, tree, fixture, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    paths = [f"/reports/{YEAR}/{tree.province.id}/{p}" for p in ("rollup", "completeness")]
    for path in paths:
        client.get(path)  # the interface catalog, built once
    counts = []
    for extra in (0, 10):  # 3 communes, then 13
        grow(tree, fixture["reviewer"], extra)
        for path in paths:
            with counting_queries() as statements:
                assert client.get(path).status_code == 200
            counts.append(len(statements))
    assert counts[:2] == counts[2:], counts


def test_reading_a_report_writes_nothing_and_new_entries_are_added_by_a_post(
    db, tree, campaign, login_as
):
    from webapp.registrations.models import Entry, EntryState

    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    client, editor = login_as(Role.EDITOR, tree.c1)
    approved_list(tree.c1, org("nong_dan"), editor, reviewer, contents=(1,))
    report = services.start_report(editor, tree.c1, org("nong_dan"), YEAR, Period.HALF_YEAR)
    first = report.lines[0].entry
    # An entry approved after the report was started.
    late_entry = Entry(
        registration_list=first.registration_list, kind=first.kind, name="Công trình mới",
        content=content(2), location=tree.c1, lead_organization=org("nong_dan"),
        state=EntryState.APPROVED, position=2,
    )  # fmt: skip
    db.session.add(late_entry)
    db.session.commit()
    report_id = report.id

    def lines() -> int:
        return db.session.scalar(
            sa.select(sa.func.count()).where(ProgressLine.report_id == report_id)
        )

    def events() -> list[str]:
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))

    before = events()
    page = client.get(f"/reports/{report_id}")
    assert page.status_code == 200
    assert (lines(), events()) == (1, before)  # reading wrote nothing
    assert f"/reports/{report_id}/lines" in page.get_data(as_text=True)

    response = client.post(f"/reports/{report_id}/lines")
    assert response.status_code == 303
    db.session.expire_all()
    assert lines() == 2
    assert events()[-1] == "report.lines_added"
    assert f"/reports/{report_id}/lines" not in client.get(f"/reports/{report_id}").get_data(
        as_text=True
    )
    viewer, _ = login_as(Role.VIEWER, tree.d1)
    assert viewer.post(f"/reports/{report_id}/lines").status_code == 403


def test_a_commune_sees_its_own_rollup_but_not_its_district(db, tree, fixture, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup").status_code == 403
    page = client.get(f"/reports/{YEAR}/{tree.c1.id}/rollup")
    assert page.status_code == 200
    assert _numbers(page.get_data(as_text=True), "rollup-organizations")[-7:] == [
        "1800000", "2000000", "0", "35", "150", "13", "3800000",
    ]  # fmt: skip


def test_an_officer_narrowed_to_an_organization_sees_its_own_on_the_pages(
    db, tree, fixture, login_as
):
    client, _ = login_as(Role.VIEWER, tree.d1, organization=fixture["women"])
    html = client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup").get_data(as_text=True)
    assert fixture["women"].name_vi in html and fixture["farmers"].name_vi not in html
    completeness = client.get(f"/reports/{YEAR}/{tree.d1.id}/completeness")
    assert completeness.status_code == 200
    assert fixture["farmers"].name_vi not in completeness.get_data(as_text=True)


def test_a_retired_figure_still_sums_where_accepted_reports_gave_it(db, tree, fixture):
    from webapp.reports import figures

    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    retired = db.session.get(ReportFigure, figure_id("ho_thoat_ngheo"))
    figures.set_figure_active(admin, retired, retired.version, False)
    db.session.commit()

    rollup = queries.rollup(fixture["reviewer"], tree.d1, YEAR, Period.HALF_YEAR)
    shown = {figure.code: value for figure, value in rollup.figures}
    assert shown["ho_thoat_ngheo"] == 3
    # Retired and given by no accepted report of D2: not asked, not shown.
    other = factories.make_user(roles=[(Role.REVIEWER, tree.d2)])
    elsewhere = queries.rollup(other, tree.d2, YEAR, Period.HALF_YEAR)
    assert "ho_thoat_ngheo" not in {figure.code for figure, _ in elsewhere.figures}


def test_work_not_started_reads_as_not_carried_out_not_as_a_list_not_drawn_up(
    db, tree, fixture, login_as
):
    """ "Not started" has two meanings: a progress status ("Chưa thực hiện") and a list or
    report not yet begun ("Chưa lập"); the page and the spreadsheet use the first."""
    client, _ = login_as(Role.REVIEWER, tree.d1)
    client.set_cookie("lang", "vi")
    html = client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup?period=half_year").get_data(
        as_text=True
    )
    assert "Chưa thực hiện" in html and "Chưa lập" not in html
    download = client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup.xlsx?period=half_year")
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row}
    assert "Chưa thực hiện" in cells and "Chưa lập" not in cells


# Every value the roll-up reads, set apart: the three money sources, entries in every state,
# an entry approved after its report was sent, a unit that did not report. The expected
# figures are counted by hand from the fixture's docstring.


def line_values(status, people, state, other, workdays, land, beneficiaries):
    """A line with every measure given, money from all three sources."""
    return services.LineValues(
        status=status, percent_done=100 if status == C else 50, money_people=people,
        money_state=state, money_other=other, workdays=workdays, land_m2=land,
        beneficiaries=beneficiaries,
    )  # fmt: skip


def add_entries(editor, registration_list, contents) -> list:
    entries = []
    for index, number in enumerate(contents, start=1):
        given = registrations.EntryValues(
            kind="cong_trinh", name=f"Việc {index} nội dung {number}", content=content(number),
            location=registration_list.unit, lead_organization=registration_list.organization,
        )  # fmt: skip
        entries.append(registrations.add_entry(editor, registration_list, given))
    return entries


@pytest.fixture
def every_state(db, tree, campaign):
    """D1's half year:

    - C1 farmers send five entries: the reviewer approves 1 (content 1) and 2 (content 2),
      returns 3 (content 3) and leaves 4 (content 4) undecided. The report is started and sent
      with a line for 1 (completed: 1,100,000 people, 2,200,000 state, 330,000 other, 40
      workdays, 500 m², 60 beneficiaries) and 2 (in progress: 40,000 / 5,000 / 600 / 3 / 20 /
      7). Then entry 5 (content 3) is approved, and the report accepted without a line for it;
      then entry 6 (content 5) is added as a draft. Their list of the year before has two
      approved entries (contents 1, 3).
    - C1 women: three approved entries (contents 2, 3, 4), report accepted with lines completed
      (25,000 / 300,000 / 4,000,000 / 9 / 70 / 11), stopped (6,000 / 70,000 / 800 / 1 / 2 / 3)
      and not started (nothing filled in).
    - C2 farmers: an approved list (contents 1, 2) and no report.
    """
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    farmers, women = org("nong_dan"), org("phu_nu")
    e1 = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    e2 = factories.make_user(roles=[(Role.EDITOR, tree.c2)])

    farmers_list = registrations.start_list(e1, tree.c1, farmers, YEAR)
    first, second, third, _undecided, fifth = add_entries(e1, farmers_list, (1, 2, 3, 4, 3))
    registrations.submit_list(e1, farmers_list)
    review.approve(reviewer, first, first.version)
    review.approve(reviewer, second, second.version)
    review.return_entry(reviewer, third, third.version, "Thiếu địa điểm")
    farmers_report = services.start_report(e1, tree.c1, farmers, YEAR, Period.HALF_YEAR)
    for line, given in zip(
        farmers_report.lines,
        [line_values(C, 1_100_000, 2_200_000, 330_000, 40, 500, 60),
         line_values(P, 40_000, 5_000, 600, 3, 20, 7)],
        strict=True,
    ):  # fmt: skip
        services.update_line(e1, line, line.version, given)
    services.submit_report(e1, farmers_report, at=ON_TIME)
    review.approve(reviewer, fifth, fifth.version)  # after the report was sent
    services.accept_report(reviewer, farmers_report, farmers_report.version)
    draft = registrations.add_entry(
        e1,
        farmers_list,
        registrations.EntryValues(
            kind="cong_trinh", name="Việc 6 nội dung 5", content=content(5), location=tree.c1,
            lead_organization=farmers,
        ),
    )  # fmt: skip

    women_list = approved_list(tree.c1, women, e1, reviewer, contents=(2, 3, 4))
    women_report = services.start_report(e1, tree.c1, women, YEAR, Period.HALF_YEAR)
    completed, stopped, _not_started = women_report.lines
    services.update_line(
        e1, completed, completed.version, line_values(C, 25_000, 300_000, 4_000_000, 9, 70, 11)
    )
    services.update_line(e1, stopped, stopped.version, line_values(S, 6_000, 70_000, 800, 1, 2, 3))
    services.submit_report(e1, women_report, at=LATE)
    services.accept_report(reviewer, women_report, women_report.version)

    approved_list(tree.c2, farmers, e2, reviewer, contents=(1, 2))
    # C1 farmers' list of the year before: its approved entries are not this year's.
    approved_list(tree.c1, farmers, e1, reviewer, contents=(1, 3), year=YEAR - 1)
    db.session.commit()
    assert [e.state for e in farmers_list.entries] == [
        EntryState.APPROVED, EntryState.APPROVED, EntryState.RETURNED, EntryState.SUBMITTED,
        EntryState.APPROVED, EntryState.DRAFT,
    ]  # fmt: skip
    assert draft.state == EntryState.DRAFT and len(women_list.entries) == 3
    return {"reviewer": reviewer, "farmers": farmers, "women": women}


def test_the_rollup_counts_every_money_source_and_approved_entries_only(db, tree, every_state):
    rollup = queries.rollup(every_state["reviewer"], tree.d1, YEAR, Period.HALF_YEAR)
    assert rollup.reports == 2
    total = rollup.total
    assert total.sums == {"money_people": 1_171_000, "money_state": 2_575_000,
                          "money_other": 4_331_400, "workdays": 53, "land_m2": 592,
                          "beneficiaries": 81}  # fmt: skip
    assert total.money_total == 8_077_400
    # Approved: 1, 2 and 5 of the farmers, the women's three; not the returned, the undecided,
    # the draft, nor C2's list (no report).
    assert total.registered == 6
    assert total.statuses == {LineStatus.NOT_STARTED: 1, P: 1, C: 2, S: 1}
    assert total.not_reported == 1  # entry 5, approved after the report was sent

    by_org = {o.code: m for o, m in rollup.by_organization}
    farmers, women = by_org["nong_dan"], by_org["phu_nu"]
    assert farmers.money_total == 3_675_600
    assert (farmers.registered, farmers.completed, farmers.not_reported) == (3, 1, 1)
    assert women.money_total == 4_401_800
    assert (women.registered, women.completed, women.not_reported) == (3, 1, 0)

    by_content = {c.number: m for c, m in rollup.by_content}
    assert sorted(by_content) == [1, 2, 3, 4]  # the draft's content 5 is no one's
    assert by_content[1].money_total == 3_630_000
    assert by_content[2].money_total == 4_370_600
    assert (by_content[3].registered, by_content[3].not_reported) == (2, 1)
    assert (by_content[4].registered, by_content[4].not_reported) == (1, 0)


def test_the_page_and_the_spreadsheet_show_every_source_and_the_entries_without_a_line(
    db, tree, every_state, login_as
):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    page = client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup?period=half_year")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Farmers, women, total: people, state, other, workdays, land, beneficiaries, in total.
    farmers = [1_140_000, 2_205_000, 330_600, 43, 520, 67, 3_675_600]
    women = [31_000, 370_000, 4_000_800, 10, 72, 14, 4_401_800]
    total = [1_171_000, 2_575_000, 4_331_400, 53, 592, 81, 8_077_400]
    assert _numbers(html, "rollup-organizations") == [str(n) for n in farmers + women + total]
    assert _numbers(html, "rollup-contents")[-7:] == [str(n) for n in total]
    # Registered, not started, in progress, completed, stopped, no line yet.
    entries = {"nong_dan": (3, 0, 1, 1, 0, 1), "phu_nu": (3, 1, 0, 1, 1, 0),
               "total": (6, 1, 1, 2, 1, 1)}  # fmt: skip
    assert _numbers(html, "rollup-entries") == [
        str(n) for n in entries["nong_dan"] + entries["phu_nu"] + entries["total"]
    ]
    assert "2 báo cáo đã được chấp nhận · 3 báo cáo phải nộp (67%)" in html  # C2 did not report

    download = client.get(f"/reports/{YEAR}/{tree.d1.id}/rollup.xlsx?period=half_year")
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    _figures, by_org, by_content, entry_sheet = (book[name] for name in book.sheetnames)
    organization_rows = [row[1:] for row in by_org.iter_rows(min_row=4, values_only=True)]
    assert organization_rows == [tuple(farmers), tuple(women), tuple(total)]
    assert list(by_content.iter_rows(min_row=4, values_only=True))[-1][1:] == tuple(total)
    entry_rows = [row[1:] for row in entry_sheet.iter_rows(min_row=4, values_only=True)]
    assert entry_rows == [entries["nong_dan"], entries["phu_nu"], entries["total"]]


def test_the_rollup_sums_the_units_period_and_year_asked_for_only(db, tree, fixture):
    """Accepted reports of the same commune for the whole year and for the year before, and
    D2's, are not D1's half year: a province viewer, who may read them all, sees D1's two.
    D1 has more units than a subtree query inlines: the report tree and the viewer's scope
    stay two subtree queries in one statement, each with its own name."""
    db.session.add_all(
        Unit(name=f"Thôn {n}", level=Level.AREA, kind=Kind.THON, parent=tree.c1)
        for n in range(SMALL_SUBTREE)
    )
    farmers = fixture["farmers"]
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    lines = [(C, 1, 1, 1, 1, 1), (C, 1, 1, 1, 1, 1)]
    annual = filled_report(tree.c1, farmers, editor, lines, period=Period.YEAR)
    approved_list(tree.c1, farmers, editor, fixture["reviewer"], year=YEAR - 1)
    before = services.start_report(editor, tree.c1, farmers, YEAR - 1, Period.HALF_YEAR)
    for report in (annual, before):
        services.submit_report(editor, report, at=ON_TIME)
        services.accept_report(fixture["reviewer"], report, report.version)
    db.session.commit()

    province = factories.make_user(roles=[(Role.VIEWER, tree.province)])
    half_year = queries.rollup(province, tree.d1, YEAR, Period.HALF_YEAR)
    assert half_year.reports == 2
    assert half_year.total.sums["money_people"] == 1_800_000
    assert half_year.total.registered == 4
    whole_year = queries.rollup(province, tree.d1, YEAR, Period.YEAR)
    assert (whole_year.reports, whole_year.total.sums["money_people"]) == (1, 2)
    year_before = queries.rollup(province, tree.d1, YEAR - 1, Period.HALF_YEAR)
    assert (year_before.reports, year_before.total.registered) == (1, 2)


def test_the_rollup_lists_organizations_and_contents_in_their_set_order(db, tree, every_state):
    farmers, women = every_state["farmers"], every_state["women"]
    women.sort_order, farmers.sort_order = 1, 2  # women were made after farmers
    assert women.id > farmers.id
    content(1).number = 9  # the first content made is now the last by number
    db.session.commit()
    rollup = queries.rollup(every_state["reviewer"], tree.d1, YEAR, Period.HALF_YEAR)
    assert [o.code for o, _ in rollup.by_organization] == ["phu_nu", "nong_dan"]
    assert [m.money_total for _, m in rollup.by_organization] == [4_401_800, 3_675_600]
    assert [c.number for c, _ in rollup.by_content] == [2, 3, 4, 9]
    assert rollup.by_content[-1][1].money_total == 3_630_000  # what content 1 was
