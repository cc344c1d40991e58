"""Likely duplicates: detection on a small hand-counted fixture, decisions (not a duplicate,
joint work) and what they change, stale decisions, scope, a bounded number of queries, and
that nothing waits on them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.queries import counting_queries
from tests.test_coverage import YEAR, add_entry, grow, page_text, results
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.coverage.models import OverlapDecision, OverlapKind
from webapp.coverage.overlaps import Reason, _Name, detect, names_alike
from webapp.coverage.queries import communes_in_year, evaluate
from webapp.extensions import db
from webapp.registrations.models import Entry, EntryState, ListState
from webapp.units.models import Level


@pytest.fixture
def dup(db, campaign, tree):
    """C1: a Farmers' entry and a Women's one with the same name written two ways; a Veterans'
    entry and a Front one (in a hamlet) of the same model type. Not pairs: the same name in C2,
    in C1 the year before, a draft of the same model type, and two roads told apart by number."""
    hamlet = factories.make_unit("Thôn Nà Làng", level=Level.AREA, parent=tree.c1)
    e = {
        "chicken": add_entry(
            tree.c1, "nong_dan", 2, model="gia_dinh_hanh_phuc", name="Mô hình nuôi gà thả vườn"
        ),
        "chicken2": add_entry(
            tree.c1, "phu_nu", 2, name="mo hinh  nuoi ga tha vuon!", state=EntryState.SUBMITTED
        ),
        "security": add_entry(tree.c1, "cuu_chien_binh", 4, model="ccb_an_ninh", name="Tổ tự quản"),
        "camera": add_entry(
            tree.c1, "mttq", 4, model="ccb_an_ninh", location=hamlet, name="Camera an ninh thôn"
        ),
        "other_commune": add_entry(tree.c2, "nong_dan", 2, name="Mô hình nuôi gà thả vườn"),
        "last_year": add_entry(
            tree.c1, "doan_thanh_nien", 2, name="Mô hình nuôi gà thả vườn", year=YEAR - 1
        ),
        "draft": add_entry(
            tree.c1, "khuyen_hoc", 4, model="ccb_an_ninh", name="Nháp", state=EntryState.DRAFT
        ),
        "road1": add_entry(tree.c3, "nong_dan", 1, name="Đường giao thông nông thôn số 1"),
        "road2": add_entry(tree.c3, "mttq", 1, name="Đường giao thông nông thôn số 2"),
    }
    db.session.commit()
    tree.e = e
    return tree


def found(tree) -> dict[tuple[int, int], set[str]]:
    return {p.key: p.reasons for p in detect(communes_in_year(tree.province.id, YEAR), YEAR)}


def key(a: Entry, b: Entry) -> tuple[int, int]:
    return tuple(sorted((a.id, b.id)))


def test_detect_pairs_same_model_type_and_near_identical_names_in_a_commune_and_year(dup):
    e = dup.e
    assert found(dup) == {
        key(e["chicken"], e["chicken2"]): {Reason.NAME},
        key(e["security"], e["camera"]): {Reason.MODEL_TYPE},
    }


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("Mô hình nuôi gà thả vườn", "mo hinh nuoi ga tha vuon!", True),
        ("Đường bê tông thôn Nà Làng", "duong be tong, thon na lang", True),
        ("Mô hình nuôi gà thả vườn", "Mô hình nuôi gà thả vườn an toàn sinh học", True),
        ("Nuôi gà", "Nuôi gà thả vườn an toàn", False),  # too short to be one work
        ("Đường giao thông số 1", "Đường giao thông số 2", False),
        ("Mô hình trồng cam", "Mô hình trồng chè", False),
        ("Nhà văn hóa thôn", "Nhà văn hoá thôn", True),  # old and new tone placement
    ],
)
def test_names_alike_after_folding(a, b, alike):
    assert names_alike(_Name.of(a), _Name.of(b)) is alike


def url(name: str, unit=None, **args) -> str:
    from flask import current_app, url_for

    with current_app.test_request_context():
        if unit is not None:
            args.update(year=YEAR, unit_id=unit.id)
        return url_for(f"coverage.{name}", **args)


def decide_url(a: Entry, b: Entry, suffix: str = "") -> str:
    first, second = key(a, b)
    return url("decide_overlap", first_id=first, second_id=second) + suffix


def test_overlaps_page_lists_open_pairs_by_commune_with_both_entries(dup, login_as):
    client, _ = login_as(Role.REVIEWER, dup.d1)
    response = client.get(url("show_overlaps", dup.d1))
    assert response.status_code == 200
    text = page_text(response)
    assert "Xã Đồng Phúc" in text and "tên gần giống" in text and "cùng loại mô hình" in text
    assert "mo hinh nuoi ga tha vuon!" in text and "Camera an ninh thôn" in text
    assert factories.org("phu_nu").name_vi in text
    assert "Đường giao thông" not in text  # another district, and not alike anyway
    assert "2 cặp" in text
    header = client.get(url("show_contents", dup.d1)).get_data(as_text=True)
    assert url("show_overlaps", dup.d1) in header


def test_not_a_duplicate_hides_the_pair_until_opened_again(dup, login_as):
    e = dup.e
    client, reviewer = login_as(Role.REVIEWER, dup.d1)
    back = url("show_overlaps", dup.d1)
    response = client.post(
        decide_url(e["security"], e["camera"]),
        data={"kind": "not_duplicate", "version": "0", "back": back, "note": "Hai việc khác"},
    )
    assert response.status_code == 303 and response.location.endswith(back)
    open_text = page_text(client.get(back))
    assert "Camera an ninh thôn" not in open_text and "1 cặp" in open_text
    seen = page_text(client.get(url("show_overlaps", dup.d1, reviewed="1")))
    assert "Camera an ninh thôn" in seen and "Không trùng" in seen and "Hai việc khác" in seen
    decision = db.session.scalar(sa.select(OverlapDecision))
    assert decision.decided_by_id == reviewer.id and decision.kind == OverlapKind.NOT_DUPLICATE
    # Told apart is not joint work: the lists say nothing of the other entry.
    listed = page_text(client.get(f"/registrations/lists/{e['security'].list_id}"))
    assert "Tổ tự quản" in listed and "Công trình chung" not in listed
    reopened = client.post(
        decide_url(e["security"], e["camera"], "/reopen"),
        data={"version": str(decision.version), "back": back},
    )
    assert reopened.status_code == 303
    assert "Camera an ninh thôn" in page_text(client.get(back))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "overlap_decisions")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["overlap.decided", "overlap.reopened"]
    reopening = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "overlap.reopened")
    )
    # Who took it back, filed under the pair's commune (the camera is in its hamlet), and what
    # the decision had been, since the decision itself is gone.
    assert (reopening.actor_id, reopening.unit_id) == (reviewer.id, dup.c1.id)
    assert reopening.details == {
        "kind": "not_duplicate",
        "entries": list(key(e["security"], e["camera"])),
    }


def test_joint_work_adds_the_partner_and_meets_its_organization_rule(dup, campaign, login_as):
    e = dup.e
    assert not results(evaluate(campaign, dup.province, YEAR), dup.c1)["phu_nu_model"].met
    client, _ = login_as(Role.REVIEWER, dup.d1)
    response = client.post(
        decide_url(e["chicken"], e["chicken2"]),
        data={"kind": "joint", "lead": str(e["chicken"].id), "version": "0"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Entry, e["chicken"].id)
    assert [o.code for o in lead.partners] == ["phu_nu"]
    assert results(evaluate(campaign, dup.province, YEAR), dup.c1)["phu_nu_model"].met
    farmers, women = factories.org("nong_dan").name_vi, factories.org("phu_nu").name_vi
    other_list = client.get(f"/registrations/lists/{e['chicken2'].list_id}")
    assert f"Công trình chung với {farmers} (chủ trì)" in page_text(other_list)
    lead_list = client.get(f"/registrations/lists/{lead.list_id}")
    assert f"Công trình chung với {women}" in page_text(lead_list)
    # Taken back: the partner it added goes too.
    decision_id = db.session.scalar(sa.select(OverlapDecision.id))
    reopened = client.post(
        decide_url(e["chicken"], e["chicken2"], "/reopen"), data={"version": "1"}
    )
    assert reopened.status_code == 303, page_text(reopened)
    db.session.expire_all()
    assert db.session.get(Entry, e["chicken"].id).partners == []
    assert db.session.get(OverlapDecision, decision_id) is None


def test_joint_work_without_a_lead_is_refused_with_the_choice_kept(dup, login_as):
    e = dup.e
    client, _ = login_as(Role.REVIEWER, dup.d1)
    response = client.post(
        decide_url(e["chicken"], e["chicken2"]),
        data={"kind": "joint", "version": "0", "note": "Cùng một việc"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Hãy chọn mục chủ trì công trình chung." in text and "Cùng một việc" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0


def test_stale_decision_is_409_with_the_colleagues_decision_and_the_typing_kept(dup, login_as):
    e = dup.e
    first, _ = login_as(Role.REVIEWER, dup.d1)
    second, _ = login_as(Role.ADMIN, dup.province)
    target = decide_url(e["security"], e["camera"])
    assert first.post(target, data={"kind": "not_duplicate", "version": "0"}).status_code == 303
    late = second.post(
        target,
        data={"kind": "joint", "lead": str(e["camera"].id), "version": "0", "note": "Gõ dở"},
    )
    assert late.status_code == 409
    text = page_text(late)
    assert "Người khác đã quyết định" in text and "Không trùng" in text and "Gõ dở" in text
    decision = db.session.scalar(sa.select(OverlapDecision))
    assert decision.kind == OverlapKind.NOT_DUPLICATE and decision.version == 1
    # With the version now shown, the change goes through.
    changed = second.post(
        target, data={"kind": "joint", "lead": str(e["camera"].id), "version": "1"}
    )
    assert changed.status_code == 303
    db.session.expire_all()
    assert db.session.get(OverlapDecision, decision.id).kind == OverlapKind.JOINT


def test_out_of_scope_users_see_and_decide_nothing(dup, login_as):
    e = dup.e
    target = decide_url(e["security"], e["camera"])
    other, _ = login_as(Role.REVIEWER, dup.d2)
    assert other.get(url("show_overlaps", dup.d1)).status_code == 403
    assert other.get(url("show_overlaps", dup.province)).status_code == 403
    assert other.post(target, data={"kind": "not_duplicate", "version": "0"}).status_code == 403
    first, second = key(e["security"], e["camera"])
    show = url("show_overlap", first_id=first, second_id=second)
    assert other.get(show).status_code == 403
    viewer, _ = login_as(Role.VIEWER, dup.d1)
    assert viewer.get(url("show_overlaps", dup.d1)).status_code == 200
    assert viewer.get(show).status_code == 200
    assert viewer.post(target, data={"kind": "not_duplicate", "version": "0"}).status_code == 403
    narrowed, _ = login_as(Role.REVIEWER, dup.d1, organization=factories.org("phu_nu"))
    assert narrowed.get(url("show_overlaps", dup.d1)).status_code == 403
    # Two entries of different communes are no pair.
    apart = decide_url(e["chicken"], e["other_commune"])
    admin, _ = login_as(Role.ADMIN, dup.province)
    assert admin.post(apart, data={"kind": "not_duplicate", "version": "0"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0


def test_a_district_sees_only_its_communes_pairs(dup, login_as):
    add_entry(dup.c3, "phu_nu", 1, model="ba_sach", name="Ba sạch một")
    add_entry(dup.c3, "mttq", 1, model="ba_sach", name="Ba sạch hai")
    db.session.commit()
    district, _ = login_as(Role.VIEWER, dup.d1)
    assert "Ba sạch hai" not in page_text(district.get(url("show_overlaps", dup.d1)))
    province, _ = login_as(Role.VIEWER, dup.province)
    text = page_text(province.get(url("show_overlaps", dup.province)))
    assert "Ba sạch hai" in text and "Camera an ninh thôn" in text and "3 cặp" in text


def test_overlaps_page_query_count_is_constant_in_the_number_of_communes(dup, login_as):
    client, _ = login_as(Role.ADMIN, dup.province)
    client.get(url("show_overlaps", dup.province))  # the interface catalog, built once
    counts = []
    for extra in (0, 10):
        grow(dup, extra)
        for reviewed in (None, "1"):
            with counting_queries() as statements:
                response = client.get(url("show_overlaps", dup.province, reviewed=reviewed))
            assert response.status_code == 200
            counts.append(len(statements))
            if reviewed is None:
                open_text = page_text(response)
                # Every pair decided, each by someone else: the looked-at list shows them all.
                for pair in detect(communes_in_year(dup.province.id, YEAR), YEAR):
                    db.session.add(
                        OverlapDecision(
                            first_entry_id=pair.first_id,
                            second_entry_id=pair.second_id,
                            kind=OverlapKind.NOT_DUPLICATE,
                            decided_by=factories.make_user(roles=[(Role.REVIEWER, dup.d1)]),
                        )
                    )
                db.session.commit()
        assert "Không trùng" in page_text(response)
        db.session.execute(sa.delete(OverlapDecision))
        db.session.commit()
    assert counts[:2] == counts[2:], counts
    # Each added commune has three entries named alike ("Mô hình"), over two pages.
    assert "32 cặp" in open_text


def test_submission_and_approval_are_not_held_up_by_likely_duplicates(dup, login_as):
    year = YEAR + 1
    add_entry(dup.c1, "nong_dan", 2, name="Mô hình nuôi gà thả vườn", year=year)
    entry = add_entry(
        dup.c1, "phu_nu", 2, name="Mô hình nuôi gà thả vườn", year=year, state=EntryState.DRAFT
    )
    db.session.commit()
    editor, _ = login_as(Role.EDITOR, dup.c1)
    response = editor.post(f"/registrations/lists/{entry.list_id}/submit")
    assert response.status_code == 303
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.state == EntryState.SUBMITTED
    assert entry.registration_list.state == ListState.SUBMITTED
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    page = reviewer.get(f"/registrations/lists/{entry.list_id}")
    text = page_text(page)
    assert "1 công trình có thể trùng" in text
    assert f"list={entry.list_id}" in page.get_data(as_text=True)
    approved = reviewer.post(
        f"/review/entries/{entry.id}/approve", data={"version": str(entry.version)}
    )
    assert approved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).state == EntryState.APPROVED


def test_decision_with_htmx_swaps_the_row_in_a_small_fragment(dup, login_as):
    e = dup.e
    client, _ = login_as(Role.REVIEWER, dup.d1)
    response = client.post(
        decide_url(e["chicken"], e["chicken2"]),
        data={"kind": "joint", "lead": str(e["chicken2"].id), "version": "0", "note": "Chung"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "overlap-decided" in response.headers["HX-Trigger"]
    first, second = key(e["chicken"], e["chicken2"])
    assert f'id="overlap-{first}-{second}"' in body and "Công trình chung" in body
    assert len(body.encode()) <= 5 * 1024, len(body.encode())
    stale = client.post(
        decide_url(e["chicken"], e["chicken2"]),
        data={"kind": "not_duplicate", "version": "0"},
        headers={"HX-Request": "true"},
    )
    assert stale.status_code == 200 and "Người khác đã quyết định" in stale.get_data(as_text=True)
    print(f"\nfragment: {len(body.encode())} B")


def test_pair_page_of_an_entry_whose_list_the_user_cannot_open_is_403(dup, login_as):
    hidden = add_entry(
        dup.d1, "phu_nu", 2, location=dup.c1, name="Bí mật của huyện", state=EntryState.SUBMITTED
    )
    mine = dup.e["chicken"]
    db.session.commit()
    viewer, _ = login_as(Role.VIEWER, dup.c1)
    assert viewer.get(f"/registrations/lists/{hidden.list_id}").status_code == 403
    first, second = key(mine, hidden)
    response = viewer.get(url("show_overlap", first_id=first, second_id=second))
    assert response.status_code == 403
    assert "Bí mật" not in response.get_data(as_text=True)
    decided = viewer.post(decide_url(mine, hidden), data={"kind": "not_duplicate", "version": "0"})
    assert decided.status_code == 403


def test_pair_of_an_entry_not_compared_is_404(dup, login_as):
    e = dup.e
    first, second = key(e["draft"], e["security"])
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    assert reviewer.get(url("show_overlap", first_id=first, second_id=second)).status_code == 404
    response = reviewer.post(
        decide_url(e["draft"], e["security"]),
        data={"kind": "joint", "lead": str(e["draft"].id), "version": "0"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Entry, e["draft"].id).partners == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0


def district_entry(tree, name: str) -> Entry:
    """A submitted entry of the district's Women's list, located in C1, of the model type of
    C1's "chicken" entry: a pair with it."""
    entry = add_entry(
        tree.d1,
        "phu_nu",
        2,
        location=tree.c1,
        name=name,
        model="gia_dinh_hanh_phuc",
        state=EntryState.SUBMITTED,
    )
    db.session.commit()
    return entry


