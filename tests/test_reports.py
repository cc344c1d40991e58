"""Result reports: periods and due dates, lines per approved entry, carry-over from the half
year to the year, the review lifecycle, bad numbers, scope and stale saves."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import content, org
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.concurrency import StaleVersion
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
def half_year(db, tree, editor_and_reviewer):
    editor, reviewer = editor_and_reviewer
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


def test_a_report_has_a_line_per_approved_entry(db, tree, editor_and_reviewer, half_year):
    assert [line.entry.name for line in half_year.lines] == ["Đường bê tông thôn Nà Mò", "Nuôi bò"]
    assert {line.status for line in half_year.lines} == {LineStatus.NOT_STARTED}
    assert half_year.state == ReportState.DRAFT
    again = services.start_report(
        editor_and_reviewer[0], tree.c1, org("nong_dan"), YEAR, Period.HALF_YEAR
    )
    assert again.id == half_year.id  # one per (unit, organization, year, period)


def test_the_annual_report_starts_from_the_half_year_one(db, tree, editor_and_reviewer, half_year):
    editor, _ = editor_and_reviewer
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


def test_lifecycle_submit_return_resubmit_accept(db, tree, editor_and_reviewer, half_year):
    editor, reviewer = editor_and_reviewer
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


def test_submitting_after_the_due_date_marks_it_late(db, tree, editor_and_reviewer, half_year):
    services.submit_report(
        editor_and_reviewer[0], half_year, at=datetime(2027, 7, 2, 3, tzinfo=UTC)
    )
    db.session.commit()
    assert half_year.is_late


def test_nobody_decides_on_their_own_submission_nor_out_of_the_chain(
    db, tree, editor_and_reviewer, half_year
):
    editor, _ = editor_and_reviewer
    services.submit_report(editor, half_year)
    db.session.commit()
    other_district = factories.make_user(roles=[(Role.REVIEWER, tree.d2)])
    for actor in (editor, other_district):
        with pytest.raises(Denied):
            services.accept_report(actor, half_year, half_year.version)
        db.session.rollback()


def test_bad_numbers_are_refused_by_the_service(db, tree, editor_and_reviewer, half_year):
    editor, _ = editor_and_reviewer
    line = half_year.lines[0]
    for bad in ({"percent_done": 101}, {"percent_done": -1}, {"workdays": -5}):
        with pytest.raises(services.ReportError):
            services.update_line(editor, line, line.version, line_values(**bad))
        db.session.rollback()
    assert db.session.get(ProgressLine, line.id).percent_done == 0


def test_a_stale_line_save_is_refused(db, tree, editor_and_reviewer, half_year):
    editor, _ = editor_and_reviewer
    line = half_year.lines[0]
    seen = line.version
    services.update_line(editor, line, seen, line_values())
    db.session.commit()
    with pytest.raises(StaleVersion):
        services.update_line(editor, line, seen, line_values(percent_done=90))
    db.session.rollback()
    assert db.session.get(ProgressLine, line.id).percent_done == 40


def test_an_editor_of_another_commune_cannot_start_or_edit(
    db, tree, editor_and_reviewer, half_year
):
    outsider = factories.make_user(roles=[(Role.EDITOR, tree.c3)])
    with pytest.raises(Denied):
        services.start_report(outsider, tree.c1, org("nong_dan"), YEAR, Period.YEAR)
    with pytest.raises(Denied):
        services.update_line(
            outsider, half_year.lines[0], half_year.lines[0].version, line_values()
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ProgressReport.id))) == 1


# The pages

HTMX = {"HX-Request": "true"}


def errors(page: str) -> list[str]:
    return re.findall(r'<ul class="errors"[^>]*><li>(.*?)</li>', page)


def line_data(line: ProgressLine, **changes) -> dict:
    data = {
        "version": str(line.version), "status": "in_progress", "percent_done": "40",
        "money_people": "1.500.000", "money_state": "2000000", "money_other": "",
        "workdays": "120", "land_m2": "300", "beneficiaries": "85",
        "result": "Đã đổ bê tông 400 m",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def editor_client(db, tree, campaign, login_as):
    """A signed-in C1 editor with an approved 2027 list, and the D1 reviewer (service side)."""
    client, editor = login_as(Role.EDITOR, tree.c1)
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    approved_list(db, tree, editor, reviewer)
    return client, editor


def start_via_page(client, tree, period="half_year") -> ProgressReport:
    response = client.post(
        "/reports/start",
        data={"unit_id": tree.c1.id, "organization_id": org("nong_dan").id, "year": YEAR,
              "period": period},
    )  # fmt: skip
    assert response.status_code == 303
    return services.find_report(tree.c1.id, org("nong_dan").id, YEAR, Period(period))


def test_the_unit_page_lists_each_organization_and_period_with_its_due_date(
    db, tree, editor_client
):
    client, _ = editor_client
    page = client.get(f"/reports/{YEAR}/{tree.c1.id}").get_data(as_text=True)
    assert "6 tháng đầu năm" in page and "Cả năm" in page
    assert "20/06/2027" in page and "20/11/2027" in page
    assert "giả định" in page  # the due dates are assumptions, and say so
    assert page.count("Bắt đầu báo cáo") == 2  # the farmers' union's two periods
    report = start_via_page(client, tree)
    page = client.get(f"/reports/{YEAR}/{tree.c1.id}").get_data(as_text=True)
    assert f"/reports/{report.id}" in page and "Bản nháp" in page


def _front_list_waiting(db, tree, editor) -> None:
    """The Front's list at C1, sent and waiting for review: no report is expected of it yet."""
    front = registrations.start_list(editor, tree.c1, org("mttq"), YEAR)
    registrations.add_entry(
        editor,
        front,
        registrations.EntryValues(
            kind="cong_trinh", name="Nhà văn hóa thôn", content=content(1), location=tree.c1,
            lead_organization=org("mttq"),
        ),
    )  # fmt: skip
    registrations.submit_list(editor, front)
    db.session.commit()


