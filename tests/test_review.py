"""Review: the whole loop through the pages, decisions with and without htmx, what changed
since a return, history, notifications, and concurrent decisions on both databases."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from tests import factories
from tests.factories import content, org
from tests.queries import counting_queries
from webapp import policy
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.notifications.models import Notification, NotificationKind
from webapp.policy import Action
from webapp.registrations import services
from webapp.registrations.models import Entry, EntryState, ListState, RegistrationList
from webapp.review import services as review
from webapp.review.chain import reviewing_unit
from webapp.review.models import Decision, ReviewDecision
from webapp.units.models import Level

HTMX = {"HX-Request": "true"}


def values(name: str, number: int, unit, organization: str = "nong_dan", **more):
    """An entry's values: a name, a content number, where, and whose."""
    return services.EntryValues(
        kind=more.pop("kind", "cong_trinh"),
        name=name,
        content=content(number),
        location=unit,
        lead_organization=org(organization),
        **more,
    )


def submitted_list(db, tree, editor, *, names=("Đường bê tông thôn Nà Mò", "Mô hình nuôi bò")):
    registration_list = services.start_list(editor, tree.c1, org("nong_dan"), 2027)
    for number, name in enumerate(names, start=1):
        services.add_entry(
            editor,
            registration_list,
            services.EntryValues(
                kind="cong_trinh",
                name=name,
                content=content(number),
                location=tree.c1,
                lead_organization=org("nong_dan"),
                scale="1 km",
                budget_people=1_000_000,
            ),
        )
    services.submit_list(editor, registration_list)
    db.session.commit()
    return registration_list


@pytest.fixture
def people(db, tree, campaign, login_as):
    """An editor of C1 with their client, and the D1 reviewer with theirs."""
    editor_client, editor = login_as(Role.EDITOR, tree.c1)
    reviewer_client, reviewer = login_as(Role.REVIEWER, tree.d1)
    return editor_client, editor, reviewer_client, reviewer


def seen(registration_list: RegistrationList) -> dict[str, str]:
    """What the approve-all form posts: the awaiting entries' versions on the page."""
    return {
        f"seen-{e.id}": str(e.version)
        for e in registration_list.entries
        if e.state == EntryState.SUBMITTED
    }


def entry_form_data(entry: Entry, **changes) -> dict:
    data = {
        "kind": entry.kind.value,
        "name": entry.name,
        "content_id": str(entry.content_id),
        "location_id": str(entry.location_id),
        "lead_organization_id": str(entry.lead_organization_id),
        "scale": entry.scale or "",
        "budget_people": str(entry.budget_people or ""),
        "version": str(entry.version),
    }
    data.update(changes)
    return data


def test_the_whole_loop_draft_to_approved(db, tree, people):
    editor_client, editor, reviewer_client, reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road, cattle = registration_list.entries
    # The reviewer is told, and finds the list in the queue.
    assert (
        db.session.scalar(sa.select(Notification.kind).where(Notification.user_id == reviewer.id))
        == NotificationKind.SUBMITTED
    )
    queue = reviewer_client.get("/review").get_data(as_text=True)
    assert "Hội Nông dân · 2027" in queue and "2 chờ duyệt" in queue
    # Return one with a reason, approve the other.
    returned = reviewer_client.post(
        f"/review/entries/{road.id}/return",
        data={"version": str(road.version), "reason": "Ghi rõ chiều dài và chiều rộng mặt đường"},
    )
    approved = reviewer_client.post(
        f"/review/entries/{cattle.id}/approve", data={"version": str(cattle.version)}
    )
    assert returned.status_code == approved.status_code == 303
    db.session.expire_all()
    assert (road.state, cattle.state) == (EntryState.RETURNED, EntryState.APPROVED)
    assert registration_list.state == ListState.RETURNED
    # The editor is told, sees the reason next to the row, fixes it and resubmits.
    home = editor_client.get("/").get_data(as_text=True)
    assert "1 mục bị trả lại cho bạn" in home
    page = editor_client.get(f"/registrations/lists/{registration_list.id}").get_data(as_text=True)
    assert "Ghi rõ chiều dài và chiều rộng mặt đường" in page
    assert editor_client.get(f"/registrations/entries/{cattle.id}/edit").status_code == 303
    fixed = editor_client.post(
        f"/registrations/entries/{road.id}/edit",
        data=entry_form_data(road, scale="Dài 1,2 km, rộng 3 m", budget_people="1.500.000"),
    )
    assert fixed.status_code == 303
    assert (
        editor_client.post(f"/registrations/lists/{registration_list.id}/submit").status_code == 303
    )
    db.session.expire_all()
    assert road.state == EntryState.SUBMITTED and cattle.state == EntryState.APPROVED
    # The reviewer sees what changed since the return, field by field, and approves.
    page = reviewer_client.get(f"/registrations/lists/{registration_list.id}").get_data(
        as_text=True
    )
    changes = re.search(r'<table class="data changes">.*?</table>', page, re.S).group(0)
    assert "Quy mô" in changes and "1 km" in changes and "Dài 1,2 km, rộng 3 m" in changes
    assert "1.000.000" in changes and "1.500.000" in changes
    assert "Tên công trình" not in changes  # unchanged fields are not listed
    final = reviewer_client.post(
        f"/review/entries/{road.id}/approve", data={"version": str(road.version)}
    )
    assert final.status_code == 303
    db.session.expire_all()
    assert registration_list.state == ListState.APPROVED
    assert [d.decision for d in road.decisions] == [Decision.RETURNED, Decision.APPROVED]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Notification.user_id == editor.id, Notification.kind == NotificationKind.APPROVED
            )
        )
        == 1
    )
    # Approved entries are locked for the editor.
    assert editor_client.get(f"/registrations/entries/{road.id}/edit").status_code == 303
    # The history tells the story to both.
    for client in (editor_client, reviewer_client):
        history = client.get(f"/history/entries/{road.id}").get_data(as_text=True)
        for step in ("đã thêm mục", "đã gửi danh sách", "đã trả lại", "đã sửa mục", "đã duyệt"):
            assert step in history, step
        assert "Ghi rõ chiều dài và chiều rộng mặt đường" in history


