"""The rules screen: rules as data change what the coverage pages show, retiring from a year,
bad input, stale saves, deleting only rules never in force, and who may manage rules."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.test_coverage import YEAR, model_type, page_text, rule, url
from tests.test_coverage import plan as plan  # the hand-counted coverage fixture
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.campaign import rules
from webapp.campaign.models import Requirement
from webapp.campaign.queries import requirements_in
from webapp.extensions import db


def rule_data(**changes) -> dict:
    data = {
        "code": "hai_moi_noi_dung",
        "kind": "every_content",
        "organization_id": "",
        "min_count": "2",
        "applies_to": "all_communes",
        "rule_vi": "Mỗi nội dung ít nhất 02 công trình",
        "source_vi": "",
        "valid_from_year": str(YEAR),
        "valid_to_year": "",
    }
    data.update(changes)
    return data


def admin(login_as, plan, lang="en"):
    client, _ = login_as(Role.ADMIN, plan.province)
    client.set_cookie("lang", lang)
    return client


def legend(page: str) -> int:
    """How many rules the organization matrix shows (its numbered legend)."""
    return re.search(r'<ol class="legend">(.*?)</ol>', page, re.S).group(1).count("<li>")


def errors(response) -> str:
    return " ".join(
        re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', response.get_data(as_text=True), re.S)
    )


def test_add_every_content_rule_shows_the_gap_on_the_matrix_and_gap_list(plan, login_as):
    client = admin(login_as, plan)
    before = page_text(client.get(url("show_gaps", plan.province)))
    assert "1 commune meets every rule: Xã Đồng Phúc" in before
    response = client.post("/admin/rules/new", data=rule_data())
    assert response.status_code == 303
    added = rule("hai_moi_noi_dung")
    assert (added.min_count, added.valid_from_year, added.version) == (2, YEAR, 1)
    gaps = page_text(client.get(url("show_gaps", plan.province)))
    assert "meets every rule" not in gaps
    assert "Xã Đồng Phúc" in gaps
    card = page_text(client.get(url("show_contents", plan.c1)))
    assert "each content has at least 2 entries" in card
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="requirement.created"))
    assert event.details["code"] == "hai_moi_noi_dung"


def test_add_organization_model_rule_shows_the_gap_for_that_organization(plan, login_as):
    client = admin(login_as, plan)
    matrix = client.get(url("show_organizations", plan.d1)).get_data(as_text=True)
    gaps_before = matrix.count('class="gap"')
    data = rule_data(
        code="nong_dan_model", kind="model_types", min_count="1",
        organization_id=str(factories.org("nong_dan").id),
        model_type_ids=[str(model_type("sach_nha_tot_ruong").id)],
    )  # fmt: skip
    assert client.post("/admin/rules/new", data=data).status_code == 303
    matrix = client.get(url("show_organizations", plan.d1)).get_data(as_text=True)
    assert matrix.count('class="gap"') == gaps_before + 2  # C1 and C2 have no such model
    assert rule("nong_dan_model").model_types == [model_type("sach_nha_tot_ruong")]


def test_retire_rule_from_a_year_keeps_it_for_the_year_before(plan, login_as, campaign):
    client = admin(login_as, plan)
    ccb = rule("ccb_an_ninh")
    columns = client.get(url("show_organizations", plan.province)).get_data(as_text=True)
    response = client.post(
        f"/admin/rules/{ccb.id}/retire", data={"version": ccb.version, "from_year": YEAR}
    )
    assert response.status_code == 303
    db.session.refresh(ccb)
    assert ccb.valid_to_year == YEAR - 1
    assert ccb not in requirements_in(campaign, YEAR)
    assert ccb in requirements_in(campaign, YEAR - 1)
    matrix = client.get(url("show_organizations", plan.province)).get_data(as_text=True)
    assert legend(matrix) == legend(columns) - 1
    listing = page_text(client.get("/admin/rules"))
    assert "Retired" in listing and "until 2025" in listing


def test_retire_rule_before_its_first_year_refused_with_message(plan, login_as):
    client = admin(login_as, plan, lang="vi")
    assert (
        client.post("/admin/rules/new", data=rule_data(valid_from_year="2030")).status_code == 303
    )
    added = rule("hai_moi_noi_dung")
    response = client.post(
        f"/admin/rules/{added.id}/retire", data={"version": added.version, "from_year": "2030"}
    )
    assert response.status_code == 422
    assert "Tiêu chí bắt đầu từ năm 2030" in errors(response)
    db.session.refresh(added)
    assert added.valid_to_year is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "five_contents"}, "Một tiêu chí khác của cuộc vận động đã có mã five_contents."),
        ({"min_count": "0"}, "Nhập số nguyên từ 1 đến 99."),
        ({"valid_from_year": "2027", "valid_to_year": "2026"}, "Năm cuối không được trước"),
        ({"kind": "model_types"}, "Chọn các loại mô hình mà tiêu chí này đếm"),
        ({"partner_ids": ["1"]}, "Đơn vị phối hợp được tính cùng tổ chức của tiêu chí"),
        ({"code": ""}, "Trường này là bắt buộc."),
    ],
    ids=["duplicate-code", "min-zero", "years-reversed", "no-model-types", "partner-alone",
         "no-code"],
)  # fmt: skip
def test_add_rule_bad_input_refused_with_message_and_values_kept(plan, login_as, changes, message):
    client = admin(login_as, plan, lang="vi")
    count = db.session.scalar(sa.select(sa.func.count(Requirement.id)))
    data = rule_data(**changes)
    response = client.post("/admin/rules/new", data=data)
    assert response.status_code == 422
    assert message in errors(response)
    assert "Mỗi nội dung ít nhất 02 công trình" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Requirement.id))) == count


def test_edit_rule_stale_save_409_shows_colleagues_values_and_keeps_mine(plan, login_as):
    client = admin(login_as, plan)
    future = rule_data(valid_from_year="2030")  # never in force: all of it may change
    assert client.post("/admin/rules/new", data=future).status_code == 303
    added = rule("hai_moi_noi_dung")
    seen = added.version
    form = client.get(f"/admin/rules/{added.id}/edit").get_data(as_text=True)
    assert f'value="{seen}"' in form
    colleague = factories.make_user(roles=[(Role.ADMIN, plan.province)])
    values = rules.RequirementValues(
        **{name: getattr(added, name) for name in rules.REQUIREMENT_FIELDS}
    )
    values.min_count = 3
    rules.save_requirement(colleague, added.campaign, added, seen, values)
    db.session.commit()
    mine = {**future, "min_count": "5", "version": str(seen)}
    response = client.post(f"/admin/rules/{added.id}/edit", data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    text = page_text(response)
    assert "Someone else saved this rule" in text
    assert 'value="5"' in page  # mine kept in the form
    assert "At least 5 3" in text  # the conflict table: mine, then theirs
    db.session.refresh(added)
    assert added.min_count == 3
    again = {**mine, "version": str(added.version)}
    assert client.post(f"/admin/rules/{added.id}/edit", data=again).status_code == 303
    db.session.refresh(added)
    assert added.min_count == 5


def test_edit_rule_past_years_were_judged_by_keeps_what_it_asks(plan, login_as):
    client = admin(login_as, plan, lang="vi")
    ccb = rule("ccb_an_ninh")
    form = client.get(f"/admin/rules/{ccb.id}/edit").get_data(as_text=True)
    assert (
        "<fieldset disabled>" in form
        and "hãy thôi áp dụng tiêu chí này và thêm tiêu chí mới" in form
    )
    # What a browser posts: the disabled fields are missing, the texts and last year are there.
    texts = {"rule_vi": "Diễn đạt lại", "source_vi": "Hướng dẫn số 5", "valid_to_year": "2040"}
    saved = client.post(f"/admin/rules/{ccb.id}/edit", data={**texts, "version": ccb.version})
    assert saved.status_code == 303
    db.session.refresh(ccb)
    assert (ccb.rule_vi, ccb.source_vi, ccb.valid_to_year) == (
        "Diễn đạt lại",
        "Hướng dẫn số 5",
        2040,
    )
    assert ccb.min_count == 1 and ccb.code == "ccb_an_ninh"
    # A changed minimum, posted anyway, is refused with the way to go.
    changed = {**texts, "min_count": "5", "version": ccb.version}
    refused = client.post(f"/admin/rules/{ccb.id}/edit", data=changed)
    assert refused.status_code == 422
    assert "hãy thôi áp dụng tiêu chí này và thêm tiêu chí mới" in errors(refused)
    db.session.refresh(ccb)
    assert ccb.min_count == 1


def test_retire_a_retired_rule_from_a_later_year_refused_with_message(plan, login_as, campaign):
    client = admin(login_as, plan, lang="vi")
    ccb = rule("ccb_an_ninh")
    retired = client.post(
        f"/admin/rules/{ccb.id}/retire", data={"version": ccb.version, "from_year": 2020}
    )
    assert retired.status_code == 303
    db.session.refresh(ccb)
    assert ccb.valid_to_year == 2019
    assert "Thôi áp dụng tiêu chí" not in page_text(client.get(f"/admin/rules/{ccb.id}/edit"))
    again = client.post(
        f"/admin/rules/{ccb.id}/retire", data={"version": ccb.version, "from_year": 2031}
    )
    assert again.status_code == 422
    assert "Tiêu chí đã hết hiệu lực từ sau năm 2019" in errors(again)
    edited = client.post(
        f"/admin/rules/{ccb.id}/edit", data={"valid_to_year": "2031", "version": ccb.version}
    )
    assert edited.status_code == 422
    db.session.refresh(ccb)
    assert ccb.valid_to_year == 2019
    assert ccb not in requirements_in(campaign, YEAR)


def test_delete_rule_only_when_never_in_force(plan, login_as):
    client = admin(login_as, plan)
    ccb = rule("ccb_an_ninh")
    refused = client.post(f"/admin/rules/{ccb.id}/delete", data={"version": ccb.version})
    assert refused.status_code == 303
    assert db.session.get(Requirement, ccb.id) is not None
    assert (
        client.post("/admin/rules/new", data=rule_data(valid_from_year="2030")).status_code == 303
    )
    future = rule("hai_moi_noi_dung")
    assert "Delete the rule" in page_text(client.get(f"/admin/rules/{future.id}/edit"))
    response = client.post(f"/admin/rules/{future.id}/delete", data={"version": future.version})
    assert response.status_code == 303
    assert rule("hai_moi_noi_dung") is None


@pytest.mark.parametrize(
    ("role", "unit"), [(Role.ADMIN, "d1"), (Role.REVIEWER, "province"), (Role.EDITOR, "c1")]
)
def test_rules_screen_refused_to_others_than_top_admins(plan, login_as, role, unit):
    client, _ = login_as(role, getattr(plan, unit))
    ccb = rule("ccb_an_ninh")
    assert client.get("/admin/rules").status_code == 403
    assert client.get(f"/admin/rules/{ccb.id}/edit").status_code == 403
    assert client.post("/admin/rules/new", data=rule_data()).status_code == 403
    retire = {"version": ccb.version, "from_year": YEAR}
    assert client.post(f"/admin/rules/{ccb.id}/retire", data=retire).status_code == 403
    assert rule("hai_moi_noi_dung") is None
    assert "/admin/rules" not in client.get("/").get_data(as_text=True)


def test_rules_screen_anonymous_sent_to_sign_in(plan, client):
    response = client.get("/admin/rules")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_rules_screen_linked_in_the_menu_for_top_admins(plan, login_as):
    client = admin(login_as, plan)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/admin/rules"' in home and 'href="/admin/report-figures"' in home
    listing = page_text(client.get("/admin/rules"))
    assert "In force in" in listing and "five_contents" in listing


def test_campaign_page_lists_the_rules_in_force_and_links_the_screen(plan, login_as):
    client = admin(login_as, plan)

    def shown(page: str) -> int:
        return re.search(r'<ul class="rules">(.*?)</ul>', page, re.S).group(1).count("<li>")

    before = client.get("/campaign").get_data(as_text=True)
    assert 'href="/admin/rules"' in before
    ccb = rule("ccb_an_ninh")
    client.post(f"/admin/rules/{ccb.id}/retire", data={"version": ccb.version, "from_year": YEAR})
    assert shown(client.get("/campaign").get_data(as_text=True)) == shown(before) - 1
    district, _ = login_as(Role.ADMIN, plan.d1)
    assert 'href="/admin/rules"' not in district.get("/campaign").get_data(as_text=True)


def test_rule_changes_read_in_the_audit_log(plan, login_as):
    client = admin(login_as, plan, lang="vi")
    client.post("/admin/rules/new", data=rule_data(valid_from_year="2030"))
    added = rule("hai_moi_noi_dung")
    changed = rule_data(min_count="3", valid_from_year="2030", version=str(added.version))
    assert client.post(f"/admin/rules/{added.id}/edit", data=changed).status_code == 303
    log = page_text(client.get("/audit"))
    # Named by its text, not its code.
    assert "Tiêu chí “Mỗi nội dung ít nhất 02 công trình” được thêm" in log
    assert "Tiêu chí “Mỗi nội dung ít nhất 02 công trình” được sửa" in log
    table = log.split("Sự việc", 1)[1]  # the flash messages above it name the code
    assert "hai_moi_noi_dung" not in table


def test_rules_screen_reads_in_vietnamese_with_codes_set_apart(plan, login_as):
    """The seed's rule texts are Vietnamese (it once copied an English description)."""
    client = admin(login_as, plan, lang="vi")
    page = client.get("/admin/rules").get_data(as_text=True)
    assert "each of the 5 contents" not in page
    assert "Cả 5 nội dung của Cuộc vận động đều có ít nhất 1 công trình" in page
    assert "<code>five_contents</code>" in page


