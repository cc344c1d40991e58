"""Registration lists: editor flows with and without htmx, bad input, versions, submission,
deadlines and scope. Outcomes are read back from the database and the pages."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from tests import factories
from tests.factories import content, org
from webapp import policy
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.campaign.deadlines import current_campaign, registration_due
from webapp.campaign.models import Deadline, DeadlineKind, MemberOrganization
from webapp.db import local_today
from webapp.notifications.models import Notification, NotificationKind
from webapp.policy import Action
from webapp.registrations import services
from webapp.registrations.models import Entry, EntryState, ListState, RegistrationList
from webapp.units.models import Kind, Level

HTMX = {"HX-Request": "true"}


def this_year_open() -> int:
    """A season whose deadline is still ahead whatever today is: next year's."""
    return local_today().year + 1


def start(db, unit, organization, year, editor=None):
    editor = editor or factories.make_user(roles=[(Role.EDITOR, unit)])
    registration_list = services.start_list(editor, unit, organization, year)
    db.session.commit()
    return registration_list


def form_data(unit, organization, **overrides) -> dict:
    data = {
        "kind": "cong_trinh",
        "name": "Đường bê tông thôn Nà Phặc – Bản Khuổi Ú",
        "content_id": str(content(1).id),
        "location_id": str(unit.id),
        "scale": "1,2 km",
        "starts_on": "03/2027",
        "ends_on": "12/2027",
        "budget_people": "1.500.000",
        "budget_state": "250000000",
        "budget_other": "",
        "lead_organization_id": str(organization.id),
        "notes": "",
    }
    data.update(overrides)
    return data


def errors(page: str) -> list[str]:
    return re.findall(r'<ul class="errors"[^>]*><li>(.*?)</li>', page)


# The overview of a unit's lists


def test_commune_editor_sees_one_list_per_organization_of_the_commune(
    client, tree, campaign, login_as
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    year = this_year_open()
    response = client.get(f"/registrations/{year}/{tree.c1.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    present = [o for o in campaign_orgs() if o.at_commune]
    assert len(present) == 8
    for organization in present:
        assert organization.name_vi in page
    assert "Liên minh các Hợp tác xã" not in page  # only at province level
    assert page.count("Bắt đầu lập danh sách") == 8


def campaign_orgs():
    from webapp.extensions import db

    return list(db.session.scalars(sa.select(MemberOrganization)))


def test_starting_a_list_creates_it_once_and_records_it(db, client, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    data = {"unit_id": tree.c1.id, "organization_id": org("nong_dan").id, "year": 2027}
    first = client.post("/registrations/lists", data=data)
    second = client.post("/registrations/lists", data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    lists = db.session.scalars(sa.select(RegistrationList)).all()
    assert len(lists) == 1 and lists[0].state == ListState.DRAFT
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "list.created"))
        == 1
    )


def test_an_organization_without_a_commune_committee_gets_no_commune_list(
    db, client, tree, campaign, login_as
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    response = client.post(
        "/registrations/lists",
        data={"unit_id": tree.c1.id, "organization_id": org("khkt").id, "year": 2027},
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(RegistrationList.id))) == 0
    page = client.get(response.location).get_data(as_text=True)
    assert "không đăng ký danh sách ở cấp này" in page


# Adding entries


def test_adding_an_entry_without_javascript_redirects_to_the_list(
    db, client, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    partners = [org("phu_nu").id, org("doan_thanh_nien").id]
    response = client.post(
        f"/registrations/lists/{registration_list.id}/entries",
        data={**form_data(tree.c1, org("nong_dan")), "partner_ids": [str(p) for p in partners]},
    )
    assert response.status_code == 303
    entry = db.session.scalar(sa.select(Entry))
    assert response.location.endswith(
        f"/registrations/lists/{registration_list.id}#entry-{entry.id}"
    )
    assert entry.name == "Đường bê tông thôn Nà Phặc – Bản Khuổi Ú"
    assert (entry.budget_people, entry.budget_state, entry.budget_other) == (
        1_500_000,
        250_000_000,
        None,
    )
    assert (entry.starts_on, entry.ends_on) == (date(2027, 3, 1), date(2027, 12, 1))
    assert sorted(p.id for p in entry.partners) == sorted(partners)
    assert entry.state == EntryState.DRAFT and entry.version == 1
    page = client.get(response.location).get_data(as_text=True)
    assert "251.500.000 đ" in page  # Vietnamese grouping
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "entry.created"))
    assert event.actor_id == editor.id and event.details["values"]["budget_people"] == 1_500_000