def test_a_list_loads_its_entries_decisions_and_deciders_with_it(app, db, tree, people):
    """Review adds Entry.decisions from above and has load_list load them with their deciders
    (registrations import nothing of review): the rows then read them without a query."""
    from flask_login import login_user

    from webapp.registrations.queries import load_list

    _editor_client, editor, _reviewer_client, reviewer = people
    registration_list = submitted_list(db, tree, editor)
    for entry in registration_list.entries:
        review.return_entry(reviewer, entry, entry.version, "Ghi rõ quy mô")
    db.session.commit()
    list_id, user_id, username = registration_list.id, reviewer.id, reviewer.username
    db.session.expunge_all()  # loaded afresh, as in a request
    with app.test_request_context("/"):
        login_user(db.session.get(type(reviewer), user_id))
        loaded = load_list(list_id)
        with counting_queries() as statements:
            deciders = [e.last_decision.decided_by.username for e in loaded.entries]
    assert deciders == [username] * 2 and statements == []


def test_decisions_with_htmx_return_the_row(db, tree, people):
    _editor_client, editor, reviewer_client, _reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    response = reviewer_client.post(
        f"/review/entries/{road.id}/approve", data={"version": str(road.version)}, headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == '{"entries-changed": true}'
    assert body.lstrip().startswith(f'<li id="entry-{road.id}" class="entry entry-approved"')
    assert len(body.encode()) < 5 * 1024


def test_the_last_decision_in_place_takes_approve_all_away(db, tree, people):
    _editor_client, editor, reviewer_client, _reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road, cattle = registration_list.entries
    page = reviewer_client.get(f"/registrations/lists/{registration_list.id}")
    assert page.get_data(as_text=True).count('<form id="approve-all"') == 1
    first = reviewer_client.post(
        f"/review/entries/{road.id}/approve", data={"version": str(road.version)}, headers=HTMX
    ).get_data(as_text=True)
    # One entry still awaits: the form comes along, out of band, with only that entry.
    oob = re.search(r'<form id="approve-all"[^>]*hx-swap-oob="true">(.*?)</form>', first, re.S)
    assert oob and f'name="seen-{cattle.id}"' in oob[1] and f"seen-{road.id}" not in oob[1]
    last = reviewer_client.post(
        f"/review/entries/{cattle.id}/return",
        data={"version": str(cattle.version), "reason": "Ghi rõ số con bò"},
        headers=HTMX,
    ).get_data(as_text=True)
    assert '<span id="approve-all" hidden hx-swap-oob="true"></span>' in last
    assert "Duyệt tất cả" not in last
    assert len(last.encode()) < 5 * 1024


def test_the_review_card_shows_partners_budget_split_notes_and_links_the_entry(
    db, tree, people, login_as
):
    _editor_client, editor, reviewer_client, _reviewer = people
    registration_list = services.start_list(editor, tree.c1, org("nong_dan"), 2027)
    entry = services.add_entry(
        editor,
        registration_list,
        values(
            "Nhà văn hóa thôn Nà Mò",
            2,
            tree.c1,
            "doan_thanh_nien",
            partners=[org("phu_nu"), org("cuu_chien_binh")],
            budget_people=20_000_000,
            budget_state=150_000_000,
            budget_other=5_000_000,
            notes="Dân hiến 300 m² đất",
        ),
    )
    services.submit_list(editor, registration_list)
    db.session.commit()
    response = reviewer_client.get(f"/registrations/lists/{registration_list.id}")
    card = re.search(rf'<li id="entry-{entry.id}".*?</li>', response.get_data(as_text=True), re.S)
    text = re.sub(r"<[^>]+>", "", card[0])
    assert "175.000.000 đ (nhân dân 20.000.000 · nhà nước 150.000.000 · khác 5.000.000)" in text
    assert "Đơn vị chủ trì: Đoàn TNCS Hồ Chí Minh" in text
    assert "Đơn vị phối hợp: Hội Liên hiệp Phụ nữ" in text and "Hội Cựu chiến binh" in text
    assert "Ghi chú: Dân hiến 300 m² đất" in text
    assert f'<a href="/registrations/entries/{entry.id}">Nhà văn hóa thôn Nà Mò</a>' in card[0]
    assert reviewer_client.get(f"/registrations/entries/{entry.id}").status_code == 303


def test_a_return_without_a_reason_is_refused(db, tree, people):
    _editor_client, editor, reviewer_client, _reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    for headers, status in ((HTMX, 200), ({}, 422)):
        response = reviewer_client.post(
            f"/review/entries/{road.id}/return",
            data={"version": str(road.version), "reason": "   "},
            headers=headers,
        )
        assert response.status_code == status
        assert "Hãy nêu lý do để người nhập biết cần sửa gì." in response.get_data(as_text=True)
    db.session.expire_all()
    assert road.state == EntryState.SUBMITTED and road.decisions == []


def test_approve_all_and_reopen_by_a_reviewer_above(db, tree, people, login_as):
    editor_client, editor, reviewer_client, _reviewer = people
    province_client, province = login_as(Role.REVIEWER, tree.province)
    registration_list = submitted_list(db, tree, editor)
    response = reviewer_client.post(
        f"/review/lists/{registration_list.id}/approve", data=seen(registration_list)
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert registration_list.state == ListState.APPROVED
    road = registration_list.entries[0]
    # The province cannot approve commune items (the district is nearer), but may reopen.
    no_reason = province_client.post(
        f"/review/entries/{road.id}/reopen", data={"version": str(road.version), "reason": ""}
    )
    assert no_reason.status_code == 422
    reopened = province_client.post(
        f"/review/entries/{road.id}/reopen",
        data={"version": str(road.version), "reason": "Trùng với công trình của xã"},
    )
    assert reopened.status_code == 303
    db.session.expire_all()
    assert road.state == EntryState.RETURNED and registration_list.state == ListState.RETURNED
    assert road.last_decision.decision == Decision.REOPENED
    page = editor_client.get(f"/registrations/lists/{registration_list.id}").get_data(as_text=True)
    assert "Trùng với công trình của xã" in page
    # Who did what is on record: the approval of the list by the district reviewer, the
    # reopening of the road by the province, and the editor is told of both by name.
    approved_by = db.session.scalar(
        sa.select(AuditEvent.actor_id).where(AuditEvent.action == "list.approved")
    )
    assert approved_by == _reviewer.id
    told = db.session.execute(
        sa.select(Notification.kind, Notification.actor_id, Notification.entry_id)
        .where(Notification.user_id == editor.id, Notification.kind != NotificationKind.SUBMITTED)
        .order_by(Notification.id)
    ).all()
    assert told == [
        (NotificationKind.APPROVED, _reviewer.id, None),
        (NotificationKind.REOPENED, province.id, road.id),
    ]


def test_reopening_what_changed_since_the_page_was_opened_is_refused(db, tree, people, login_as):
    _editor_client, editor, reviewer_client, _reviewer = people
    province_client, _ = login_as(Role.REVIEWER, tree.province)
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    seen_version = road.version
    reviewer_client.post(f"/review/entries/{road.id}/approve", data={"version": seen_version})
    db.session.expire_all()
    assert road.state == EntryState.APPROVED and road.version != seen_version
    # The province opened the road before the district approved it: its reopening is stale.
    stale = province_client.post(
        f"/review/entries/{road.id}/reopen",
        data={"version": str(seen_version), "reason": "Trùng với công trình của xã"},
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert road.state == EntryState.APPROVED
    assert road.last_decision.decision == Decision.APPROVED


def test_reviewers_outside_the_chain_and_submitters_are_refused(db, tree, people, login_as):
    editor_client, editor, _reviewer_client, _reviewer = people
    other_district, _ = login_as(Role.REVIEWER, tree.d2)
    province_client, _ = login_as(Role.REVIEWER, tree.province)
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    data = {"version": str(road.version)}
    assert other_district.post(f"/review/entries/{road.id}/approve", data=data).status_code == 403
    assert province_client.post(f"/review/entries/{road.id}/approve", data=data).status_code == 403
    assert editor_client.post(f"/review/entries/{road.id}/approve", data=data).status_code == 403
    assert "Hội Nông dân · 2027" not in other_district.get("/review").get_data(as_text=True)
    db.session.expire_all()
    assert road.state == EntryState.SUBMITTED


def _also_editor(db, user, unit) -> None:
    from webapp.auth.models import RoleAssignment

    user.roles.append(RoleAssignment(role=Role.EDITOR, unit=unit))
    db.session.commit()


def test_nobody_approves_a_list_they_submitted(db, tree, campaign, login_as):
    client, both = login_as(Role.REVIEWER, tree.d1)
    _also_editor(db, both, tree.c1)
    registration_list = submitted_list(db, tree, both)
    road = registration_list.entries[0]
    response = client.post(f"/review/entries/{road.id}/approve", data={"version": road.version})
    assert response.status_code == 403
    with pytest.raises(policy.Denied):
        review.approve(both, road, road.version)
    # Their own list is not counted as work for them, and goes one level up instead.
    assert "Hội Nông dân · 2027" not in client.get("/review").get_data(as_text=True)
    assert (
        reviewing_unit(tree.c1, excluded_user_id=both.id) is None
    )  # nobody above D1 yet: it waits for one, and nobody is told wrongly
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    db.session.commit()
    assert policy.can(province, Action.ENTRY_APPROVE, road)


def test_nobody_approves_an_entry_they_wrote_or_changed(db, tree, people, login_as):
    _editor_client, editor, reviewer_client, reviewer = people
    _also_editor(db, reviewer, tree.c1)
    registration_list = services.start_list(reviewer, tree.c1, org("nong_dan"), 2027)
    written = services.add_entry(
        reviewer,
        registration_list,
        values("Do người duyệt viết", 2, tree.c1, kind="mo_hinh"),
    )
    other = services.add_entry(
        editor,
        registration_list,
        values("Do người nhập viết", 3, tree.c1, kind="mo_hinh"),
    )
    services.submit_list(editor, registration_list)  # a colleague submits
    db.session.commit()
    assert not policy.can(reviewer, Action.ENTRY_APPROVE, written)
    assert policy.can(reviewer, Action.ENTRY_APPROVE, other)
    # Approve-all leaves out what they wrote.
    response = reviewer_client.post(
        f"/review/lists/{registration_list.id}/approve", data=seen(registration_list)
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (written.state, other.state) == (EntryState.SUBMITTED, EntryState.APPROVED)
    # Nor one they changed after it came back.
    colleague = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    review.reopen(colleague, other, other.version, "Thêm quy mô")
    db.session.commit()
    changed = values("Do người nhập viết, người duyệt sửa", 3, tree.c1, kind="mo_hinh")
    services.update_entry(reviewer, other, other.version, changed)
    services.submit_list(editor, registration_list)
    db.session.commit()
    assert not policy.can(reviewer, Action.ENTRY_APPROVE, other)
    assert policy.can(colleague, Action.ENTRY_APPROVE, other)


def test_a_second_decision_on_the_same_entry_shows_how_it_stands(db, tree, people, login_as):
    _editor_client, editor, reviewer_client, _reviewer = people
    colleague, _ = login_as(Role.REVIEWER, tree.d1)
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    version = str(road.version)
    first = reviewer_client.post(f"/review/entries/{road.id}/approve", data={"version": version})
    second = colleague.post(
        f"/review/entries/{road.id}/return",
        data={"version": version, "reason": "Thiếu kinh phí"},
        headers=HTMX,
    )
    assert first.status_code == 303
    assert second.status_code == 200
    assert "Người khác đã quyết định hoặc sửa mục này" in second.get_data(as_text=True)
    db.session.expire_all()
    assert road.state == EntryState.APPROVED and len(road.decisions) == 1


def test_a_decision_against_an_entry_the_editor_changed_is_refused(db, tree, people):
    _editor_client, editor, reviewer_client, reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    review.return_entry(reviewer, road, road.version, "Sửa tên")
    db.session.commit()
    seen = road.version
    services.update_entry(
        editor,
        road,
        road.version,
        values("Tên mới", 1, tree.c1),
    )
    services.submit_list(editor, registration_list)
    db.session.commit()
    response = reviewer_client.post(f"/review/entries/{road.id}/approve", data={"version": seen})
    assert response.status_code == 409
    db.session.expire_all()
    assert road.state == EntryState.SUBMITTED


def test_the_audit_trail_records_every_decision(db, tree, people):
    _editor_client, editor, _reviewer_client, reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road, cattle = registration_list.entries
    review.return_entry(reviewer, road, road.version, "Lý do")
    review.approve(reviewer, cattle, cattle.version)
    db.session.commit()
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.actor_id == reviewer.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["entry.returned", "list.returned", "entry.approved"]
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.actor_id == reviewer.id).order_by(AuditEvent.id)
    ).all()
    # Each event is filed under the commune, so the commune's and its district's audit pages
    # list it; an entry's event also names its list and the reason given.
    assert [event.unit_id for event in events] == [tree.c1.id] * 3
    assert [event.details.get("list_id") for event in events] == [
        registration_list.id,
        None,
        registration_list.id,
    ]
    assert [event.details.get("reason") for event in events] == ["Lý do", None, None]
    snapshot = db.session.scalar(
        sa.select(ReviewDecision.snapshot).where(ReviewDecision.decision == Decision.RETURNED)
    )
    assert snapshot["name"] == "Đường bê tông thôn Nà Mò"


def _unread(db, user) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def test_notifications_page_and_reading(db, tree, people, login_as):
    """Opening a notification (a POST) reads it and the others about its list, then shows the
    list; the GETs of the page and of the list change nothing."""
    _editor_client, editor, reviewer_client, reviewer = people
    registration_list = submitted_list(db, tree, editor)
    page = reviewer_client.get("/notifications").get_data(as_text=True)
    assert "Đã gửi để bạn duyệt" in page and "mới" in page
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == reviewer.id)
    )
    opening = f"/notifications/{notification.id}/read"
    assert f'action="{opening}"' in page
    list_url = f"/registrations/lists/{registration_list.id}"
    with no_writes(db):
        assert reviewer_client.get(list_url).status_code == 200
        assert reviewer_client.get("/notifications").status_code == 200
    assert _unread(db, reviewer) == 1

    other_client, _other = login_as(Role.REVIEWER, tree.d1)
    assert other_client.post(opening).status_code == 404
    assert _unread(db, reviewer) == 1

    response = reviewer_client.post(opening)
    assert response.status_code == 303
    assert response.headers["Location"] == list_url
    assert _unread(db, reviewer) == 0
    page = reviewer_client.get("/notifications").get_data(as_text=True)
    assert f'href="{list_url}"' in page and f'action="{opening}"' not in page
    assert reviewer_client.post("/notifications/read").status_code == 303