def test_reports_are_offered_only_where_an_approved_list_expects_them(
    db, tree, editor_client, login_as
):
    """The farmers' union has an approved list at C1; the Front's list there waits for review
    and the other organizations registered nothing: only the union has reports to make."""
    client, editor = editor_client
    _front_list_waiting(db, tree, editor)
    page = client.get(f"/reports/{YEAR}/{tree.c1.id}").get_data(as_text=True)
    starts = re.findall(r'name="organization_id" value="(\d+)"', page)
    assert starts == [str(org("nong_dan").id)] * 2
    assert org("nong_dan").tr("name") in page and org("mttq").tr("name") not in page

    other, _ = login_as(Role.EDITOR, tree.c2)  # C2 registered nothing approved
    page = other.get(f"/reports/{YEAR}/{tree.c2.id}").get_data(as_text=True)
    assert "Bắt đầu báo cáo" not in page
    assert "không có báo cáo nào phải lập" in page


def test_a_hand_made_start_for_an_organization_without_an_approved_list_is_refused(
    db, tree, editor_client
):
    """The page offers only expected reports; a request made by hand for the Front, whose list
    at C1 waits for review, or for the youth union, which registered nothing, starts nothing
    and says why on the unit's page."""
    client, editor = editor_client
    _front_list_waiting(db, tree, editor)
    for code in ("mttq", "doan_thanh_nien"):
        response = client.post(
            "/reports/start",
            data={"unit_id": tree.c1.id, "organization_id": org(code).id, "year": YEAR,
                  "period": "half_year"},
            follow_redirects=True,
        )  # fmt: skip
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert response.request.path == f"/reports/{YEAR}/{tree.c1.id}"
        assert (
            f"{org(code).tr('name')} chưa có công trình, mô hình, phần việc nào được duyệt "
            f"ở {tree.c1.name} năm {YEAR}"
        ) in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0
    assert not db.session.scalar(sa.select(AuditEvent).filter_by(action="report.created"))