def test_adding_an_entry_with_htmx_returns_only_the_new_row(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    response = client.post(
        f"/registrations/lists/{registration_list.id}/entries",
        data=form_data(tree.c1, org("nong_dan")),
        headers=HTMX,
    )
    body = response.get_data(as_text=True)
    entry = db.session.scalar(sa.select(Entry))
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == '{"entries-changed": true}'
    assert body.lstrip().startswith(f'<li id="entry-{entry.id}"')
    assert 'id="new-entry"' in body and 'hx-swap-oob="true"' in body
    assert "<html" not in body
    assert len(gzip.compress(response.data)) <= 5 * 1024


def test_money_accepts_dots_or_plain_digits_and_refuses_the_rest(
    db, client, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    url = f"/registrations/lists/{registration_list.id}/entries"
    base = form_data(tree.c1, org("nong_dan"))
    for typed, expected in [
        ("1.500.000", 1_500_000),
        ("1500000", 1_500_000),
        ("2 000 000", 2_000_000),
    ]:
        assert client.post(url, data={**base, "budget_people": typed}).status_code == 303
        assert (
            db.session.scalars(sa.select(Entry.budget_people).order_by(Entry.id.desc())).first()
            == expected
        )
    count = db.session.scalar(sa.select(sa.func.count(Entry.id)))
    for typed, message in [
        ("-5000", "Số tiền không được âm."),
        ("mười nghìn", "Nhập số tiền bằng đồng"),
        ("1,5", "Nhập số tiền bằng đồng"),
        ("1.50.000", "Nhập số tiền bằng đồng"),
    ]:
        response = client.post(url, data={**base, "budget_people": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert any(message in e for e in errors(page)), (typed, errors(page))
        assert f'value="{typed}"' in page  # what they typed is kept
        assert "Đường bê tông thôn Nà Phặc – Bản Khuổi Ú" in page
    assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == count


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"content_id": ""}, "Hãy chọn nội dung"),
        ({"name": "   "}, "Trường này là bắt buộc."),
        (
            {"starts_on": "09/2027", "ends_on": "03/2027"},
            "Tháng kết thúc không thể trước tháng bắt đầu.",
        ),
        ({"starts_on": "13/2027"}, "Nhập tháng theo dạng TT/NNNN"),
        ({"location_id": "OTHER"}, "Địa điểm phải là"),
    ],
    ids=["no-content", "blank-name", "end-before-start", "bad-month", "location-outside"],
)
def test_bad_entry_input_is_refused_with_a_translated_message(
    db, client, tree, campaign, login_as, overrides, message
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    if overrides.get("location_id") == "OTHER":
        overrides = {"location_id": str(tree.c2.id)}  # a commune outside the list's unit
    data = {**form_data(tree.c1, org("nong_dan")), **overrides, "scale": "Quy mô 30 hộ"}
    response = client.post(f"/registrations/lists/{registration_list.id}/entries", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in e for e in errors(page)), errors(page)
    assert 'value="Quy mô 30 hộ"' in page
    assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0
    htmx = client.post(
        f"/registrations/lists/{registration_list.id}/entries", data=data, headers=HTMX
    )
    assert htmx.status_code == 200
    assert htmx.headers["HX-Retarget"] == "#new-entry"
    assert any(message in e for e in errors(htmx.get_data(as_text=True)))


def test_the_service_refuses_a_location_outside_the_list(db, tree, campaign):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    values = services.EntryValues(
        kind="mo_hinh",
        name="Mô hình",
        content=content(2),
        location=tree.c3,
        lead_organization=org("nong_dan"),
    )
    with pytest.raises(services.RegistrationError) as refused:
        services.add_entry(editor, registration_list, values)
    assert refused.value.field == "location"


def test_a_commune_list_may_be_located_in_its_residential_areas(
    db, client, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    area = factories.make_unit("Thôn Nà Mò", level=Level.AREA, kind=Kind.THON, parent=tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    response = client.post(
        f"/registrations/lists/{registration_list.id}/entries",
        data=form_data(tree.c1, org("nong_dan"), location_id=str(area.id)),
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Entry.location_id)) == area.id


def test_a_district_list_may_be_located_in_any_commune_below(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.d1)
    registration_list = start(db, tree.d1, org("phu_nu"), 2027, editor)
    page = client.get(f"/registrations/lists/{registration_list.id}/entries/new").get_data(
        as_text=True
    )
    assert tree.c1.name in page and tree.c2.name in page and tree.c3.name not in page
    response = client.post(
        f"/registrations/lists/{registration_list.id}/entries",
        data=form_data(tree.d1, org("phu_nu"), location_id=str(tree.c2.id)),
    )
    assert response.status_code == 303


# Editing, duplicating, deleting


def _entry(db, tree, editor=None, year=2027):
    editor = editor or factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    registration_list = start(db, tree.c1, org("nong_dan"), year, editor)
    values = services.EntryValues(
        kind="mo_hinh",
        name="Mô hình “Sạch nhà, tốt ruộng”",
        content=content(3),
        location=tree.c1,
        lead_organization=org("nong_dan"),
        budget_people=5_000_000,
    )
    entry = services.add_entry(editor, registration_list, values)
    db.session.commit()
    return entry


def test_inline_edit_returns_the_form_then_the_saved_row(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    form = client.get(f"/registrations/entries/{entry.id}/edit", headers=HTMX)
    assert form.status_code == 200
    assert form.get_data(as_text=True).lstrip().startswith(f'<li id="entry-{entry.id}"')
    assert len(gzip.compress(form.data)) <= 5 * 1024
    data = form_data(
        tree.c1, org("nong_dan"), name="Mô hình “Sạch nhà, tốt ruộng” thôn Nà Mò", version="1"
    )
    saved = client.post(f"/registrations/entries/{entry.id}/edit", data=data, headers=HTMX)
    assert saved.status_code == 200
    assert "thôn Nà Mò" in saved.get_data(as_text=True)
    db.session.expire_all()
    assert entry.name.endswith("thôn Nà Mò") and entry.version == 2
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "entry.updated"))
    assert event.details["changes"]["name"] == ["Mô hình “Sạch nhà, tốt ruộng”", entry.name]
    cancel = client.get(f"/registrations/entries/{entry.id}", headers=HTMX)
    assert cancel.status_code == 200 and "Vary" in cancel.headers
    assert client.get(f"/registrations/entries/{entry.id}").status_code == 303


def test_a_stale_save_is_refused_and_shows_both_versions(db, app, tree, campaign, login_as):
    first, editor = login_as(Role.EDITOR, tree.c1)
    second, _ = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    url = f"/registrations/entries/{entry.id}/edit"
    data = form_data(tree.c1, org("nong_dan"), version="1")
    assert first.post(url, data={**data, "name": "Tên của người thứ nhất"}).status_code == 303
    response = second.post(url, data={**data, "name": "Tên của người thứ hai"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Người khác đã lưu mục này sau khi bạn mở" in page
    assert "Tên của người thứ nhất" in page and "Tên của người thứ hai" in page
    assert 'name="version" type="hidden" value="2"' in page
    db.session.expire_all()
    assert entry.name == "Tên của người thứ nhất"  # nothing overwritten
    again = second.post(url, data={**data, "name": "Tên của người thứ hai", "version": "2"})
    assert again.status_code == 303  # reapplied knowingly
    db.session.expire_all()
    assert entry.name == "Tên của người thứ hai" and entry.version == 3


def test_duplicate_adds_a_draft_copy_at_the_end(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    response = client.post(f"/registrations/entries/{entry.id}/duplicate")
    copy = db.session.scalars(sa.select(Entry).order_by(Entry.id.desc())).first()
    assert response.status_code == 303
    assert response.location.endswith(f"/registrations/entries/{copy.id}/edit")
    assert copy.name == "Mô hình “Sạch nhà, tốt ruộng” (bản sao)"
    assert copy.position == entry.position + 1 and copy.budget_people == 5_000_000
    htmx = client.post(f"/registrations/entries/{entry.id}/duplicate", headers=HTMX)
    body = htmx.get_data(as_text=True)
    latest = db.session.scalars(sa.select(Entry).order_by(Entry.id.desc())).first()
    assert htmx.status_code == 200 and htmx.headers["HX-Trigger"] == '{"entries-changed": true}'
    assert body.lstrip().startswith(f'<li id="entry-{latest.id}"')
    assert f'action="/registrations/entries/{latest.id}/edit"' in body


def test_delete_asks_first_without_javascript_and_checks_the_version(
    db, client, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    confirm = client.get(f"/registrations/entries/{entry.id}/delete")
    assert confirm.status_code == 200 and "Mô hình “Sạch nhà, tốt ruộng”" in confirm.get_data(
        as_text=True
    )
    stale = client.post(f"/registrations/entries/{entry.id}/delete", data={"version": "0"})
    assert stale.status_code == 303
    assert db.session.get(Entry, entry.id) is not None
    deleted = client.post(
        f"/registrations/entries/{entry.id}/delete", data={"version": "1"}, headers=HTMX
    )
    assert deleted.status_code == 200 and deleted.data == b""
    assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "entry.deleted"))
        == 1
    )


def test_delete_link_follows_the_edit_rule_that_refuses_the_request(
    db, client, tree, campaign, login_as
):
    """The row offers Delete exactly when policy says entry.edit, the rule the service asks."""
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    page = f"/registrations/lists/{entry.list_id}"
    delete = f"/registrations/entries/{entry.id}/delete"
    assert policy.can(editor, Action.ENTRY_EDIT, entry)
    assert delete in client.get(page).get_data(as_text=True)
    services.submit_list(editor, entry.registration_list)
    db.session.commit()
    assert not policy.can(editor, Action.ENTRY_EDIT, entry)
    assert delete not in client.get(page).get_data(as_text=True)
    client.post(delete, data={"version": str(entry.version)})
    assert db.session.get(Entry, entry.id) is not None


# The header


def test_header_saves_and_refuses_a_stale_version(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    url = f"/registrations/lists/{registration_list.id}/header"
    data = {
        "version": "1",
        "registered_on": "10/01/2027",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Hoàng Văn Thụ",
    }
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    assert registration_list.registered_on == date(2027, 1, 10)
    assert registration_list.signer_name == "Hoàng Văn Thụ"
    # Shown again as typed, in a text box (a date input would drop 10/01/2027 and clear it).
    form = client.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="registered_on"[^>]*type="text"[^>]*value="10/01/2027"', form)
    stale = client.post(url, data={**data, "signer_name": "Lý Thị Hoa"})
    assert stale.status_code == 422
    assert "Lý Thị Hoa" in stale.get_data(as_text=True)
    bad = client.post(url, data={**data, "version": "2", "registered_on": "31/02/2027"})
    assert bad.status_code == 422 and 'value="31/02/2027"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert registration_list.signer_name == "Hoàng Văn Thụ"


# Submitting


def test_submitting_before_the_deadline_locks_the_list(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    year = this_year_open()
    entry = _entry(db, tree, editor, year=year)
    registration_list = entry.registration_list
    response = client.post(f"/registrations/lists/{registration_list.id}/submit")
    assert response.status_code == 303
    db.session.expire_all()
    assert registration_list.state == ListState.SUBMITTED and not registration_list.is_late
    assert registration_list.submitted_by_id == editor.id
    assert registration_list.registered_on == local_today()
    assert entry.state == EntryState.SUBMITTED
    page = client.get(response.location).get_data(as_text=True)
    assert "Đã gửi" in page and "Thêm một mục" not in page
    assert "Chưa có ai duyệt danh sách này" in page  # no reviewer above C1 in this tree
    # Nothing can change until the list is returned; what was typed comes back, refused.
    edit = client.post(
        f"/registrations/entries/{entry.id}/edit",
        data=form_data(tree.c1, org("nong_dan"), version=str(entry.version), name="Đổi tên"),
    )
    page = edit.get_data(as_text=True)
    assert edit.status_code == 409
    assert "Không thể sửa mục này nữa: danh sách đã được gửi." in page
    assert 'value="Đổi tên"' in page
    add = client.post(
        f"/registrations/lists/{registration_list.id}/entries",
        data=form_data(tree.c1, org("nong_dan"), name="Mục gõ sau khi gửi"),
        headers=HTMX,
    )
    assert add.status_code == 200 and add.headers["HX-Retarget"] == "#new-entry"
    assert "Danh sách đã được gửi, không thể sửa nữa." in add.get_data(as_text=True)
    assert 'value="Mục gõ sau khi gửi"' in add.get_data(as_text=True)
    header = client.post(
        f"/registrations/lists/{registration_list.id}/header",
        data={"version": str(registration_list.version), "signer_name": "Lò Văn Sính"},
    )
    assert header.status_code == 422 and 'value="Lò Văn Sính"' in header.get_data(as_text=True)
    db.session.expire_all()
    assert entry.name == "Mô hình “Sạch nhà, tốt ruộng”" and len(registration_list.entries) == 1
    assert registration_list.signer_name is None
    # A second tap on "submit" is not an error.
    again = client.post(f"/registrations/lists/{registration_list.id}/submit")
    assert again.status_code == 303
    assert "Danh sách này đã được gửi rồi." in client.get(again.location).get_data(as_text=True)


def test_saving_an_entry_without_javascript_says_it_was_saved(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    response = client.post(
        f"/registrations/entries/{entry.id}/edit",
        data=form_data(tree.c1, org("nong_dan"), version=str(entry.version), name="Cầu treo"),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<p class="flash success" role="status">Đã lưu: Cầu treo</p>' in page


def test_a_catalogue_model_is_refused_unless_the_kind_is_model(
    db, client, tree, campaign, login_as
):
    from webapp.campaign.models import ModelType

    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), this_year_open(), editor)
    model = db.session.scalar(sa.select(ModelType).where(ModelType.is_active).limit(1))
    url = f"/registrations/lists/{registration_list.id}/entries"
    data = form_data(
        tree.c1, org("nong_dan"), model_type_id=str(model.id), name="Cầu treo bản Khuổi Ú"
    )
    response = client.post(url, data=data)  # kind: cong_trinh
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chỉ chọn được mô hình trong danh mục khi loại là “Mô hình”" in page
    assert 'value="Cầu treo bản Khuổi Ú"' in page and 'value="1.500.000"' in page
    assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0
    assert client.post(url, data={**data, "kind": "mo_hinh"}).status_code == 303
    entry = db.session.scalar(sa.select(Entry))
    assert entry.model_type_id == model.id and entry.kind == "mo_hinh"


def test_submitting_asks_for_confirmation_before_the_list_is_locked(
    db, client, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor, year=2017)  # due 15/07/2017, so it would be late
    list_id = entry.list_id
    page = client.get(f"/registrations/lists/{list_id}").get_data(as_text=True)
    # The button on the list is a plain link (GET): one tap shows what will happen.
    assert f'<a class="button primary" href="/registrations/lists/{list_id}/submit"' in page
    confirm = client.get(f"/registrations/lists/{list_id}/submit")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "1 mục sẽ được gửi để duyệt." in text
    assert re.search(r"3\. [^<]*: <strong>1</strong>", text)  # per content
    assert re.search(r"1\. [^<]*: <strong>0</strong>", text)
    assert "Danh sách bị khóa" in text and "đánh dấu nộp muộn" in text
    assert f'action="/registrations/lists/{list_id}/submit"' in text
    assert re.search(r'<button type="submit" class="primary">Gửi</button>', text)
    assert re.search(rf'<a class="button" href="/registrations/lists/{list_id}">Quay lại</a>', text)
    db.session.expire_all()
    assert entry.registration_list.state == ListState.DRAFT  # looking changed nothing
    assert client.post(f"/registrations/lists/{list_id}/submit").status_code == 303
    db.session.expire_all()
    assert entry.registration_list.state == ListState.SUBMITTED
    # Once sent, the confirmation leads back to the list with the reason.
    again = client.get(f"/registrations/lists/{list_id}/submit", follow_redirects=True)
    assert "Danh sách này đã được gửi rồi." in again.get_data(as_text=True)


def test_the_submit_confirmation_asks_the_same_policy_as_submitting(
    db, client, tree, campaign, login_as
):
    entry = _entry(db, tree)
    outsider, _ = login_as(Role.EDITOR, tree.c3)
    assert outsider.get(f"/registrations/lists/{entry.list_id}/submit").status_code == 403
    reviewer, _ = login_as(Role.REVIEWER, tree.d1)
    assert reviewer.get(f"/registrations/lists/{entry.list_id}/submit").status_code == 403


def test_submitting_after_the_deadline_is_accepted_and_marked_late(
    db, client, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor, year=2017)  # due 15/07/2017
    response = client.post(f"/registrations/lists/{entry.list_id}/submit")
    assert response.status_code == 303
    db.session.expire_all()
    assert entry.registration_list.state == ListState.SUBMITTED
    assert entry.registration_list.is_late
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "list.submitted"))
    assert event.details["late"] is True and event.details["due"] == "2017-07-15"
    assert "Nộp muộn" in client.get(response.location).get_data(as_text=True)


def test_an_empty_list_cannot_be_submitted(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    response = client.post(
        f"/registrations/lists/{registration_list.id}/submit", follow_redirects=True
    )
    assert "Hãy thêm ít nhất một mục" in response.get_data(as_text=True)
    db.session.expire_all()
    assert registration_list.state == ListState.DRAFT


def test_the_deadline_an_admin_set_for_a_year_is_the_one_used(db, tree, campaign):
    row = Deadline(
        campaign=current_campaign(), kind=DeadlineKind.REGISTRATION, year=2030, day=1, month=3
    )
    db.session.add(row)
    db.session.commit()
    assert registration_due(2030) == date(2030, 3, 1)
    assert registration_due(2031) == date(2031, 2, 15)
    assert registration_due(2017) == date(2017, 7, 15)


# Scope


def test_an_organization_officer_sees_and_edits_only_their_organization(
    db, client, tree, campaign, login_as
):
    client, _ = login_as(Role.EDITOR, tree.d1, organization=org("phu_nu"))
    own = start(db, tree.c1, org("phu_nu"), 2027)
    other = start(db, tree.c1, org("nong_dan"), 2027)
    page = client.get(f"/registrations/2027/{tree.c1.id}").get_data(as_text=True)
    assert "Hội Liên hiệp Phụ nữ" in page and "Hội Nông dân" not in page
    assert client.get(f"/registrations/lists/{own.id}").status_code == 200
    assert client.get(f"/registrations/lists/{other.id}").status_code == 403
    response = client.post(
        f"/registrations/lists/{other.id}/entries", data=form_data(tree.c1, org("nong_dan"))
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0
    district = client.get(f"/registrations/2027/{tree.d1.id}").get_data(as_text=True)
    assert tree.c1.name in district and tree.c3.name not in district


def _crumbs(page: str) -> tuple[list[str], list[str]]:
    """The breadcrumb's linked and plain names."""
    nav = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', page, re.S).group(1)
    return re.findall(r"<a href=[^>]*>(.*?)</a>", nav), re.findall(r"<span>(.*?)</span>", nav)


@pytest.mark.parametrize(
    ("role", "where", "organization", "linked"),
    [
        (Role.EDITOR, "d1", None, {"province", "d1"}),
        (Role.EDITOR, "d1", "phu_nu", {"province", "d1"}),
        (Role.REVIEWER, "d1", None, {"province", "d1"}),
        (Role.EDITOR, "c1", None, {"d1"}),
    ],
    ids=["district editor", "district editor of one organization", "reviewer", "commune editor"],
)
def test_registration_breadcrumbs_link_where_the_page_opens(
    db, tree, campaign, login_as, role, where, organization, linked
):
    """A crumb asks what the registrations page it leads to asks: a district editor reaches
    the province's page (it lists their district), so its crumb links; a commune editor does
    not, so the province is plain text. Every linked crumb opens, every plain one is refused."""
    narrowed = org(organization) if organization else None
    client, _ = login_as(role, getattr(tree, where), organization=narrowed)
    own = start(db, tree.c1, org("phu_nu"), 2027)
    for path in (f"/registrations/2027/{tree.c1.id}", f"/registrations/lists/{own.id}"):
        page = client.get(path)
        assert page.status_code == 200, path
        links, plain = _crumbs(page.get_data(as_text=True))
        for key in ("province", "d1"):
            assert (getattr(tree, key).name in links) == (key in linked), (path, key)
        for unit in (tree.province, tree.d1, tree.c1):
            if unit.name in links + plain:
                answer = client.get(f"/registrations/2027/{unit.id}").status_code
                assert answer == (200 if unit.name in links else 403), (path, unit.name)


def test_lists_outside_the_scope_are_refused_everywhere(db, client, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c3)
    entry = _entry(db, tree)
    list_id = entry.list_id
    assert client.get(f"/registrations/lists/{list_id}").status_code == 403
    assert client.get(f"/registrations/entries/{entry.id}/edit").status_code == 403
    assert client.post(f"/registrations/entries/{entry.id}/duplicate").status_code == 403
    assert (
        client.post(f"/registrations/entries/{entry.id}/delete", data={"version": "1"}).status_code
        == 403
    )
    assert client.post(f"/registrations/lists/{list_id}/submit").status_code == 403
    assert client.get(f"/registrations/2027/{tree.c1.id}").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 1


def test_a_reviewer_reads_but_cannot_edit(db, client, tree, campaign, login_as):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    entry = _entry(db, tree)
    page = client.get(f"/registrations/lists/{entry.list_id}").get_data(as_text=True)
    assert entry.name in page and "Thêm một mục" not in page and "Sửa" not in page
    assert client.get(f"/registrations/entries/{entry.id}/edit").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(db, client, tree, campaign):
    entry = _entry(db, tree)
    response = client.get(f"/registrations/lists/{entry.list_id}")
    assert response.status_code == 302 and "/login" in response.location


# The home page


def test_home_tells_an_editor_what_is_due(db, client, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    year = local_today().year
    page = client.get("/").get_data(as_text=True)
    assert f"{tree.c1.name}: 8 danh sách năm {year} cần gửi" in page
    entry = _entry(db, tree, editor, year=year)
    services.submit_list(editor, entry.registration_list)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert f"{tree.c1.name}: 7 danh sách năm {year} cần gửi" in page


# Changing the deadline


def test_a_province_admin_moves_a_year_deadline_and_lists_follow(
    db, client, tree, campaign, login_as
):
    client, admin = login_as(Role.ADMIN, tree.province)
    page = client.get("/campaign").get_data(as_text=True)
    assert "Đổi hạn" in page
    response = client.post(
        "/campaign/deadlines", data={"kind": "registration", "year": "2027", "day_month": "01/03"}
    )
    assert response.status_code == 303
    assert registration_due(2027) == date(2027, 3, 1)
    assert registration_due(2028) == date(2028, 2, 15)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "deadline.set"))
    assert event.actor_id == admin.id and event.details["after"] == "01/03"
    bad = client.post(
        "/campaign/deadlines", data={"kind": "registration", "year": "2027", "day_month": "30/02"}
    )
    assert bad.status_code == 422
    assert 'value="30/02"' in bad.get_data(as_text=True)
    assert registration_due(2027) == date(2027, 3, 1)


def test_a_district_admin_cannot_move_deadlines(db, client, tree, campaign, login_as):
    client, _ = login_as(Role.ADMIN, tree.d1)
    assert "Đổi hạn" not in client.get("/campaign").get_data(as_text=True)
    response = client.post(
        "/campaign/deadlines", data={"kind": "registration", "year": "2027", "day_month": "01/03"}
    )
    assert response.status_code == 403
    assert registration_due(2027) == date(2027, 2, 15)


# Bad input that must not break anything


@pytest.mark.parametrize("version", ["²", "abc", "", "99999999999999999999"])
def test_a_garbled_version_is_a_stale_save_not_an_error(
    db, client, tree, campaign, login_as, version
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    response = client.post(
        f"/registrations/entries/{entry.id}/edit",
        data=form_data(tree.c1, org("nong_dan"), version=version, name="Tên mới"),
    )
    assert response.status_code == 422
    assert "Người khác đã lưu mục này" in response.get_data(as_text=True)
    delete = client.post(f"/registrations/entries/{entry.id}/delete", data={"version": version})
    assert delete.status_code == 303
    db.session.expire_all()
    assert entry.name == "Mô hình “Sạch nhà, tốt ruộng”"


def test_a_partner_that_is_not_offered_is_refused_in_vietnamese(
    db, client, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    registration_list = start(db, tree.c1, org("nong_dan"), 2027, editor)
    response = client.post(
        f"/registrations/lists/{registration_list.id}/entries",
        data={**form_data(tree.c1, org("nong_dan")), "partner_ids": ["999999"]},
    )
    assert response.status_code == 422
    assert "999999&#39; không phải là lựa chọn hợp lệ." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/registrations/lists/99999999999",
        "/registrations/entries/99999999999/edit",
        "/registrations/lists/99999999999/export.xlsx",
        "/registrations/1990/1",
        "/registrations/2099/1",
    ],
)
def test_made_up_ids_and_years_are_not_found(db, client, tree, campaign, login_as, path):
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"unit_id": "x", "organization_id": "1", "year": "2027"},
        {"unit_id": "99999999999", "organization_id": "1", "year": "2027"},
        {"unit_id": "1", "organization_id": "1", "year": "2099"},
    ],
)
def test_starting_a_list_with_bad_fields_is_a_bad_request(
    db, client, tree, campaign, login_as, data
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert client.post("/registrations/lists", data=data).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(RegistrationList.id))) == 0