class no_writes:
    """Fails when a statement that writes runs on the database inside the block."""

    WRITES = re.compile(
        r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|TRUNCATE|CREATE|DROP|ALTER)\b", re.I
    )

    def __init__(self, db):
        self.engine, self.writes = db.engine, []

    def _record(self, _conn, _cursor, statement, *_args):
        if self.WRITES.search(statement):
            self.writes.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)
        assert not self.writes, self.writes


def test_queue_filters(db, tree, people, login_as):
    editor_client, editor, reviewer_client, _reviewer = people
    submitted_list(db, tree, editor)
    editor2 = factories.make_user(roles=[(Role.EDITOR, tree.c2)])
    other = services.start_list(editor2, tree.c2, org("phu_nu"), 2027)
    services.add_entry(
        editor2,
        other,
        values("Mô hình 3 sạch", 3, tree.c2, "phu_nu", kind="mo_hinh"),
    )
    services.submit_list(editor2, other)
    db.session.commit()
    everything = reviewer_client.get("/review").get_data(as_text=True)
    assert "Hội Nông dân" in everything and "Hội Liên hiệp Phụ nữ" in everything
    by_unit = reviewer_client.get(f"/review?unit={tree.c2.id}").get_data(as_text=True)
    assert "Hội Nông dân · 2027" not in by_unit and "Hội Liên hiệp Phụ nữ · 2027" in by_unit
    by_content = reviewer_client.get(f"/review?content={content(3).id}").get_data(as_text=True)
    assert "Hội Nông dân · 2027" not in by_content and "Phụ nữ · 2027" in by_content
    by_org = reviewer_client.get(f"/review?organization={org('nong_dan').id}").get_data(
        as_text=True
    )
    assert "Hội Nông dân · 2027" in by_org and "Phụ nữ · 2027" not in by_org
    approved = reviewer_client.get("/review?state=approved").get_data(as_text=True)
    assert "Không có gì cần duyệt" in approved
    assert reviewer_client.get("/review?state=nonsense&unit=x&year=abc").status_code == 200
    assert editor_client.get("/review").status_code == 403