def test_overlaps_list_shows_only_entries_of_lists_the_reader_may_open(dup, login_as):
    district_entry(dup, "Huyện riêng tư số một")
    commune, _ = login_as(Role.VIEWER, dup.c1)
    text = page_text(commune.get(url("show_overlaps", dup.c1)))
    assert "Huyện riêng tư" not in text and "Camera an ninh thôn" in text
    district, _ = login_as(Role.VIEWER, dup.d1)
    assert "Huyện riêng tư" in page_text(district.get(url("show_overlaps", dup.d1)))


def test_joint_work_on_an_entry_of_a_list_the_decider_cannot_open_is_403(dup, login_as):
    province_entry = add_entry(
        dup.province, "phu_nu", 2, location=dup.c1, name="Mô hình tỉnh", model="gia_dinh_hanh_phuc"
    )
    db.session.commit()
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    assert reviewer.get(f"/registrations/entries/{province_entry.id}").status_code == 403
    response = reviewer.post(
        decide_url(province_entry, dup.e["chicken"]),
        data={"kind": "joint", "lead": str(province_entry.id), "version": "0"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Entry, province_entry.id).partners == []


def test_joint_work_led_by_an_entry_the_decider_does_not_review_is_refused(dup, login_as):
    factories.make_user(roles=[(Role.REVIEWER, dup.province)])  # reviews the district's lists
    theirs = district_entry(dup, "Mô hình của huyện")
    chicken = dup.e["chicken"]
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    refused = reviewer.post(
        decide_url(theirs, chicken),
        data={"kind": "joint", "lead": str(theirs.id), "version": "0", "note": "Chung"},
    )
    assert refused.status_code == 403
    text = page_text(refused)
    assert "Bạn không duyệt danh sách của mục được chọn chủ trì" in text and "Chung" in text
    db.session.expire_all()
    assert db.session.get(Entry, theirs.id).partners == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0
    led_here = reviewer.post(
        decide_url(theirs, chicken),
        data={"kind": "joint", "lead": str(chicken.id), "version": "0"},
    )
    assert led_here.status_code == 303
    db.session.expire_all()
    assert [o.code for o in db.session.get(Entry, chicken.id).partners] == ["phu_nu"]


def lead_options(response) -> tuple[set[str], set[str]]:
    """The decision form's offered kinds and leads, as the radio values on the page."""
    import re

    html = response.get_data(as_text=True)
    return (
        set(re.findall(r'name="kind"[^>]*value="([^"]+)"', html)),
        set(re.findall(r'name="lead"[^>]*value="([^"]+)"', html)),
    )


def test_the_decision_form_offers_only_leads_the_decider_may_take(dup, login_as):
    factories.make_user(roles=[(Role.REVIEWER, dup.province)])  # reviews the district's lists
    theirs = district_entry(dup, "Mô hình của huyện")
    chicken = dup.e["chicken"]
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    first, second = key(theirs, chicken)
    page = reviewer.get(url("show_overlap", first_id=first, second_id=second))
    assert page.status_code == 200
    assert lead_options(page) == ({"not_duplicate", "joint"}, {str(chicken.id)})
    listed = reviewer.get(url("show_overlaps", dup.d1))
    assert str(theirs.id) not in lead_options(listed)[1]
    assert str(chicken.id) in lead_options(listed)[1]
    province, _ = login_as(Role.REVIEWER, dup.province)
    both = province.get(url("show_overlap", first_id=first, second_id=second))
    assert lead_options(both)[1] == {str(theirs.id), str(chicken.id)}


def test_without_a_lead_to_take_joint_work_is_not_offered_and_still_refused(dup, login_as):
    factories.make_user(roles=[(Role.REVIEWER, dup.province)])  # reviews the district's lists
    one, two = district_entry(dup, "Mô hình huyện một"), district_entry(dup, "Mô hình huyện hai")
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    first, second = key(one, two)
    page = reviewer.get(url("show_overlap", first_id=first, second_id=second))
    assert page.status_code == 200
    assert lead_options(page) == ({"not_duplicate"}, set())
    assert "Không thể chọn công trình chung" in page_text(page)
    refused = reviewer.post(
        decide_url(one, two),
        data={"kind": "joint", "lead": str(one.id), "version": "0", "note": "Chung"},
    )
    assert refused.status_code == 403
    assert "Chung" in page_text(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0
    not_duplicate = reviewer.post(
        decide_url(one, two), data={"kind": "not_duplicate", "version": "0"}
    )
    assert not_duplicate.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 1


def test_joint_work_and_its_reopening_move_the_lead_entrys_version(dup, login_as):
    e = dup.e
    before = e["chicken"].version
    client, _ = login_as(Role.REVIEWER, dup.d1)
    joined = client.post(
        decide_url(e["chicken"], e["chicken2"]),
        data={"kind": "joint", "lead": str(e["chicken"].id), "version": "0"},
    )
    assert joined.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Entry, e["chicken"].id)
    assert [o.code for o in lead.partners] == ["phu_nu"]
    assert lead.version == before + 1
    reopened = client.post(
        decide_url(e["chicken"], e["chicken2"], "/reopen"), data={"version": "1"}
    )
    assert reopened.status_code == 303
    db.session.expire_all()
    lead = db.session.get(Entry, e["chicken"].id)
    assert lead.partners == [] and lead.version == before + 2


def test_deleting_the_other_entry_of_a_joint_work_takes_its_partner_back(dup, login_as):
    e = dup.e
    lead, other = e["chicken"], e["chicken2"]
    lead_id, other_id = lead.id, other.id
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    joined = reviewer.post(
        decide_url(lead, other), data={"kind": "joint", "lead": str(lead_id), "version": "0"}
    )
    assert joined.status_code == 303
    returned = reviewer.post(
        f"/review/entries/{other_id}/return",
        data={"version": str(db.session.get(Entry, other_id).version), "reason": "Trùng"},
    )
    assert returned.status_code == 303
    db.session.expire_all()
    assert db.session.get(Entry, other_id).state == EntryState.RETURNED
    version = db.session.get(Entry, lead_id).version
    editor, _ = login_as(Role.EDITOR, dup.c1, organization=factories.org("phu_nu"))
    deleted = editor.post(
        f"/registrations/entries/{other_id}/delete",
        data={"version": str(db.session.get(Entry, other_id).version)},
    )
    assert deleted.status_code == 303
    db.session.expire_all()
    assert db.session.get(Entry, other_id) is None
    lead = db.session.get(Entry, lead_id)
    assert lead.partners == [] and lead.version == version + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0


def test_reopening_a_joint_work_keeps_a_partner_the_editor_had_named(dup, login_as):
    """The Women's Union was already the chicken model's partner: joining the pair added
    nothing, so taking the joining back removes nothing."""
    e = dup.e
    lead = e["chicken"]
    lead.partners.append(factories.org("phu_nu"))
    db.session.commit()
    client, _ = login_as(Role.REVIEWER, dup.d1)
    joined = client.post(
        decide_url(lead, e["chicken2"]),
        data={"kind": "joint", "lead": str(lead.id), "version": "0"},
    )
    assert joined.status_code == 303
    decision = db.session.scalar(sa.select(OverlapDecision))
    assert not decision.partner_added
    reopened = client.post(
        decide_url(lead, e["chicken2"], "/reopen"), data={"version": str(decision.version)}
    )
    assert reopened.status_code == 303
    db.session.expire_all()
    assert [o.code for o in db.session.get(Entry, lead.id).partners] == ["phu_nu"]


def test_deleting_an_entry_takes_back_only_its_own_joint_works_partner(dup, login_as):
    e = dup.e
    reviewer, _ = login_as(Role.REVIEWER, dup.d1)
    for lead, other in ((e["chicken"], e["chicken2"]), (e["security"], e["camera"])):
        joined = reviewer.post(
            decide_url(lead, other), data={"kind": "joint", "lead": str(lead.id), "version": "0"}
        )
        assert joined.status_code == 303
    db.session.expire_all()
    chicken2 = db.session.get(Entry, e["chicken2"].id)
    returned = reviewer.post(
        f"/review/entries/{chicken2.id}/return",
        data={"version": str(chicken2.version), "reason": "Trùng"},
    )
    assert returned.status_code == 303
    editor, _ = login_as(Role.EDITOR, dup.c1, organization=factories.org("phu_nu"))
    db.session.expire_all()
    deleted = editor.post(
        f"/registrations/entries/{chicken2.id}/delete",
        data={"version": str(db.session.get(Entry, chicken2.id).version)},
    )
    assert deleted.status_code == 303
    db.session.expire_all()
    assert db.session.get(Entry, e["chicken"].id).partners == []
    # The other joint work, which the deleted entry has no part in, keeps its partner.
    assert [o.code for o in db.session.get(Entry, e["security"].id).partners] == ["mttq"]
    assert db.session.scalar(sa.select(OverlapDecision.lead_entry_id)) == e["security"].id


@pytest.mark.parametrize(
    "args",
    [
        {"list": "abc", "page": "abc", "reviewed": "x"},
        {"list": "99999999999999", "page": "-3"},
        {"page": "99999999999999999999"},
    ],
)
def test_overlaps_page_bad_arguments_fall_back_to_the_defaults(dup, login_as, args):
    client, _ = login_as(Role.ADMIN, dup.province)
    response = client.get(url("show_overlaps", dup.province, **args))
    assert response.status_code == 200
    assert "Camera an ninh thôn" in page_text(response)


def test_decide_bad_input_is_refused_without_a_decision(dup, login_as):
    e = dup.e
    client, _ = login_as(Role.ADMIN, dup.province)
    first, _ = key(e["chicken"], e["chicken"])
    assert client.get(url("show_overlap", first_id=first, second_id=first)).status_code == 404
    target = decide_url(e["chicken"], e["chicken2"])
    bad = {"kind": "zzz", "lead": "abc", "version": "abc", "back": "//evil"}
    assert client.post(target, data=bad).status_code == 422
    foreign_lead = {"kind": "joint", "lead": "999", "version": "0", "back": "http://evil"}
    assert client.post(target, data=foreign_lead).status_code == 422
    reopen = client.post(decide_url(e["chicken"], e["chicken2"], "/reopen"), data={"version": "x"})
    assert reopen.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OverlapDecision)) == 0