def test_deadline_day_itself_is_on_time_and_the_next_is_late(db, tree, campaign):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    on_time = _entry(db, tree, editor, year=2017).registration_list
    services.submit_list(editor, on_time, at=datetime(2017, 7, 15, 23, 0, tzinfo=hanoi))
    late = start(db, tree.c1, org("phu_nu"), 2017, editor)
    services.add_entry(
        editor,
        late,
        services.EntryValues(
            kind="phan_viec", name="Phần việc", content=content(4), location=tree.c1,
            lead_organization=org("phu_nu"),
        ),
    )  # fmt: skip
    services.submit_list(editor, late, at=datetime(2017, 7, 16, 0, 30, tzinfo=hanoi))
    assert not on_time.is_late and late.is_late


def test_a_yearly_29_february_deadline_is_refused_and_never_breaks_pages(
    db, client, tree, campaign, login_as
):
    client, _ = login_as(Role.ADMIN, tree.province)
    response = client.post(
        "/campaign/deadlines", data={"kind": "registration", "year": "", "day_month": "29/02"}
    )
    assert response.status_code == 422
    huge = client.post(
        "/campaign/deadlines",
        data={"kind": "registration", "year": "99999999999999999999", "day_month": "15/02"},
    )
    assert huge.status_code == 422
    # Stored by an older version: the last day of February in other years.
    from webapp.campaign.models import Deadline

    row = db.session.scalar(
        sa.select(Deadline).where(
            Deadline.kind == DeadlineKind.REGISTRATION, Deadline.year.is_(None)
        )
    )
    row.day, row.month = 29, 2
    db.session.commit()
    assert registration_due(2027) == date(2027, 2, 28)
    assert registration_due(2028) == date(2028, 2, 29)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "nojs"])