def _race(app, first, second) -> tuple[dict[str, str], str | None]:
    """Run `first` in one session and hold its transaction open; run `second` in another and
    watch until it is seen waiting for a lock the first holds (PostgreSQL: from a third
    connection, in pg_stat_activity; SQLite: at its first statement that needs the write lock
    the first holds); only then let the first commit. Each is (name, function(db) -> None).

    Returns each one's outcome ("done" or the error's name) and the statement the second was
    seen waiting in (None: it never waited on the first, so the race was not run)."""
    from webapp.extensions import db

    held, release = threading.Event(), threading.Event()
    pids: dict[str, int] = {}
    outcomes: dict[str, str] = {}
    on_postgresql = db.engine.dialect.name == "postgresql"

    def run(name, work, *, holder: bool) -> None:
        with app.app_context():
            from webapp.extensions import db as session_db

            session = session_db.session
            try:
                if on_postgresql:
                    pids[name] = session.scalar(sa.text("SELECT pg_backend_pid()"))
                work(session_db)
                if holder:
                    session.flush()
                    held.set()
                    release.wait(30)  # set once the other session is seen waiting on us
                session.commit()
                outcomes[name] = "done"
            except Exception as error:
                session.rollback()
                outcomes[name] = type(error).__name__
            finally:
                held.set()
                session.remove()

    holder = threading.Thread(target=run, args=first, kwargs={"holder": True})
    waiter = threading.Thread(target=run, args=second, kwargs={"holder": False})
    holder.start()
    try:
        assert held.wait(30), "the first session did not get through its work"
        if on_postgresql:
            waiter.start()
            waited_in = _seen_waiting(waiter, lambda: pids.get(second[0]), pids.get(first[0]))
        else:
            with _WriteLockWatch(db.engine) as watch:
                waiter.start()
                waited_in = watch.statement_of(waiter)
    finally:
        release.set()
        holder.join(timeout=30)
        if waiter.ident is not None:
            waiter.join(timeout=30)
    return outcomes, waited_in