def test_two_admins_saving_one_rule_at_once(app, db, tree, campaign):
    """Two real sessions from the same version: the second waits for the first's row lock,
    then finds the rule changed and is refused, so neither save is lost unseen."""
    from tests.test_review import _race
    from webapp.auth.models import User

    admin_id = factories.make_user(roles=[(Role.ADMIN, tree.province)]).id
    db.session.commit()
    ccb = rule("ccb_an_ninh")
    rule_id, version = ccb.id, ccb.version
    db.session.remove()

    def save(wording):
        def work(session_db):
            requirement = session_db.session.get(Requirement, rule_id)
            values = rules.RequirementValues(
                **{name: getattr(requirement, name) for name in rules.REQUIREMENT_FIELDS}
            )
            values.rule_vi = wording
            actor = session_db.session.get(User, admin_id)
            rules.save_requirement(actor, requirement.campaign, requirement, version, values)

        return work

    outcomes, waited_in = _race(app, ("first", save("Lần một")), ("second", save("Lần hai")))
    assert waited_in is not None, "the second session never waited for the first"
    assert outcomes == {"first": "done", "second": "StaleVersion"}, outcomes
    assert rule("ccb_an_ninh").rule_vi == "Lần một"


@pytest.mark.parametrize(
    "data",
    [
        {"code": "x", "kind": "zz", "organization_id": "abc", "min_count": "abc",
         "applies_to": "q", "model_type_ids": "abc", "valid_from_year": "abc"},
        {"code": "x", "kind": "every_content", "organization_id": "99999", "min_count": "1",
         "applies_to": "all_communes", "partner_ids": "99999", "valid_from_year": "99999999999"},
    ],
    ids=["malformed", "out-of-range"],
)  # fmt: skip
def test_add_rule_malformed_input_refused_without_a_rule(plan, login_as, data):
    client = admin(login_as, plan)
    count = db.session.scalar(sa.select(sa.func.count(Requirement.id)))
    assert client.post("/admin/rules/new", data=data).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Requirement.id))) == count


def test_delete_unknown_rule_is_404(plan, login_as):
    client = admin(login_as, plan)
    assert client.post("/admin/rules/99999/delete", data={"version": "abc"}).status_code == 404


def test_head_on_the_edit_screen_answers_like_get(plan, login_as):
    """A HEAD request (link checkers, some browsers' prefetch) reads the page; it is no save."""
    client = admin(login_as, plan)
    ccb = rule("ccb_an_ninh")
    version = ccb.version
    assert client.get(f"/admin/rules/{ccb.id}/edit").status_code == 200
    assert client.head(f"/admin/rules/{ccb.id}/edit").status_code == 200
    db.session.expire_all()
    assert rule("ccb_an_ninh").version == version