def test_an_entry_deleted_while_edited_comes_back_as_a_new_one(
    db, app, tree, campaign, login_as, javascript
):
    editing, editor = login_as(Role.EDITOR, tree.c1)
    deleting, _ = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor)
    entry_id, list_id = entry.id, entry.list_id
    deleted = deleting.post(f"/registrations/entries/{entry_id}/delete", data={"version": "1"})
    assert deleted.status_code == 303
    data = form_data(tree.c1, org("nong_dan"), name="Tên đang sửa dở", version="1")
    data["list_id"] = str(list_id)
    response = editing.post(
        f"/registrations/entries/{entry_id}/edit", data=data, headers=HTMX if javascript else {}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == (200 if javascript else 409)
    assert "Mục này đã bị người khác xóa." in page and 'value="Tên đang sửa dở"' in page
    assert f'action="/registrations/lists/{list_id}/entries"' in page
    if javascript:
        assert response.headers["HX-Retarget"] == "#new-entry"
        assert f'<li id="entry-{entry_id}" hx-swap-oob="delete">' in page
    again = editing.post(f"/registrations/lists/{list_id}/entries", data=data)
    assert again.status_code == 303
    assert db.session.scalar(sa.select(Entry.name)) == "Tên đang sửa dở"


# What the audit trail and the reviewers are told


def test_each_change_is_audited_with_who_where_and_what_and_reviewers_are_told(db, tree, campaign):
    """A list's life through the services, read back from the audit trail: the header, an
    entry changed, copied and deleted, then the list sent (after 17:00 UTC, already the next
    day in Vietnam) in a year whose deadline the province removed."""
    year = this_year_open()
    db.session.execute(sa.delete(Deadline).where(Deadline.kind == DeadlineKind.REGISTRATION))
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    farmers = org("nong_dan")
    registration_list = start(db, tree.c1, farmers, year, editor)
    services.update_header(
        editor, registration_list, registration_list.version,
        registered_on=None, signer_title="Chủ tịch", signer_name="Hoàng Văn Páo",
    )  # fmt: skip
    services.update_header(
        editor, registration_list, registration_list.version,
        registered_on=None, signer_title="Phó Chủ tịch", signer_name="Hoàng Văn Páo",
    )  # fmt: skip
    road = services.add_entry(
        editor,
        registration_list,
        services.EntryValues(
            kind="cong_trinh", name="Đường bê tông thôn Nà Mò", content=content(1),
            location=tree.c1, lead_organization=farmers, scale="1 km",
        ),
    )  # fmt: skip
    values = services.EntryValues(
        **{name: getattr(road, name) for name in services.ENTRY_FIELDS if name != "partners"}
    )
    values.scale = "1,2 km"
    services.update_entry(editor, road, road.version, values)
    long_name = "Đường " + "x" * 294  # 300 characters: the copy's name is cut to fit
    values.name = long_name
    services.update_entry(editor, road, road.version, values)
    copy = services.duplicate_entry(editor, road)
    assert len(copy.name) == 300 and copy.name.startswith(long_name[:290])
    copy_id, snapshot = copy.id, services.entry_snapshot(copy)
    services.delete_entry(editor, copy, copy.version)
    at = datetime(year, 3, 31, 18, 0, tzinfo=UTC)  # 01:00 on 1 April in Vietnam
    # On a server whose own time zone is UTC (the tests' clock otherwise sets Vietnam's).
    with time_machine.travel(datetime.now(ZoneInfo("UTC")), tick=True):
        services.submit_list(editor, registration_list, at=at)
    db.session.commit()

    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "list.created", "list.updated", "list.updated", "entry.created", "entry.updated",
        "entry.updated", "entry.created", "entry.duplicated", "entry.deleted", "list.submitted",
    ]  # fmt: skip
    assert {(e.actor_id, e.unit_id) for e in events} == {(editor.id, tree.c1.id)}
    by_action = {e.action: e.details for e in events}
    assert events[1].details == {
        "changes": {
            "signer_title": [None, "Chủ tịch"],
            "signer_name": [None, "Hoàng Văn Páo"],
        }
    }
    assert events[2].details == {"changes": {"signer_title": ["Chủ tịch", "Phó Chủ tịch"]}}
    first_update = events[4].details
    assert first_update == {
        "list_id": registration_list.id,
        "changes": {"scale": ["1 km", "1,2 km"]},
    }
    assert by_action["entry.duplicated"] == {"source": road.id}
    assert events[7].object_id == copy_id
    assert by_action["entry.deleted"] == {"list_id": registration_list.id, "values": snapshot}
    assert by_action["list.submitted"] == {"entries": [road.id], "late": False, "due": None}

    db.session.expire_all()
    assert (road.updated_by_id, road.submitted_by_id) == (editor.id, editor.id)
    assert registration_list.submitted_at == registration_list.first_submitted_at == at
    assert registration_list.registered_on == date(year, 4, 1)  # Vietnam's day, not UTC's
    assert registration_list.state == ListState.SUBMITTED
    told = db.session.execute(
        sa.select(
            Notification.user_id, Notification.kind, Notification.list_id, Notification.actor_id
        )
    ).all()
    assert told == [(reviewer.id, NotificationKind.SUBMITTED, registration_list.id, editor.id)]