def _seen_waiting(waiter: threading.Thread, pid, holder_pid: int | None) -> str | None:
    """Watch pg_stat_activity from a connection of its own until the waiter's session waits
    for a lock (wait_event_type 'Lock') that `holder_pid` holds; its statement then, or None
    if the waiter ended (or 20 s passed) without ever waiting on the holder."""
    from webapp.extensions import db

    deadline = time.monotonic() + 20
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        while waiter.is_alive() and time.monotonic() < deadline:
            if (waiting := pid()) is not None:
                row = watcher.execute(
                    sa.text(
                        "SELECT wait_event_type, pg_blocking_pids(pid) AS blockers, query"
                        " FROM pg_stat_activity WHERE pid = :pid"
                    ),
                    {"pid": waiting},
                ).one_or_none()
                if row and row.wait_event_type == "Lock" and holder_pid in row.blockers:
                    return row.query
            waiter.join(0.005)  # poll again, or stop at once if it ended
    return None


def _waited_for_the_lock_of(table: str, waited_in: str) -> None:
    """The second session of a race waited where it takes the lock: on PostgreSQL the row lock
    of `table`; on SQLite the write lock, taken before it read anything."""
    from webapp.extensions import db

    if db.engine.dialect.name == "postgresql":
        assert f"FROM {table}" in waited_in and "FOR UPDATE" in waited_in, waited_in
    else:
        assert waited_in == "BEGIN IMMEDIATE", waited_in


