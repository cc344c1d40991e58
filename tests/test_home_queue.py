"""The home page as a work queue: what waits for the signed-in user (reports to accept stay
there until decided, whether or not their notification was read) and what is late below
them (communes that sent no list this year), scoped like the pages behind each count, in a
fixed number of queries."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from tests import factories
from tests.factories import content, org
from tests.queries import counting_queries
from webapp.auth.models import Role
from webapp.db import local_today
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.registrations.models import Entry, EntryKind, EntryState, ListState, RegistrationList
from webapp.reports import services as reports
from webapp.reports.models import Period, ProgressReport, ReportState
from webapp.review import services as review


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


def this_year() -> int:
    return local_today().year


def sent_report(tree, editor, reviewer, unit=None, organization="nong_dan") -> ProgressReport:
    """A half-year report of this year, sent for review, on a list the reviewer approved."""
    unit = unit or tree.c1
    registration_list = registrations.start_list(editor, unit, org(organization), this_year())
    registrations.add_entry(
        editor,
        registration_list,
        registrations.EntryValues(
            kind="cong_trinh", name="Đường bê tông thôn Nà Mò", content=content(1),
            location=unit, lead_organization=org(organization),
        ),
    )  # fmt: skip
    registrations.submit_list(editor, registration_list)
    review.approve_all(
        reviewer, registration_list, {e.id: e.version for e in registration_list.entries}
    )
    report = reports.start_report(editor, unit, org(organization), this_year(), Period.HALF_YEAR)
    reports.submit_report(editor, report)
    db.session.commit()
    return report


def sign_in(app, user):
    client = app.test_client()
    response = client.post(
        "/login", data={"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 303
    client.token = None
    return client


def test_a_sent_report_stays_in_the_reviewers_queue_after_the_notification_is_read(
    app, tree, editor_and_reviewer
):
    editor, reviewer = editor_and_reviewer
    report = sent_report(tree, editor, reviewer)
    client = sign_in(app, reviewer)
    assert client.post("/notifications/read").status_code == 303

    home = client.get("/")
    assert "1 báo cáo chờ bạn chấp nhận" in text(home)
    assert 'href="/reports/queue"' in home.get_data(as_text=True)
    queue = client.get("/reports/queue")
    assert queue.status_code == 200
    assert f'href="/reports/{report.id}"' in queue.get_data(as_text=True)
    assert "Hội Nông dân" in text(queue)

    accepted = client.post(f"/reports/{report.id}/accept", data={"version": report.version})
    assert accepted.status_code == 303
    assert "báo cáo chờ bạn chấp nhận" not in text(client.get("/"))
    assert "Không có báo cáo nào chờ bạn chấp nhận." in text(client.get("/reports/queue"))
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).state == ReportState.ACCEPTED


def test_the_menu_offers_the_report_queue_only_to_who_may_accept_reports(
    app, tree, editor_and_reviewer
):
    editor, reviewer = editor_and_reviewer
    assert "Báo cáo chờ chấp nhận" in text(sign_in(app, reviewer).get("/"))
    assert "Báo cáo chờ chấp nhận" not in text(sign_in(app, editor).get("/"))


def test_province_admin_sees_the_communes_that_sent_no_list(
    app, tree, editor_and_reviewer, login_as
):
    editor, reviewer = editor_and_reviewer
    sent_report(tree, editor, reviewer)  # C1 sent (and had approved) a list
    client, _ = login_as(Role.ADMIN, tree.province)
    home = text(client.get("/"))
    assert f"2 xã chưa gửi danh sách năm {this_year()}" in home
    assert "Hiện không có việc cần xử lý" not in home

    listed = client.get(f"/queue/{this_year()}/unregistered")
    assert listed.status_code == 200
    page = text(listed)
    assert tree.c2.name in page and tree.c3.name in page and tree.c1.name not in page


def test_a_draft_list_is_not_a_sent_one(app, tree, editor_and_reviewer, login_as):
    editor, _ = editor_and_reviewer
    registrations.start_list(editor, tree.c1, org("nong_dan"), this_year())
    db.session.commit()
    client, _ = login_as(Role.ADMIN, tree.province)
    assert f"3 xã chưa gửi danh sách năm {this_year()}" in text(client.get("/"))


def test_out_of_scope_users_do_not_see_others_work(app, tree, editor_and_reviewer, login_as):
    editor, reviewer = editor_and_reviewer
    report = sent_report(tree, editor, reviewer)
    other_reviewer, _ = login_as(Role.REVIEWER, tree.d2)
    home = text(other_reviewer.get("/"))
    assert "chờ bạn chấp nhận" not in home
    assert f'href="/reports/{report.id}"' not in other_reviewer.get("/reports/queue").get_data(
        as_text=True
    )
    # A district admin counts only the communes of its district.
    district_admin, _ = login_as(Role.ADMIN, tree.d2)
    assert f"1 xã chưa gửi danh sách năm {this_year()}" in text(district_admin.get("/"))
    listed = text(district_admin.get(f"/queue/{this_year()}/unregistered"))
    assert tree.c3.name in listed and tree.c2.name not in listed
    # An editor has no report queue, and a commune's own editor no "late below".
    assert sign_in(app, editor).get("/reports/queue").status_code == 403
    assert "chưa gửi danh sách" not in text(sign_in(app, editor).get("/"))


def test_nothing_to_do_says_so(app, tree, campaign, login_as):
    client, _ = login_as(Role.VIEWER, tree.c1)
    assert "Hiện không có việc cần xử lý." in text(client.get("/"))


# A fixed number of queries


def grow(tree, communes: int) -> None:
    """Communes in both districts, each with a sent list (two look-alike entries), a sent
    report and a sent nomination."""
    from webapp.commendations.models import Nomination, NominationState, NomineeKind

    editor = factories.make_user(roles=[(Role.EDITOR, tree.province)])
    for n in range(communes):
        commune = factories.make_unit(f"Xã Thêm {n}", parent=tree.d1 if n % 2 else tree.d2)
        registration_list = RegistrationList(
            unit=commune, organization=org("nong_dan"), year=this_year(),
            state=ListState.SUBMITTED, submitted_by=editor,
            submitted_at=sa.func.now(), first_submitted_at=sa.func.now(),
        )  # fmt: skip
        entries = [
            Entry(
                registration_list=registration_list, kind=EntryKind.MO_HINH,
                name="Mô hình nuôi gà thả vườn", content=content(1), location=commune,
                lead_organization=org("nong_dan"), state=EntryState.SUBMITTED,
            )
            for _ in range(2)
        ]  # fmt: skip
        report = ProgressReport(
            unit=commune, organization=org("phu_nu"), year=this_year(),
            period=Period.HALF_YEAR, state=ReportState.SUBMITTED,
            submitted_at=sa.func.now(), submitted_by=editor,
        )  # fmt: skip
        nomination = Nomination(
            year=this_year(), kind=NomineeKind.COLLECTIVE, proposing_unit=commune,
            unit=commune, reason="Dẫn đầu phong trào", state=NominationState.SUBMITTED,
            submitted_by_id=editor.id, submitted_at=sa.func.now(),
        )  # fmt: skip
        db.session.add_all([*entries, report, nomination])
    db.session.commit()


def test_the_queue_takes_a_fixed_number_of_queries(app, tree, campaign):
    from webapp.home.queue import work_queue

    boss = factories.make_user(roles=[(Role.REVIEWER, tree.province), (Role.ADMIN, tree.province)])
    db.session.commit()

    def queries(expected_reports: int) -> int:
        db.session.expire_all()
        user = db.session.get(type(boss), boss.id)
        with app.test_request_context("/"), counting_queries() as statements:
            queue = work_queue(user)
        counts = {item.url: item.count for item in queue.mine}
        assert counts.get("/reports/queue", 0) == expected_reports
        return len(statements)

    queries(0)
    grow(tree, 2)
    small = queries(2)
    grow(tree, 10)
    large = queries(12)
    assert small == large, (small, large)


@pytest.mark.parametrize(
    ("utc", "expected", "gone"),
    [
        # 23:30 on 31/12/2025 in Vietnam: 2025's lists are late, 2026's due in 46 days (the
        # next deadline is within three months, so next year is reminded of too).
        (
            datetime(2025, 12, 31, 16, 30, tzinfo=UTC),
            [
                "Xã Đồng Phúc: 8 danh sách năm 2025 cần gửi · hạn 15/02/2025, đã quá 319 ngày",
                "Xã Đồng Phúc: 8 danh sách năm 2026 cần gửi · hạn 15/02/2026, còn 46 ngày",
            ],
            [],
        ),
        # An hour later it is 00:30 on 1/1/2026 there (UTC still says 31/12/2025): 2025 has
        # gone from the queue, and a day less is left for 2026.
        (
            datetime(2025, 12, 31, 17, 30, tzinfo=UTC),
            ["Xã Đồng Phúc: 8 danh sách năm 2026 cần gửi · hạn 15/02/2026, còn 45 ngày"],
            ["năm 2025", "còn 46 ngày"],
        ),
    ],
    ids=["23:30-local", "00:30-local"],
)
def test_the_registration_deadline_counts_in_vietnams_days_not_utcs(
    app, tree, editor_and_reviewer, utc, expected, gone
):
    editor, _ = editor_and_reviewer
    with time_machine.travel(utc, tick=False):
        home = text(sign_in(app, editor).get("/"))
    assert tree.c1.name == "Xã Đồng Phúc"
    for line in expected:
        assert line in home
    for words in gone:
        assert words not in home