def test_the_services_refuse_what_the_form_refuses_and_keep_the_rest(app, db, tree, campaign):
    """Called directly (an import, a future API), the services hold the form's rules: each
    refusal names its field, in the user's language; the edges (the same month, 0 đồng) are
    accepted; the lead organization is never its own partner."""
    year = this_year_open()
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    farmers, women = org("nong_dan"), org("phu_nu")
    registration_list = start(db, tree.c1, farmers, year, editor)

    def values(**changes) -> services.EntryValues:
        typed = {"kind": "mo_hinh", "name": "Mô hình nuôi ong", "content": content(1),
                 "location": tree.c1, "lead_organization": farmers} | changes  # fmt: skip
        return services.EntryValues(**typed)

    refusals = [
        (values(location=tree.c2), "location", f"Địa điểm phải là {tree.c1.name} hoặc"),
        (
            values(starts_on=date(year, 5, 1), ends_on=date(year, 4, 1)),
            "ends_on",
            "Tháng kết thúc không thể trước tháng bắt đầu.",
        ),
        *(
            (values(**{name: -1}), name, "Số tiền không được âm.")
            for name in ("budget_people", "budget_state", "budget_other")
        ),
    ]
    with app.test_request_context():
        for typed, field, message in refusals:
            with pytest.raises(services.RegistrationError) as refused:
                services.add_entry(editor, registration_list, typed)
            assert (refused.value.field, str(refused.value)[: len(message)]) == (field, message)
    db.session.rollback()
    registration_list = db.session.get(RegistrationList, registration_list.id)
    assert registration_list.entries == []
    farmers, women = org("nong_dan"), org("phu_nu")  # loaded again after the rollback

    bees = services.add_entry(
        editor,
        registration_list,
        values(
            starts_on=date(year, 4, 1), ends_on=date(year, 4, 1),
            budget_people=0, budget_state=0, budget_other=0, partners=[women, farmers],
        ),
    )  # fmt: skip
    db.session.commit()
    assert (bees.position, bees.created_by_id, bees.updated_by_id) == (1, editor.id, editor.id)
    assert bees.partners == [women]
    created = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "entry.created"))
    assert created.details["list_id"] == registration_list.id
    assert created.details["values"]["partners"] == [women.id]
    assert created.details["values"]["starts_on"] == f"{year}-04-01"