class _WriteLockWatch:
    """SQLite: the first statement each thread runs that needs the database's write lock.
    While the first session of a race holds its write transaction open, a session at such a
    statement waits for it (busy_timeout); SQLite shows no waiters to a third connection."""

    NEEDS_LOCK = re.compile(r"\s*(BEGIN\s+IMMEDIATE|INSERT|UPDATE|DELETE)\b", re.I)

    def __init__(self, engine):
        self.engine, self.seen, self.changed = engine, {}, threading.Condition()

    def _record(self, _conn, _cursor, statement, *_args):
        if self.NEEDS_LOCK.match(statement):
            with self.changed:
                self.seen.setdefault(threading.get_ident(), statement)
                self.changed.notify_all()

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    def statement_of(self, thread: threading.Thread) -> str | None:
        """The thread's statement once it reaches one, or None if it ended (or 20 s passed)
        without one."""
        deadline = time.monotonic() + 20
        with self.changed:
            while thread.ident not in self.seen and time.monotonic() < deadline:
                if not thread.is_alive():
                    break
                self.changed.wait(0.005)  # woken at once when a statement is recorded
            return self.seen.get(thread.ident)


def test_two_reviewers_deciding_at_once(app, db, tree, campaign):
    """Two real sessions on one entry: the second waits for the first's lock, then sees the
    entry changed and is refused (StaleVersion), so neither decision overwrites the other."""
    from webapp.auth.models import User

    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    first = factories.make_user(roles=[(Role.REVIEWER, tree.d1)]).id
    second = factories.make_user(roles=[(Role.REVIEWER, tree.d1)]).id
    registration_list = submitted_list(db, tree, editor)
    entry_id, version = registration_list.entries[0].id, registration_list.entries[0].version
    db.session.remove()

    def approve(session_db):
        entry = session_db.session.get(Entry, entry_id)
        review.approve(session_db.session.get(User, first), entry, version)

    def send_back(session_db):
        entry = session_db.session.get(Entry, entry_id)
        review.return_entry(session_db.session.get(User, second), entry, version, "Chưa rõ")

    outcomes, waited_in = _race(app, ("approve", approve), ("return", send_back))
    # The second really came while the first held the list's row lock, and waited for it.
    assert waited_in is not None, "the second session never waited for the first"
    _waited_for_the_lock_of("registration_lists", waited_in)
    assert outcomes == {"approve": "done", "return": "StaleVersion"}, outcomes
    entry = db.session.get(Entry, entry_id)
    assert entry.state == EntryState.APPROVED and len(entry.decisions) == 1
    assert entry.version == version + 1


