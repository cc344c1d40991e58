"""Result reports: periods and due dates, lines per approved entry, carry-over from the half
year to the year, the review lifecycle, bad numbers, scope and stale saves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import content, org
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.policy import Denied
from webapp.registrations import services as registrations
from webapp.reports import services
from webapp.reports.models import (
    LineStatus,
    Period,
    ProgressLine,
    ProgressReport,
    ReportFigure,
    ReportState,
)
from webapp.review import services as review

YEAR = 2027


def approved_list(db, tree, editor, reviewer, names=("Đường bê tông thôn Nà Mò", "Nuôi bò")):
    """A 2027 list of the farmers' union at C1 with its entries approved by D1."""
    registration_list = registrations.start_list(editor, tree.c1, org("nong_dan"), YEAR)
    for number, name in enumerate(names, start=1):
        registrations.add_entry(
            editor,
            registration_list,
            registrations.EntryValues(
                kind="cong_trinh", name=name, content=content(number), location=tree.c1,
                lead_organization=org("nong_dan"),
            ),
        )  # fmt: skip
    registrations.submit_list(editor, registration_list)
    review.approve_all(
        reviewer, registration_list, {e.id: e.version for e in registration_list.entries}
    )
    db.session.commit()
    return registration_list


@pytest.fixture
def people(db, tree, campaign):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    db.session.commit()
    return editor, reviewer


@pytest.fixture
def half_year(db, tree, people):
    editor, reviewer = people
    approved_list(db, tree, editor, reviewer)
    report = services.start_report(editor, tree.c1, org("nong_dan"), YEAR, Period.HALF_YEAR)
    db.session.commit()
    return report


def line_values(**changes) -> services.LineValues:
    values = services.LineValues(
        status=LineStatus.IN_PROGRESS, percent_done=40, money_people=1_500_000,
        money_state=2_000_000, workdays=120, land_m2=300, beneficiaries=85,
        result="Đã đổ bê tông 400 m",
    )  # fmt: skip
    for name, value in changes.items():
        setattr(values, name, value)
    return values


def test_the_seed_ships_the_figures_and_assumed_due_dates(db, campaign):
    codes = set(db.session.scalars(sa.select(ReportFigure.code)))
    assert {"quy_vnn_mobilized", "quy_vnn_spent", "nha_ddk_built", "nha_ddk_repaired",
            "nha_ddk_value", "ho_thoat_ngheo", "gia_dinh_van_hoa",
            "khu_dan_cu_van_hoa"} <= codes  # fmt: skip
    assert services.report_due(YEAR, Period.HALF_YEAR).isoformat() == "2027-06-20"
    assert services.report_due(YEAR, Period.YEAR).isoformat() == "2027-11-20"
    assert services.due_is_assumption(YEAR, Period.YEAR)


def test_a_report_has_a_line_per_approved_entry(db, tree, people, half_year):
    assert [line.entry.name for line in half_year.lines] == ["Đường bê tông thôn Nà Mò", "Nuôi bò"]
    assert {line.status for line in half_year.lines} == {LineStatus.NOT_STARTED}
    assert half_year.state == ReportState.DRAFT
    again = services.start_report(people[0], tree.c1, org("nong_dan"), YEAR, Period.HALF_YEAR)
    assert again.id == half_year.id  # one per (unit, organization, year, period)


def test_the_annual_report_starts_from_the_half_year_one(db, tree, people, half_year):
    editor, _ = people
    first = half_year.lines[0]
    services.update_line(editor, first, first.version, line_values())
    figure = db.session.scalar(sa.select(ReportFigure).filter_by(code="nha_ddk_built"))
    services.update_figures(editor, half_year, half_year.version, {figure.id: 3})
    db.session.commit()

    annual = services.start_report(editor, tree.c1, org("nong_dan"), YEAR, Period.YEAR)
    db.session.commit()
    carried = annual.lines[0]
    assert (carried.status, carried.percent_done, carried.money_people, carried.workdays) == (
        LineStatus.IN_PROGRESS, 40, 1_500_000, 120,
    )  # fmt: skip
    assert carried.result == "Đã đổ bê tông 400 m"
    assert annual.figure_value(figure.id) == 3
    # Editable, and the half-year report keeps its own values.
    services.update_line(editor, carried, carried.version, line_values(percent_done=100,
                         status=LineStatus.COMPLETED))  # fmt: skip
    db.session.commit()
    assert db.session.get(ProgressLine, first.id).percent_done == 40