def test_a_line_saved_without_javascript_redirects_and_with_htmx_returns_the_row(
    db, tree, editor_client
):
    client, _ = editor_client
    report = start_via_page(client, tree)
    line = report.lines[0]
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Đường bê tông thôn Nà Mò" in page and "Cập nhật tiến độ" in page
    assert client.get(f"/reports/lines/{line.id}/edit").status_code == 200
    response = client.post(f"/reports/lines/{line.id}/edit", data=line_data(line))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reports/{report.id}#line-{line.id}")
    db.session.refresh(line)
    assert (line.percent_done, line.money_people, line.money_state) == (40, 1_500_000, 2_000_000)
    response = client.post(
        f"/reports/lines/{line.id}/edit", data=line_data(line, percent_done="100",
        status="completed"), headers=HTMX,
    )  # fmt: skip
    row = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "progress-changed" in response.headers["HX-Trigger"]
    assert row.startswith(f'<li id="line-{line.id}"') and "100%" in row
    assert len(response.get_data()) <= 5 * 1024
    assert "<html" not in row


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("percent_done", "101", "Phần trăm hoàn thành phải là số nguyên từ 0 đến 100."),
        ("percent_done", "năm mươi", "Nhập một số nguyên"),
        ("workdays", "-3", "Số này không được âm."),
        ("beneficiaries", "nhiều", "Nhập một số nguyên"),
        ("money_people", "-5000", "Số tiền không được âm."),
        ("money_state", "1,5", "Nhập số tiền bằng đồng"),
    ],
)
def test_bad_numbers_are_refused_with_clear_messages_and_nothing_is_lost(
    db, tree, editor_client, field, typed, message
):
    client, _ = editor_client
    report = start_via_page(client, tree)
    line = report.lines[0]
    data = line_data(line, **{field: typed})
    response = client.post(f"/reports/lines/{line.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in e for e in errors(page)), errors(page)
    assert f'value="{typed}"' in page  # what they typed is kept
    assert 'value="Đã đổ bê tông 400 m"' in page
    db.session.refresh(line)
    assert (line.percent_done, line.workdays, line.money_people) == (0, None, None)
    htmx = client.post(f"/reports/lines/{line.id}/edit", data=data, headers=HTMX)
    assert htmx.status_code == 200 and any(
        message in e for e in errors(htmx.get_data(as_text=True))
    )


def test_a_stale_line_save_is_refused_with_the_typed_values_kept(db, tree, editor_client):
    client, editor = editor_client
    report = start_via_page(client, tree)
    line = report.lines[0]
    seen = line_data(line, result="Giá trị của tôi")
    services.update_line(editor, line, line.version, line_values(percent_done=70))
    db.session.commit()
    response = client.post(f"/reports/lines/{line.id}/edit", data=seen)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Có người khác đã lưu dòng này" in page
    assert 'value="Giá trị của tôi"' in page and "70%" in page
    db.session.refresh(line)
    assert line.percent_done == 70
    # Saving again keeps theirs.
    again = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page
    )
    assert (
        client.post(
            f"/reports/lines/{line.id}/edit", data={**seen, "version": again.group(1)}
        ).status_code
        == 303
    )