# Names written the ways editors write them: every pair among them is judged, in one commune.
VARIANTS = (
    "Mô hình nuôi gà thả vườn",
    "mo hinh  nuoi ga tha vuon!",
    "Mô hình nuôi gà thả vườn an toàn sinh học",
    "Mô hình nuôi gà thả vuờn",
    "MÔ HÌNH NUÔI GÀ THẢ VƯỜN",
    "Nuôi gà thả vườn, mô hình",
    "Nuôi gà",
    "Nuôi gà thả vườn an toàn",
    "Đường bê tông thôn Nà Làng",
    "duong be tong, thon na lang",
    "Đường bê tông thôn Nà Lang",
    "Đường giao thông nông thôn số 1",
    "Đường giao thông nông thôn số 2",
    "Đường giao thông nông thôn số 1 (nối dài)",
    "Mô hình trồng cam",
    "Mô hình trồng chè",
    "Nhà văn hóa thôn",
    "Nhà văn hoá thôn",
    "Nhà văn hoá thôn Bản Chang",
    "Xây dựng nhà Đại đoàn kết cho hộ nghèo thôn Khuổi Ổ",
    "Xây dựng nhà Đại đoàn kết cho hộ nghèo",
    "Xây dựng nhà đại đoàn kết hộ nghèo thôn Khuổi Ổ",
    "Tổ tự quản",
    "Camera an ninh thôn",
)


def test_trigram_candidates_give_the_same_pairs_as_python(db, campaign, tree):
    """On PostgreSQL the names are first filtered in SQL (pg_trgm): the pairs found are exactly
    those the Python comparison finds (on SQLite both are the Python path)."""
    from webapp.coverage.overlaps import _alike_names_python, _alike_names_trigram

    organizations = ["nong_dan", "phu_nu", "cuu_chien_binh", "mttq", "doan_thanh_nien"]
    for index, name in enumerate(VARIANTS):
        add_entry(tree.c1, organizations[index % len(organizations)], 1 + index % 5, name=name)
    add_entry(tree.c2, "nong_dan", 1, name=VARIANTS[0])  # another commune: never a pair
    db.session.commit()
    communes = communes_in_year(tree.province.id, YEAR)
    python = sorted(_alike_names_python(communes, YEAR, None))
    assert len(python) >= 10  # the variants do pair up
    if db.engine.dialect.name == "postgresql":
        assert sorted(_alike_names_trigram(communes, YEAR, None)) == python
    assert (
        sorted(
            (p.commune_id, p.first_id, p.second_id, p.first_list_id, p.second_list_id)
            for p in detect(communes, YEAR)
            if Reason.NAME in p.reasons
        )
        == python
    )