def test_each_unit_organization_and_year_has_its_own_list(app, db, tree, campaign):
    """Starting a list finds the unit's own for that organization and year, or makes it (and
    says so in the audit); an organization without committees at the level, or one the
    province retired, gets none."""
    year = this_year_open()
    farmers, union = (
        org("nong_dan"),
        org("lien_minh_htx"),
    )  # the cooperative alliance: province only
    first = start(db, tree.c1, farmers, year)
    others = [start(db, tree.c2, farmers, year), start(db, tree.c1, farmers, year + 1)]
    assert len({first.id, *(o.id for o in others)}) == 3
    assert start(db, tree.c1, farmers, year).id == first.id  # asked again: the same list
    created = db.session.scalars(
        sa.select(AuditEvent.details)
        .where(AuditEvent.action == "list.created")
        .order_by(AuditEvent.id)
    ).all()
    assert created == [
        {"organization": "nong_dan", "year": year},
        {"organization": "nong_dan", "year": year},
        {"organization": "nong_dan", "year": year + 1},
    ]
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    with app.test_request_context(), pytest.raises(services.RegistrationError) as refused:
        services.start_list(editor, tree.c1, union, year)
    assert str(refused.value) == f"{union.name_vi} không đăng ký danh sách ở cấp này."
    farmers.is_active = False
    assert farmers not in services.organizations_at(tree.c1)
    db.session.rollback()