def test_a_decision_while_the_editor_resubmits(app, db, tree, campaign):
    """The editor resubmits the list while the reviewer approves another of its entries: the
    reviewer's session waits for the list lock and settles the list on what is committed."""
    from webapp.auth.models import User

    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    registration_list = submitted_list(db, tree, editor)
    road, cattle = registration_list.entries
    review.return_entry(reviewer, road, road.version, "Sửa quy mô")
    db.session.commit()
    list_id, cattle_id, version = registration_list.id, cattle.id, cattle.version
    editor_id, reviewer_id = editor.id, reviewer.id
    db.session.remove()

    def resubmit(session_db):
        registration = session_db.session.get(RegistrationList, list_id)
        services.submit_list(session_db.session.get(User, editor_id), registration)

    def approve(session_db):
        entry = session_db.session.get(Entry, cattle_id)
        _ = [e.state for e in entry.registration_list.entries]  # what this session saw
        review.approve(session_db.session.get(User, reviewer_id), entry, version)

    outcomes, waited_in = _race(app, ("resubmit", resubmit), ("approve", approve))
    assert waited_in is not None, "the reviewer's session never waited for the editor's"
    _waited_for_the_lock_of("registration_lists", waited_in)
    assert outcomes == {"resubmit": "done", "approve": "done"}, outcomes
    registration = db.session.get(RegistrationList, list_id)
    assert sorted(e.state for e in registration.entries) == [
        EntryState.APPROVED,
        EntryState.SUBMITTED,
    ]
    assert registration.state == ListState.SUBMITTED