def test_figures_are_saved_and_bad_ones_refused(db, tree, editor_client):
    client, _ = editor_client
    report = start_via_page(client, tree)
    built = db.session.scalar(sa.select(ReportFigure).filter_by(code="nha_ddk_built"))
    value = db.session.scalar(sa.select(ReportFigure).filter_by(code="nha_ddk_value"))
    url = f"/reports/{report.id}/figures"
    assert client.get(url).status_code == 200
    bad = {"version": str(report.version), f"figure_{built.id}": "-2",
           f"figure_{value.id}": "120.000.000"}  # fmt: skip
    response = client.post(url, data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Số này không được âm." in errors(page)
    assert 'value="120.000.000"' in page
    good = {**bad, f"figure_{built.id}": "3"}
    assert client.post(url, data=good).status_code == 303
    db.session.refresh(report)
    assert report.figure_value(built.id) == 3 and report.figure_value(value.id) == 120_000_000
    stale = client.post(url, data={**good, f"figure_{built.id}": "4"})
    assert stale.status_code == 409 and 'value="4"' in stale.get_data(as_text=True)


def test_submit_then_the_district_returns_and_accepts_through_the_pages(
    db, tree, editor_client, login_as
):
    client, _ = editor_client
    report = start_via_page(client, tree)
    assert client.post(f"/reports/{report.id}/submit").status_code == 303
    db.session.refresh(report)
    assert report.state == ReportState.SUBMITTED
    line = report.lines[0]
    locked = client.post(f"/reports/lines/{line.id}/edit", data=line_data(line))
    assert locked.status_code == 409 and 'value="Đã đổ bê tông 400 m"' in locked.get_data(
        as_text=True
    )
    reviewer_client, _ = login_as(Role.REVIEWER, tree.d1)
    page = reviewer_client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Chấp nhận báo cáo" in page
    empty = reviewer_client.post(
        f"/reports/{report.id}/return", data={"version": report.version, "reason": " "}
    )
    assert empty.status_code == 422
    assert (
        reviewer_client.post(
            f"/reports/{report.id}/return",
            data={"version": report.version, "reason": "Bổ sung số ngày công"},
        ).status_code
        == 303
    )
    db.session.refresh(report)
    assert report.state == ReportState.RETURNED
    assert "Bổ sung số ngày công" in client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert client.post(f"/reports/{report.id}/submit").status_code == 303
    db.session.refresh(report)
    assert (
        reviewer_client.post(
            f"/reports/{report.id}/accept", data={"version": report.version}
        ).status_code
        == 303
    )
    db.session.refresh(report)
    assert report.state == ReportState.ACCEPTED


def test_saving_a_line_without_javascript_says_it_was_saved(db, tree, editor_client):
    client, _ = editor_client
    report = start_via_page(client, tree)
    line = report.lines[0]
    response = client.post(
        f"/reports/lines/{line.id}/edit", data=line_data(line), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<p class="flash success" role="status">Đã lưu tiến độ: {line.entry.name}</p>' in page
    # With htmx the row itself shows the change: no message waits for the next page.
    again = client.post(
        f"/reports/lines/{line.id}/edit",
        data=line_data(line, version=str(line.version + 1), percent_done="60"),
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 200
    assert "Đã lưu tiến độ" not in client.get(f"/reports/{report.id}").get_data(as_text=True)


def test_sending_a_report_asks_for_confirmation_first(db, tree, editor_client, login_as):
    client, _ = editor_client
    report = start_via_page(client, tree)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert re.search(rf'<a class="button primary" href="/reports/{report.id}/submit"', page)
    confirm = client.get(f"/reports/{report.id}/submit")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Gửi báo cáo để duyệt?" in text
    assert "2 công trình, phần việc cùng tiến độ sẽ được gửi." in text
    assert "Báo cáo bị khóa" in text
    assert re.search(r'<button type="submit" class="primary">Gửi</button>', text)
    assert re.search(rf'<a class="button" href="/reports/{report.id}">Quay lại</a>', text)
    db.session.refresh(report)
    assert report.state == ReportState.DRAFT
    outsider, _ = login_as(Role.EDITOR, tree.c3)
    assert outsider.get(f"/reports/{report.id}/submit").status_code == 403
    assert client.post(f"/reports/{report.id}/submit").status_code == 303
    again = client.get(f"/reports/{report.id}/submit", follow_redirects=True)
    assert "Báo cáo này đã được gửi." in again.get_data(as_text=True)


def test_reports_outside_the_scope_are_refused_everywhere(app, db, tree, editor_client, login_as):
    client, _ = editor_client
    report = start_via_page(client, tree)
    line = report.lines[0]
    outsider, _ = login_as(Role.EDITOR, tree.c3)
    assert outsider.get(f"/reports/{report.id}").status_code == 403
    assert outsider.get(f"/reports/lines/{line.id}/edit").status_code == 403
    assert outsider.post(f"/reports/lines/{line.id}/edit", data=line_data(line)).status_code == 403
    assert outsider.post(f"/reports/{report.id}/submit").status_code == 403
    assert outsider.post(f"/reports/{report.id}/accept", data={"version": 1}).status_code == 403
    assert outsider.post(
        "/reports/start",
        data={"unit_id": tree.c1.id, "organization_id": org("nong_dan").id, "year": YEAR,
              "period": "year"},
    ).status_code == 403  # fmt: skip
    # The commune editor may not decide on their own report.
    assert client.post(f"/reports/{report.id}/submit").status_code == 303
    assert client.post(f"/reports/{report.id}/accept", data={"version": 2}).status_code == 403
    anonymous = app.test_client().get(f"/reports/{report.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_menu_leads_a_committee_to_its_reports(db, tree, editor_client, login_as):
    client, _ = editor_client
    assert 'href="/reports"' in client.get("/").get_data(as_text=True)
    response = client.get("/reports")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{tree.c1.id}")
    publisher, _ = login_as(Role.PUBLISHER, tree.province)
    assert 'href="/reports"' not in publisher.get("/").get_data(as_text=True)
    assert publisher.get("/reports").status_code == 403


def test_a_line_save_while_the_report_is_submitted(app, db, tree, editor_and_reviewer, half_year):
    """Two real sessions: the submission holds the report's row lock; the save waits, then
    finds the report sent and is refused, so nothing changes behind the reviewer's back. Two
    saves of the same line from the same version: the second is stale."""
    from tests.test_review import _race
    from webapp.auth.models import User

    editor_id = editor_and_reviewer[0].id
    report_id, line_id = half_year.id, half_year.lines[0].id
    version = half_year.lines[0].version
    db.session.remove()

    def save(percent):
        def work(session_db):
            line = session_db.session.get(ProgressLine, line_id)
            editor = session_db.session.get(User, editor_id)
            services.update_line(editor, line, version, line_values(percent_done=percent))

        return work

    outcomes, waited_in = _race(app, ("first", save(30)), ("second", save(60)))
    assert waited_in is not None, "the second session never waited for the first"
    assert outcomes == {"first": "done", "second": "StaleVersion"}, outcomes

    def submit(session_db):
        report = session_db.session.get(ProgressReport, report_id)
        services.submit_report(session_db.session.get(User, editor_id), report)

    line_version = db.session.get(ProgressLine, line_id).version
    db.session.remove()

    def late_save(session_db):
        line = session_db.session.get(ProgressLine, line_id)
        editor = session_db.session.get(User, editor_id)
        services.update_line(editor, line, line_version, line_values(percent_done=90))

    outcomes, waited_in = _race(app, ("submit", submit), ("save", late_save))
    assert waited_in is not None, "the second session never waited for the first"
    assert outcomes == {"submit": "done", "save": "Denied"}, outcomes
    assert db.session.get(ProgressLine, line_id).percent_done == 30
