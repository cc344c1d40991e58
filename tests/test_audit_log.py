"""The audit log: scope (including unit-less events), refusals, each filter, bad dates, keyset
pages and links to the objects. Rows are told apart by their event ids and data, not labels."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import content, org
from tests.queries import counting_queries
from webapp import policy
from webapp.audit.models import AuditEvent
from webapp.audit.services import record
from webapp.auth.models import Role
from webapp.policy import Action
from webapp.registrations import services as registrations
from webapp.units.models import Unit

URL = "/audit"


def event(db, unit, action="user.created", *, actor=None, obj=None, at=None, **details):
    """An event about `obj` (by default a new account) in `unit` (None: no unit), committed."""
    top = sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)
    obj = obj or factories.make_user(home_unit=unit or db.session.scalar(top))
    recorded = record(actor, action, obj, unit_id=unit.id if unit else None, **details)
    if at is not None:
        recorded.occurred_at = at
    db.session.commit()
    return recorded


def shown(response) -> list[int]:
    """Ids of the events listed, in page order."""
    assert response.status_code == 200, response.status_code
    return [int(i) for i in re.findall(r'<tr id="event-(\d+)"', response.get_data(as_text=True))]


def everywhere(db, tree) -> dict[str, AuditEvent]:
    units = {
        "P": tree.province,
        "D1": tree.d1,
        "C1": tree.c1,
        "C2": tree.c2,
        "D2": tree.d2,
        "C3": tree.c3,
        "none": None,
    }
    return {
        name: event(db, unit, "deadline.set" if unit is None else "user.created")
        for name, unit in units.items()
    }


# Scope


def test_log_for_district_admin_shows_its_district_and_communes_only(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.d1)
    events = everywhere(db, tree)
    ids = set(shown(client.get(URL)))
    assert ids == {events["D1"].id, events["C1"].id, events["C2"].id}


def test_log_for_province_admin_shows_everything_including_unitless_events(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    events = everywhere(db, tree)
    assert set(shown(client.get(URL))) == {e.id for e in events.values()}


def test_log_shows_unitless_events_exactly_when_the_policy_allows_them(db, tree, login_as):
    province_client, province_admin = login_as(Role.ADMIN, tree.province)
    district_client, district_admin = login_as(Role.ADMIN, tree.d2)
    unitless = event(db, None, "deadline.set", kind="registration", after="15/01")
    assert policy.can(province_admin, Action.AUDIT_VIEW, unitless)
    assert not policy.can(district_admin, Action.AUDIT_VIEW, unitless)
    assert shown(province_client.get(URL)) == [unitless.id]
    assert shown(district_client.get(URL)) == []


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_log_for_non_admins_is_refused(db, tree, login_as, role):
    client, _ = login_as(role, tree.province)
    assert client.get(URL).status_code == 403


def test_log_for_anonymous_redirects_to_login(client, tree):
    response = client.get(URL)
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


# Filters


def test_log_filtered_by_action_shows_only_that_action(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    created = event(db, tree.c1, "user.created")
    deactivated = event(db, tree.c1, "user.deactivated")
    page = client.get(URL).get_data(as_text=True)
    assert 'value="user.deactivated"' in page and 'value="user.created"' in page
    assert shown(client.get(URL, query_string={"action": "user.deactivated"})) == [deactivated.id]
    assert shown(client.get(URL, query_string={"action": "user.created"})) == [created.id]


def test_log_action_choices_are_those_present_in_scope(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.d1)
    event(db, tree.c1, "user.created")
    event(db, tree.c3, "role.revoked")
    page = client.get(URL).get_data(as_text=True)
    assert 'value="user.created"' in page
    assert 'value="role.revoked"' not in page


def test_log_filtered_by_actor_matches_username_exactly_or_by_prefix(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    lan = factories.make_user(username="lan.nguyen", home_unit=tree.c1, full_name="Nguyễn Thị Lan")
    lanh = factories.make_user(username="lanh.hoang", home_unit=tree.c1)
    by_lan = event(db, tree.c1, actor=lan)
    by_lanh = event(db, tree.c1, actor=lanh)
    event(db, tree.c1, actor=None)
    assert set(shown(client.get(URL, query_string={"actor": "lan"}))) == {by_lan.id, by_lanh.id}
    response = client.get(URL, query_string={"actor": " Lan.Nguyen "})
    assert shown(response) == [by_lan.id]
    assert "Nguyễn Thị Lan" in response.get_data(as_text=True)
    # LIKE wildcards are taken literally.
    assert shown(client.get(URL, query_string={"actor": "%"})) == []
    assert shown(client.get(URL, query_string={"actor": "lan_"})) == []


def test_log_filtered_by_unit_shows_that_unit_and_below(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    events = everywhere(db, tree)
    ids = set(shown(client.get(URL, query_string={"unit_id": tree.d1.id})))
    assert ids == {events["D1"].id, events["C1"].id, events["C2"].id}
    assert shown(client.get(URL, query_string={"unit_id": tree.c3.id})) == [events["C3"].id]


def test_log_unit_choices_are_those_in_scope(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.d1)
    page = client.get(URL).get_data(as_text=True)
    assert tree.c1.name in page and tree.c2.name in page
    assert tree.c3.name not in page and tree.d2.name not in page
    response = client.get(URL, query_string={"unit_id": tree.c3.id})
    assert response.status_code == 422  # not a choice this admin has


def test_log_filtered_by_dates_uses_vietnam_days(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    # 2 March 2025 in Vietnam (UTC+7) runs from 1 March 17:00 to 2 March 17:00 UTC.
    before = event(db, tree.c1, at=datetime(2025, 3, 1, 16, 59, tzinfo=UTC))
    first = event(db, tree.c1, at=datetime(2025, 3, 1, 17, 0, tzinfo=UTC))
    last = event(db, tree.c1, at=datetime(2025, 3, 2, 16, 59, tzinfo=UTC))
    after = event(db, tree.c1, at=datetime(2025, 3, 2, 17, 0, tzinfo=UTC))
    day = {"date_from": "02/03/2025", "date_to": "2/3/2025"}
    assert shown(client.get(URL, query_string=day)) == [last.id, first.id]
    since = shown(client.get(URL, query_string={"date_from": "02/03/2025"}))
    assert since == [after.id, last.id, first.id]
    until = shown(client.get(URL, query_string={"date_to": "01/03/2025"}))
    assert until == [before.id]


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "31/02/2025"},
        {"date_to": "hôm qua"},
        {"date_from": "10/03/2025", "date_to": "01/03/2025"},
    ],
)
def test_log_with_bad_dates_keeps_what_was_typed_and_lists_nothing(db, tree, login_as, query):
    client, _ = login_as(Role.ADMIN, tree.province)
    event(db, tree.c1)
    response = client.get(URL, query_string=query)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert 'class="errors"' in page
    for typed in query.values():
        assert f'value="{typed}"' in page
    assert 'id="event-' not in page


def test_log_with_dates_at_the_ends_of_the_calendar_is_refused_gently(db, tree, login_as):
    """Every date typed into the app lies in 2000–2100; year 1 or 9999 is a typing mistake."""
    client, _ = login_as(Role.ADMIN, tree.province)
    event(db, tree.c1)
    query = {"date_from": "01/01/0001", "date_to": "31/12/9999"}
    response = client.get(URL, query_string=query)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert page.count("Nhập ngày trong khoảng từ 01/01/2000 đến 31/12/2100.") == 2
    assert 'value="01/01/0001"' in page and 'value="31/12/9999"' in page
    assert 'id="event-' not in page
    widest = {"date_from": "01/01/2000", "date_to": "31/12/2100"}
    assert len(shown(client.get(URL, query_string=widest))) == 1


def test_log_with_garbled_unit_or_action_is_refused_gently(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    assert client.get(URL, query_string={"unit_id": "abc"}).status_code == 422
    assert client.get(URL, query_string={"action": "no.such"}).status_code == 422


# Pages


def test_log_pages_by_fifty_newest_first_keeping_the_filters(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    events = [event(db, tree.c1, at=start + timedelta(minutes=i)) for i in range(60)]
    event(db, tree.c3)  # filtered out below
    newest_first = [e.id for e in reversed(events)]
    query = {"unit_id": tree.d1.id}
    first = client.get(URL, query_string=query)
    assert shown(first) == newest_first[:50]
    page = unescape(first.get_data(as_text=True))
    older = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert f"unit_id={tree.d1.id}" in older
    assert 'rel="prev"' not in page
    second = client.get(older)
    assert shown(second) == newest_first[50:]
    page = unescape(second.get_data(as_text=True))
    assert 'rel="next"' not in page
    newer = re.search(r'href="([^"]+)" rel="prev"', page).group(1)
    assert shown(client.get(newer)) == newest_first[:50]


@pytest.mark.parametrize("cursor", ["before", "after"])
@pytest.mark.parametrize("value", ["99999999999999999999", "-3", "x", "12345"])
def test_log_with_a_made_up_page_cursor_shows_the_first_page(db, tree, login_as, cursor, value):
    client, _ = login_as(Role.ADMIN, tree.province)
    recorded = event(db, tree.c1)
    assert shown(client.get(URL, query_string={cursor: value})) == [recorded.id]


def test_log_pages_tie_on_time_by_id(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    at = datetime(2025, 1, 1, tzinfo=UTC)
    events = [event(db, tree.c1, at=at) for _ in range(51)]
    first = client.get(URL)
    assert shown(first) == [e.id for e in reversed(events)][:50]
    older = re.search(r'href="([^"]+)" rel="next"', unescape(first.get_data(as_text=True)))
    assert shown(client.get(older.group(1))) == [events[0].id]


# Rows


def test_log_rows_link_to_the_objects_pages(db, tree, campaign, login_as):
    client, admin = login_as(Role.ADMIN, tree.province)
    editor = factories.make_user(username="thu.editor", roles=[(Role.EDITOR, tree.c1)])
    registration_list = registrations.start_list(editor, tree.c1, org("nong_dan"), 2027)
    values = registrations.EntryValues(
        kind="mo_hinh",
        name="Mô hình “Sạch nhà, tốt ruộng”",
        content=content(3),
        location=tree.c1,
        lead_organization=org("nong_dan"),
    )
    kept = registrations.add_entry(editor, registration_list, values)
    gone = registrations.add_entry(editor, registration_list, values)
    db.session.flush()
    registrations.delete_entry(editor, gone, gone.version)
    db.session.commit()
    about_user = event(db, tree.c1, actor=admin, obj=editor, role="editor")
    page = unescape(client.get(URL).get_data(as_text=True))
    list_url = f"/registrations/lists/{registration_list.id}"
    assert f'href="{list_url}"' in page
    assert f'href="{list_url}#entry-{kept.id}"' in page
    assert f'href="/admin/users/{editor.id}"' in page
    assert f'<tr id="event-{about_user.id}"' in page
    assert "thu.editor" in page and tree.c1.name in page
    # Snapshots of values stay in the database.
    assert '"values"' not in page and "lead_organization" not in page


def test_log_rows_do_not_link_to_pages_the_viewer_may_not_open(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.d1)
    outsider = factories.make_user(home_unit=tree.c3)
    # A role granted in the district to someone whose account belongs to another district.
    granted = event(db, tree.c1, "role.granted", obj=outsider, role="viewer")
    page = client.get(URL).get_data(as_text=True)
    assert shown(client.get(URL)) == [granted.id]
    assert f"/admin/users/{outsider.id}" not in page


def test_log_rows_show_reason_changes_and_late_flag_compactly(db, tree, login_as):
    client, _ = login_as(Role.ADMIN, tree.province)
    obj = factories.make_user(home_unit=tree.c1)
    event(db, tree.c1, "entry.returned", obj=obj, reason="Thiếu kinh phí dự kiến")
    event(db, tree.c1, "list.submitted", obj=obj, late=True, entries=[1, 2])
    organization = factories.make_organization("hoi_thu", name_vi="Hội Nông dân Thử")
    event(db, tree.c1, "role.granted", obj=obj, role="editor", organization=organization.code)
    page = client.get(URL).get_data(as_text=True)
    assert "Thiếu kinh phí dự kiến" in page
    assert 'class="tag late"' in page
    assert "[1, 2]" not in page
    assert "Hội Nông dân Thử" in page and "hoi_thu" not in page


def test_log_page_of_fifty_rows_takes_few_queries(db, tree, login_as):
    """A page of 50 rows does not load each actor one by one."""
    client, _ = login_as(Role.ADMIN, tree.province)
    for _ in range(50):
        actor = factories.make_user(home_unit=tree.c1)
        event(db, tree.c1, actor=actor)
    with counting_queries() as statements:
        assert len(shown(client.get(URL))) == 50
    assert len(statements) < 25, len(statements)