def test_the_province_reviews_its_own_lists(db, tree, campaign, login_as):
    province_client, _reviewer = login_as(Role.REVIEWER, tree.province)
    editor = factories.make_user(roles=[(Role.EDITOR, tree.province)])
    registration_list = services.start_list(editor, tree.province, org("nong_dan"), 2027)
    services.add_entry(
        editor,
        registration_list,
        values("Tập huấn cấp tỉnh", 5, tree.province, kind="phan_viec"),
    )
    services.submit_list(editor, registration_list)
    db.session.commit()
    assert reviewing_unit(tree.province) == tree.province
    assert "Hội Nông dân · 2027" in province_client.get("/review").get_data(as_text=True)
    response = province_client.post(
        f"/review/lists/{registration_list.id}/approve", data=seen(registration_list)
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert registration_list.state == ListState.APPROVED


def test_two_levels_route_commune_items_to_the_province(db, campaign, login_as):
    province = factories.make_unit("Tỉnh Thái Nguyên", level=Level.PROVINCE)
    commune = factories.make_unit("Xã Bằng Thành", parent=province)
    client, _reviewer = login_as(Role.REVIEWER, province)
    editor = factories.make_user(roles=[(Role.EDITOR, commune)])
    registration_list = services.start_list(editor, commune, org("phu_nu"), 2027)
    model = values("Mô hình 5 không 3 sạch", 3, commune, "phu_nu", kind="mo_hinh")
    services.add_entry(editor, registration_list, model)
    services.submit_list(editor, registration_list)
    db.session.commit()
    assert "1 mục đang chờ bạn duyệt" in client.get("/").get_data(as_text=True)
    assert "Xã Bằng Thành" in client.get("/review").get_data(as_text=True)
    entry = registration_list.entries[0]
    response = client.post(
        f"/review/entries/{entry.id}/return",
        data={"version": str(entry.version), "reason": "Ghi rõ số hộ"},
    )
    assert response.status_code == 303
    assert (
        db.session.scalar(sa.select(Notification.kind).where(Notification.user_id == editor.id))
        == NotificationKind.RETURNED
    )


def test_approve_all_leaves_what_changed_since_the_page_was_opened(db, tree, people):
    _editor_client, editor, reviewer_client, reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road, cattle = registration_list.entries
    review.return_entry(reviewer, road, road.version, "Ghi rõ quy mô")
    db.session.commit()
    page_versions = seen(registration_list)  # the reviewer's page: only the cattle awaits
    rewritten = values("Đường bê tông (sửa)", 1, tree.c1, budget_people=999_000_000)
    services.update_entry(editor, road, road.version, rewritten)
    services.submit_list(editor, registration_list)
    db.session.commit()
    response = reviewer_client.post(
        f"/review/lists/{registration_list.id}/approve", data=page_versions, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Đã duyệt 1 mục." in page
    assert "1 mục đã thay đổi sau khi bạn mở trang nên chưa được duyệt" in page
    db.session.expire_all()
    assert (road.state, cattle.state) == (EntryState.SUBMITTED, EntryState.APPROVED)


def test_a_reason_typed_for_a_decision_someone_else_took_is_kept(db, tree, people, login_as):
    _editor_client, editor, reviewer_client, _reviewer = people
    colleague, _ = login_as(Role.REVIEWER, tree.d1)
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    version = str(road.version)
    assert colleague.post(f"/review/entries/{road.id}/approve", data={"version": version})
    for headers in (HTMX, {}):
        response = reviewer_client.post(
            f"/review/entries/{road.id}/return",
            data={"version": version, "reason": "Kinh phí chưa hợp lý"},
            headers=headers,
        )
        page = response.get_data(as_text=True)
        assert "Nội dung bạn đã viết:" in page and "Kinh phí chưa hợp lý" in page
        # … and not slipped into another decision's form.
        assert "Kinh phí chưa hợp lý</textarea>" not in page


def test_a_returned_entry_can_be_withdrawn_and_the_list_completes(db, tree, people):
    editor_client, editor, _reviewer_client, reviewer = people
    registration_list = submitted_list(db, tree, editor)
    road, cattle = registration_list.entries
    review.return_entry(reviewer, road, road.version, "Trùng với xã bên")
    review.approve(reviewer, cattle, cattle.version)
    db.session.commit()
    response = editor_client.post(
        f"/registrations/entries/{road.id}/delete", data={"version": str(road.version)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert registration_list.state == ListState.APPROVED
    assert [e.name for e in registration_list.entries] == ["Mô hình nuôi bò"]


def test_entries_first_sent_after_the_deadline_make_the_list_late(db, tree, campaign):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    registration_list = services.start_list(editor, tree.c1, org("nong_dan"), 2017)
    road = values("Đường", 1, tree.c1)
    first = services.add_entry(editor, registration_list, road)
    services.submit_list(editor, registration_list, at=datetime(2017, 7, 1, tzinfo=hanoi))
    review.return_entry(reviewer, first, first.version, "Sửa tên")
    # Sent back on time, fixed after the deadline: still on time.
    services.submit_list(editor, registration_list, at=datetime(2017, 8, 1, tzinfo=hanoi))
    assert not registration_list.is_late
    review.return_entry(reviewer, first, first.version, "Sửa lại")
    services.add_entry(editor, registration_list, road)  # a new entry, after the deadline
    services.submit_list(editor, registration_list, at=datetime(2017, 8, 5, tzinfo=hanoi))
    assert registration_list.is_late
    assert registration_list.first_submitted_at == datetime(2017, 7, 1, tzinfo=hanoi)


def test_decisions_are_told_to_the_commune_editors_once(db, tree, people, login_as):
    _editor_client, editor, _reviewer_client, reviewer = people
    district_editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    registration_list = services.start_list(district_editor, tree.c1, org("nong_dan"), 2027)
    services.add_entry(
        district_editor,
        registration_list,
        values("Đường", 1, tree.c1),
    )
    services.submit_list(district_editor, registration_list)  # sent for the commune
    db.session.commit()
    entry = registration_list.entries[0]
    review.return_entry(reviewer, entry, entry.version, "Ghi rõ")
    db.session.commit()

    def told(user, kind) -> int:
        return db.session.scalar(
            sa.select(sa.func.count()).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )

    assert told(editor, NotificationKind.RETURNED) == 1  # the commune's own editor
    assert told(district_editor, NotificationKind.RETURNED) == 1  # the submitter
    assert told(reviewer, NotificationKind.RETURNED) == 0
    assert told(reviewer, NotificationKind.SUBMITTED) == 1


def test_editors_of_the_lists_organization_are_told_and_no_other(db, tree, people):
    _editor_client, editor, _reviewer_client, reviewer = people
    farmers = factories.make_user(roles=[(Role.EDITOR, tree.c1, org("nong_dan"))])
    women = factories.make_user(roles=[(Role.EDITOR, tree.c1, org("phu_nu"))])
    registration_list = submitted_list(db, tree, editor)
    road = registration_list.entries[0]
    review.return_entry(reviewer, road, road.version, "Ghi rõ")
    db.session.commit()
    told = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.kind == NotificationKind.RETURNED)
        )
    )
    assert told == {editor.id, farmers.id}  # not the Women's Union's editor
    assert women.id not in told


@pytest.mark.parametrize(
    ("utc", "above"),
    [
        # 23:30 on 30/06/2025 in Vietnam: the district's last day, it comes first.
        (datetime(2025, 6, 30, 16, 30, tzinfo=UTC), "d1"),
        # 00:30 on 1/7/2025 there (UTC still says 30/06): the district has ended, so the
        # province comes first.
        (datetime(2025, 6, 30, 17, 30, tzinfo=UTC), "province"),
    ],
    ids=["23:30-local", "00:30-local"],
)
def test_a_unit_ends_at_midnight_in_vietnam_for_reviewers_and_deciders(db, tree, utc, above):
    """Who reviews a commune's lists (one at a time, and primed for a page) and who decides
    on its nominations, on the night its district ends."""
    from webapp.commendations.models import Nomination
    from webapp.commendations.permissions import deciding_unit
    from webapp.review.chain import prime_reviewing_units

    tree.d1.valid_to = date(2025, 6, 30)
    factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    db.session.commit()
    expected = getattr(tree, above)
    with time_machine.travel(utc, tick=False):
        assert reviewing_unit(tree.c1) == expected
        memo: dict = {}
        prime_reviewing_units([tree.c1], memo=memo)
        assert memo[(tree.c1.id, None, None)] == expected
        assert deciding_unit(Nomination(proposing_unit=tree.c1)) == expected