def test_lifecycle_submit_return_resubmit_accept(db, tree, people, half_year):
    editor, reviewer = people
    services.submit_report(editor, half_year, at=datetime(2027, 6, 10, tzinfo=UTC))
    db.session.commit()
    assert half_year.state == ReportState.SUBMITTED and not half_year.is_late
    with pytest.raises(Denied):  # locked once sent
        line = half_year.lines[0]
        services.update_line(editor, line, line.version, line_values())
    db.session.rollback()
    with pytest.raises(services.ReportError):
        services.return_report(reviewer, half_year, half_year.version, "  ")
    db.session.rollback()
    services.return_report(reviewer, half_year, half_year.version, "Thiếu số ngày công")
    db.session.commit()
    assert half_year.state == ReportState.RETURNED
    assert half_year.return_reason == "Thiếu số ngày công"
    line = half_year.lines[0]
    services.update_line(editor, line, line.version, line_values())
    services.submit_report(editor, half_year)
    db.session.commit()
    assert not half_year.is_late  # its first sending was on time
    services.accept_report(reviewer, half_year, half_year.version)
    db.session.commit()
    assert half_year.state == ReportState.ACCEPTED
    verbs = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.action.like("report.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert verbs == ["report.created", "report.submitted", "report.returned",
                     "report.line_updated", "report.submitted", "report.accepted"]  # fmt: skip


def test_submitting_after_the_due_date_marks_it_late(db, tree, people, half_year):
    services.submit_report(people[0], half_year, at=datetime(2027, 7, 2, 3, tzinfo=UTC))
    db.session.commit()
    assert half_year.is_late


def test_nobody_decides_on_their_own_submission_nor_out_of_the_chain(db, tree, people, half_year):
    editor, _ = people
    services.submit_report(editor, half_year)
    db.session.commit()
    other_district = factories.make_user(roles=[(Role.REVIEWER, tree.d2)])
    for actor in (editor, other_district):
        with pytest.raises(Denied):
            services.accept_report(actor, half_year, half_year.version)
        db.session.rollback()


def test_bad_numbers_are_refused_by_the_service(db, tree, people, half_year):
    editor, _ = people
    line = half_year.lines[0]
    for bad in ({"percent_done": 101}, {"percent_done": -1}, {"workdays": -5}):
        with pytest.raises(services.ReportError):
            services.update_line(editor, line, line.version, line_values(**bad))
        db.session.rollback()
    assert db.session.get(ProgressLine, line.id).percent_done == 0


def test_a_stale_line_save_is_refused(db, tree, people, half_year):
    editor, _ = people
    line = half_year.lines[0]
    seen = line.version
    services.update_line(editor, line, seen, line_values())
    db.session.commit()
    with pytest.raises(services.StaleVersion):
        services.update_line(editor, line, seen, line_values(percent_done=90))
    db.session.rollback()
    assert db.session.get(ProgressLine, line.id).percent_done == 40


def test_an_editor_of_another_commune_cannot_start_or_edit(db, tree, people, half_year):
    outsider = factories.make_user(roles=[(Role.EDITOR, tree.c3)])
    with pytest.raises(Denied):
        services.start_report(outsider, tree.c1, org("nong_dan"), YEAR, Period.YEAR)
    with pytest.raises(Denied):
        services.update_line(
            outsider, half_year.lines[0], half_year.lines[0].version, line_values()
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ProgressReport.id))) == 1
