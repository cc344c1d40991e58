"""Coverage against the plan: the requirement engine on a small hand-counted fixture, the
matrices, the gap list and its exports, scope, and a bounded number of queries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.queries import counting_queries
from webapp.auth.models import Role
from webapp.campaign.models import (
    AppliesTo,
    ModelType,
    Requirement,
    RequirementKind,
)
from webapp.coverage.queries import Tally, evaluate
from webapp.extensions import db
from webapp.registrations.models import Entry, EntryKind, EntryState, RegistrationList
from webapp.units.models import Level, UnitYearAttribute

YEAR = 2026

# The organization rules of campaign.yaml and an entry that meets each in a commune.
MEETS = {
    "phu_nu_model": ("phu_nu", "gia_dinh_hanh_phuc", 2),
    "doan_bvmt": ("doan_thanh_nien", "thanh_nien_bvmt", 3),
    "ccb_giam_ngheo": ("cuu_chien_binh", "ccb_giam_ngheo", 1),
    "ccb_an_ninh": ("cuu_chien_binh", "ccb_an_ninh", 4),
    "nct_model": ("nguoi_cao_tuoi", "nct_bvmt_van_hoa", 2),
    "cong_dong_hoc_tap": ("khuyen_hoc", "cong_dong_hoc_tap", 2),
}


def model_type(code: str) -> ModelType:
    return db.session.scalar(sa.select(ModelType).filter_by(code=code))


def rule(code: str) -> Requirement:
    return db.session.scalar(sa.select(Requirement).filter_by(code=code))


def add_entry(
    unit,
    organization: str,
    content: int,
    *,
    location=None,
    model: str | None = None,
    partners=(),
    state=EntryState.APPROVED,
    year=YEAR,
    name="Mô hình",
) -> Entry:
    """An entry of `organization`'s list at `unit` (one list per unit, organization and year)."""
    owner = factories.org(organization)
    registration_list = db.session.scalar(
        sa.select(RegistrationList).filter_by(unit_id=unit.id, organization_id=owner.id, year=year)
    )
    if registration_list is None:
        registration_list = RegistrationList(unit=unit, organization=owner, year=year)
        db.session.add(registration_list)
    entry = Entry(
        registration_list=registration_list,
        kind=EntryKind.MO_HINH,
        name=name,
        content=factories.content(content),
        model_type=model_type(model) if model else None,
        location=location or unit,
        lead_organization=owner,
        partners=[factories.org(p) for p in partners],
        state=state,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def new_rural(unit, year=YEAR, value=True) -> None:
    db.session.add(UnitYearAttribute(unit=unit, year=year, is_new_rural=value))
    db.session.flush()


@pytest.fixture
def plan(db, campaign, tree):
    """C1 has everything (some of it in a hamlet), C2 nothing approved, C3 four contents and is
    a new-rural commune without a cooperative; C1 is new-rural too, C2 only the year before."""
    hamlet = factories.make_unit("Thôn Nà Làng", level=Level.AREA, parent=tree.c1)
    for number in range(1, 6):
        add_entry(tree.c1, "mttq", number, location=hamlet if number == 5 else None)
    for organization, model, content in MEETS.values():
        add_entry(tree.c1, organization, content, model=model)
    add_entry(tree.c1, "phu_nu", 1, model="htx_phu_nu", location=hamlet)
    new_rural(tree.c1)
    add_entry(tree.c2, "mttq", 1, state=EntryState.SUBMITTED)
    add_entry(tree.c2, "mttq", 2, state=EntryState.DRAFT)
    add_entry(tree.c2, "mttq", 3, state=EntryState.RETURNED)
    add_entry(tree.c2, "mttq", 4, year=YEAR - 1)
    new_rural(tree.c2, YEAR - 1)
    for number in range(1, 5):
        add_entry(tree.c3, "nong_dan", number)
    new_rural(tree.c3)
    db.session.commit()
    return tree


def results(coverage, commune) -> dict[str, object]:
    row = next(r for r in coverage.communes if r.id == commune.id)
    return {r.requirement.code: r for r in row.rules}


def test_evaluate_commune_with_everything_meets_every_rule(plan, campaign):
    coverage = evaluate(campaign, plan.province, YEAR)
    c1 = next(r for r in coverage.communes if r.id == plan.c1.id)
    assert [c1.tally(c.id) for c in coverage.contents] == [
        Tally(3, 0), Tally(4, 0), Tally(2, 0), Tally(2, 0), Tally(1, 0)
    ]  # fmt: skip
    assert c1.is_new_rural
    assert all(r.applies and r.met and not r.pending for r in c1.rules)
    assert len(c1.rules) == 8 and c1.all_met


def test_evaluate_commune_with_nothing_approved_misses_every_rule_that_applies(plan, campaign):
    coverage = evaluate(campaign, plan.province, YEAR)
    by_code = results(coverage, plan.c2)
    assert len(by_code["five_contents"].missing_contents) == 5
    assert not by_code["htx_kieu_moi"].applies  # new-rural only the year before
    assert [code for code, r in by_code.items() if r.applies and not r.met] == [
        "five_contents", *MEETS
    ]  # fmt: skip


def test_evaluate_submitted_entries_count_only_when_asked_and_stay_apart(plan, campaign):
    coverage = evaluate(campaign, plan.province, YEAR, include_submitted=True)
    c2 = next(r for r in coverage.communes if r.id == plan.c2.id)
    assert c2.tally(coverage.contents[0].id) == Tally(approved=0, submitted=1)
    five = results(coverage, plan.c2)["five_contents"]
    assert [c.number for c in five.missing_contents] == [2, 3, 4, 5]
    assert coverage.total.per_content[coverage.contents[0].id].met == 3
    assert (
        evaluate(campaign, plan.province, YEAR).total.per_content[coverage.contents[0].id].met == 2
    )


def test_evaluate_cooperative_rule_applies_to_new_rural_communes_of_the_year(plan, campaign):
    coverage = evaluate(campaign, plan.province, YEAR)
    assert results(coverage, plan.c1)["htx_kieu_moi"].met  # a Women's Union cooperative
    c3 = results(coverage, plan.c3)
    assert c3["htx_kieu_moi"].applies and not c3["htx_kieu_moi"].met
    assert [c.number for c in c3["five_contents"].missing_contents] == [5]
    assert coverage.total.per_rule[rule("htx_kieu_moi").id].met == 1
    assert coverage.total.per_rule[rule("htx_kieu_moi").id].of == 2


def test_evaluate_counts_an_organization_as_partner_but_not_another_organizations_model(
    plan, campaign
):
    add_entry(plan.c3, "mttq", 2, model="gia_dinh_hanh_phuc", partners=["phu_nu"])
    add_entry(plan.c3, "nong_dan", 3, model="thanh_nien_bvmt")
    db.session.commit()
    by_code = results(evaluate(campaign, plan.province, YEAR), plan.c3)
    assert by_code["phu_nu_model"].met
    assert not by_code["doan_bvmt"].met


def test_evaluate_rules_are_data_added_changed_and_retired(plan, campaign):
    farmers = Requirement(
        campaign=campaign, code="nong_dan_model", kind=RequirementKind.MODEL_TYPES,
        organization=factories.org("nong_dan"), model_types=[model_type("sach_nha_tot_ruong")],
    )  # fmt: skip
    db.session.add(farmers)
    rule("ccb_an_ninh").valid_to_year = YEAR - 1
    rule("five_contents").min_count = 2
    db.session.commit()
    by_code = results(evaluate(campaign, plan.province, YEAR), plan.c1)
    assert not by_code["nong_dan_model"].met
    assert "ccb_an_ninh" not in by_code
    assert [c.number for c in by_code["five_contents"].missing_contents] == [5]
    rule("htx_kieu_moi").applies_to = AppliesTo.ALL_COMMUNES
    db.session.commit()
    assert results(evaluate(campaign, plan.province, YEAR), plan.c2)["htx_kieu_moi"].applies


def test_evaluate_totals_per_district_and_for_the_province(plan, campaign):
    coverage = evaluate(campaign, plan.province, YEAR)
    assert (coverage.total.all_contents.met, coverage.total.all_contents.of) == (1, 3)
    assert coverage.total.all_contents.percent == 33
    assert (coverage.total.all_rules.met, coverage.total.all_rules.of) == (1, 3)
    d1, d2 = coverage.groups
    assert (d1.name, d1.all_contents.met, d1.all_contents.of) == ("Huyện Một", 1, 2)
    assert (d2.name, d2.all_contents.met, d2.all_contents.of) == ("Huyện Hai", 0, 1)
    district = evaluate(campaign, plan.d2, YEAR)
    assert [c.id for c in district.communes] == [plan.c3.id]


def test_evaluate_skips_communes_not_valid_in_the_year(plan, campaign):
    from datetime import date

    plan.c2.valid_to = date(YEAR - 1, 12, 31)
    factories.make_unit("Xã Mới", parent=plan.d1, valid_from=date(YEAR + 1, 7, 1))
    db.session.commit()
    coverage = evaluate(campaign, plan.province, YEAR)
    assert [c.id for c in coverage.communes] == [plan.c1.id, plan.c3.id]


def grow(tree, communes: int) -> None:
    """More communes in both districts, each with a few entries of several organizations."""
    for n in range(communes):
        commune = factories.make_unit(f"Xã Thêm {n}", parent=tree.d1 if n % 2 else tree.d2)
        add_entry(commune, "phu_nu", 2, model="ba_sach", partners=["nong_dan"])
        add_entry(commune, "cuu_chien_binh", 4, model="ccb_an_ninh")
        add_entry(commune, "mttq", 1 + n % 5, state=EntryState.SUBMITTED)
        new_rural(commune, value=bool(n % 3))
    db.session.commit()


def test_evaluate_query_count_is_constant_in_the_number_of_communes(plan, campaign):
    def queries() -> int:
        db.session.expire_all()
        with counting_queries() as statements:
            coverage = evaluate(campaign, plan.province, YEAR, include_submitted=True)
            [r.met for c in coverage.communes for r in c.rules]
        return len(statements), len(coverage.communes)

    small = queries()
    grow(plan, 12)
    large = queries()
    assert (small[1], large[1]) == (3, 15)
    # 12: the year's day (its deadline) and the subtree read first (`subtree_ids`) among them
    assert small[0] == large[0] <= 12


# The pages


def page_text(response) -> str:
    import html
    import re

    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


def sign_in(login_as, role, unit):
    client, _ = login_as(role, unit)
    client.set_cookie("lang", "en")
    return client


def url(kind: str, unit, **args) -> str:
    from flask import current_app, url_for

    with current_app.test_request_context():
        return url_for(f"coverage.{kind}", year=YEAR, unit_id=unit.id, **args)


def test_show_contents_province_matrix_counts_cells_and_totals(plan, login_as):
    client = sign_in(login_as, Role.VIEWER, plan.province)
    response = client.get(url("show_contents", plan.province))
    assert response.status_code == 200
    text = page_text(response)
    assert "1 of 3 communes have entries for all 5 contents (33%)" in text
    assert "1 of 2 communes have entries for all 5 contents" in text  # Huyện Một
    for commune in (plan.c1, plan.c2, plan.c3):
        assert commune.name in text
    body = response.get_data(as_text=True)
    assert body.count('class="gap"') == 5 + 1  # C2 has nothing approved, C3 lacks content 5
    c1_content_2 = url("list_entries", plan.c1, content=factories.content(2).id)
    assert f'href="{c1_content_2}">4</a>' in body


def test_show_contents_national_root_shows_one_row_per_province(plan, login_as):
    country = factories.make_unit("Việt Nam", level=Level.COUNTRY)
    plan.province.parent = country
    other = factories.make_unit("Tỉnh Khác", level=Level.PROVINCE, parent=country)
    lone = factories.make_unit("Xã Một Mình", parent=other)  # a 2025 commune: no district
    add_entry(lone, "mttq", 1)
    db.session.commit()
    client = sign_in(login_as, Role.VIEWER, country)
    response = client.get(url("show_contents", country))
    assert response.status_code == 200
    text = page_text(response)
    body = response.get_data(as_text=True)
    # No commune rows; each province links to its own matrix, which lists its communes.
    for commune in (plan.c1, plan.c2, plan.c3, lone):
        assert commune.name not in text
    assert "Huyện Một" not in text
    assert f'href="{url("show_contents", plan.province)}">Tỉnh Thử</a>' in body
    assert f'href="{url("show_contents", other)}">Tỉnh Khác</a>' in body
    row = body[body.index(">Tỉnh Thử</a>") : body.index("</tr>", body.index(">Tỉnh Thử</a>"))]
    # Content 1: C1 has it approved, C2 only submitted, C3 has it: 2 of 3; all contents 1/3.
    assert "<td>2/3</td>" in row and row.count("/3</td>") == 5 + 2
    assert "1 of 4 communes have entries for all 5 contents" in text
    drilled = page_text(client.get(url("show_contents", plan.province)))
    assert plan.c1.name in drilled and plan.c3.name in drilled
    rules = client.get(url("show_organizations", country))
    assert rules.status_code == 200
    rules_text, rules_body = page_text(rules), rules.get_data(as_text=True)
    assert all(c.name not in rules_text for c in (plan.c1, plan.c2, plan.c3, lone))
    assert f'href="{url("show_organizations", other)}">Tỉnh Khác</a>' in rules_body
    assert plan.c1.name in page_text(client.get(url("show_organizations", plan.province)))


def test_show_contents_with_submitted_marks_them_apart(plan, login_as):
    client = sign_in(login_as, Role.VIEWER, plan.province)
    body = client.get(url("show_contents", plan.province, submitted="1")).get_data(as_text=True)
    assert '0<small class="pending">+1</small>' in body
    assert body.count('class="gap"') == 4 + 1


def test_show_organizations_marks_met_missing_and_not_applying(plan, login_as):
    client = sign_in(login_as, Role.REVIEWER, plan.d1)
    response = client.get(url("show_organizations", plan.d1))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert plan.c3.name not in body  # the other district
    assert body.count('class="ok"') == 7  # C1 meets the 7 organization rules
    assert body.count('class="gap"') == 6  # C2 misses all but the cooperative rule
    assert body.count('class="na"') == 1
    assert "1 of 2 communes meet every rule" in page_text(response)


def test_show_contents_commune_card_lists_contents_and_rules(plan, login_as):
    client = sign_in(login_as, Role.EDITOR, plan.c3)
    response = client.get(url("show_contents", plan.c3))
    assert response.status_code == 200
    text = page_text(response)
    assert "Recognised new-rural commune in 2026" in text
    assert "✗ 5." in text and "✓ 1." in text
    assert "(new-rural communes only)" in text


def test_list_entries_shows_the_entries_behind_a_cell(plan, login_as):
    client = sign_in(login_as, Role.ADMIN, plan.province)
    women = rule("phu_nu_model")
    response = client.get(url("list_entries", plan.c1, requirement=women.id))
    assert response.status_code == 200
    found = db.session.scalars(
        sa.select(Entry.id).where(Entry.model_type_id == model_type("gia_dinh_hanh_phuc").id)
    ).all()
    body = response.get_data(as_text=True)
    assert [f"/registrations/entries/{i}" in body for i in found] == [True]
    assert body.count("/registrations/entries/") == 1
    hamlet = client.get(url("list_entries", plan.c1, content=factories.content(5).id))
    assert "Thôn Nà Làng" in page_text(hamlet)


def test_show_gaps_per_commune_and_per_organization(plan, login_as):
    client = sign_in(login_as, Role.ADMIN, plan.province)
    response = client.get(url("show_gaps", plan.province))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    text = page_text(response)
    assert "No entries for content 5. Democracy & social supervision" in text
    assert "missing in 2 communes: Xã Nà Phặc, Xã Cao Sơn" in text  # the five contents
    assert "1 commune meets every rule: Xã Đồng Phúc" in text


def test_export_gaps_xlsx_reads_back_one_row_per_gap(plan, login_as):
    import io

    import openpyxl

    client = sign_in(login_as, Role.REVIEWER, plan.d2)
    response = client.get(url("export_gaps", plan.d2))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    by_commune, by_organization = workbook.worksheets
    assert (by_commune.title, by_organization.title) == ("By commune", "By organization")
    # Xã Cao Sơn, the district's one commune, has the Farmers' Union's entries for contents 1-4
    # and nothing else: the 5th content is missing, and so is every organization's model,
    # the cooperative too (a new-rural commune this year).
    at = ("Huyện Hai", "Xã Cao Sơn")
    women = "Women's Union: at least 1 entry of: Mô hình “Xây dựng gia đình hạnh phúc” / Mô hình “3 sạch” (nhà sạch, bếp sạch, ngõ sạch)"  # noqa: E501
    youth = "Ho Chi Minh Communist Youth Union: at least 1 entry of: Mô hình thanh niên bảo vệ môi trường"  # noqa: E501
    veterans = "Veterans' Association: at least 1 entry of: "
    poverty = veterans + "Mô hình Cựu chiến binh giúp nhau giảm nghèo, làm kinh tế giỏi"
    security = (
        veterans + "Mô hình bảo vệ an ninh Tổ quốc, phòng chống tội phạm, ma túy, tệ nạn xã hội"
    )
    elderly = "Elderly Association: at least 1 entry of: Mô hình người cao tuổi bảo vệ môi trường và xây dựng đời sống văn hóa"  # noqa: E501
    learning = (
        "Study Promotion Association: at least 1 entry of: Mô hình “Cộng đồng học tập cấp xã”"
    )
    cooperative = "Cooperative Alliance, Farmers' Union, Women's Union: at least 1 entry of: Hợp tác xã kiểu mới do phụ nữ quản lý / Hợp tác xã kiểu mới hoạt động hiệu quả gắn với chuỗi giá trị hàng hóa (new-rural communes only)"  # noqa: E501
    missing = [
        ("All organizations", "No entries for content 5. Democracy & social supervision"),
        ("Women's Union", women),
        ("Ho Chi Minh Communist Youth Union", youth),
        ("Veterans' Association", poverty),
        ("Veterans' Association", security),
        ("Elderly Association", elderly),
        ("Study Promotion Association", learning),
        ("Cooperative Alliance", cooperative),
    ]
    title = ("Gaps 2026 - Huyện Hai", None, None, None)
    assert list(by_commune.iter_rows(values_only=True)) == [
        title,
        (None,) * 4,
        ("Unit above", "Commune", "Organization", "What is missing"),
        *[(*at, organization, text) for organization, text in missing],
    ]
    assert list(by_organization.iter_rows(values_only=True)) == [
        title,
        (None,) * 4,
        ("Organization", "Rule", "Unit above", "Commune"),
        ("All organizations", "each content has at least 1 entry", *at),
        *[(organization, text, *at) for organization, text in missing[1:]],
    ]
    # Columns wide enough to read: the text of what is missing widest.
    widths = [by_commune.column_dimensions[c].width for c in "ABCD"]
    assert [round(w) for w in widths] == [25, 13, 31, 71]  # B shares A's (one <col> span)


@pytest.mark.parametrize(
    "kind",
    [
        "show_contents",
        "show_organizations",
        "show_gaps",
        "export_gaps",
        "list_entries",
        "show_summary",
        "export_summary",
    ],
)
def test_coverage_outside_scope_forbidden(plan, login_as, kind):
    client = sign_in(login_as, Role.REVIEWER, plan.d1)
    assert client.get(url(kind, plan.c3)).status_code == 403
    assert client.get(url(kind, plan.province)).status_code == 403


@pytest.mark.parametrize("kind", ["show_contents", "show_summary", "export_summary"])
def test_coverage_anonymous_sent_to_sign_in_and_narrowed_officer_forbidden(
    plan, client, login_as, kind
):
    response = client.get(url(kind, plan.province))
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    officer, _ = login_as(Role.EDITOR, plan.d1, organization=factories.org("phu_nu"))
    assert officer.get(url(kind, plan.d1)).status_code == 403


def test_coverage_index_opens_the_users_unit_this_year(plan, login_as):
    client = sign_in(login_as, Role.VIEWER, plan.d2)
    response = client.get("/coverage")
    assert response.status_code == 302
    assert "/coverage/" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"/{plan.d2.id}")


def test_show_contents_query_count_constant_in_the_number_of_communes(plan, login_as):
    client = sign_in(login_as, Role.ADMIN, plan.province)
    client.get(url("show_contents", plan.province))  # the interface catalog, built once
    counts = []
    for extra in (0, 10):
        grow(plan, extra)
        for kind in ("show_contents", "show_organizations", "show_gaps"):
            with counting_queries() as statements:
                assert client.get(url(kind, plan.province)).status_code == 200
            counts.append(len(statements))
    assert counts[:3] == counts[3:], counts


def test_list_entries_counts_but_does_not_list_entries_of_lists_out_of_reach(plan, login_as):
    province_entry = add_entry(plan.province, "mttq", 1, location=plan.c1, name="Của tỉnh")
    db.session.commit()
    client = sign_in(login_as, Role.REVIEWER, plan.d1)
    response = client.get(url("list_entries", plan.c1, content=factories.content(1).id))
    assert response.status_code == 200
    text = page_text(response)
    assert "Của tỉnh" not in text and f"/registrations/entries/{province_entry.id}" not in text
    assert "1 more entry is counted here from lists you cannot open." in text
    counted = client.get(url("show_contents", plan.c1)).get_data(as_text=True)
    assert f'content={factories.content(1).id}">4</a>' in counted


def test_set_new_rural_by_admin_changes_where_the_cooperative_rule_applies(plan, login_as):
    from webapp.audit.models import AuditEvent

    client = sign_in(login_as, Role.ADMIN, plan.d1)
    card = client.get(url("show_contents", plan.c2)).get_data(as_text=True)
    assert "Record as new-rural in 2026" in card
    response = client.post(
        f"/units/{plan.c2.id}/years/{YEAR}/new-rural", data={"is_new_rural": "1"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url("show_contents", plan.c2))
    db.session.expire_all()
    attribute = db.session.scalar(
        sa.select(UnitYearAttribute).filter_by(unit_id=plan.c2.id, year=YEAR)
    )
    assert attribute.is_new_rural
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="unit.new_rural_set"))
    assert event.unit_id == plan.c2.id and event.details["after"] is True
    text = page_text(client.get(url("show_contents", plan.c2)))
    assert "Recognised new-rural commune in 2026" in text
    assert "does not apply" not in text  # the cooperative rule now applies
    client.post(f"/units/{plan.c2.id}/years/{YEAR}/new-rural", data={"is_new_rural": "0"})
    db.session.expire_all()
    assert not db.session.get(UnitYearAttribute, attribute.id).is_new_rural


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR, Role.VIEWER])
def test_set_new_rural_by_non_admin_forbidden_and_not_offered(plan, login_as, role):
    client = sign_in(login_as, role, plan.d1)
    assert "new-rural/" not in client.get(url("show_contents", plan.c2)).get_data(as_text=True)
    response = client.post(
        f"/units/{plan.c2.id}/years/{YEAR}/new-rural", data={"is_new_rural": "1"}
    )
    assert response.status_code == 403
    assert (
        db.session.scalar(sa.select(UnitYearAttribute).filter_by(unit_id=plan.c2.id, year=YEAR))
        is None
    )


def test_registrations_page_links_its_coverage_for_readers(plan, login_as):
    reviewer = sign_in(login_as, Role.REVIEWER, plan.d1)
    page = reviewer.get(f"/registrations/{YEAR}/{plan.d1.id}").get_data(as_text=True)
    assert f'href="{url("show_contents", plan.d1)}"' in page
    officer, _ = login_as(Role.EDITOR, plan.d1, organization=factories.org("phu_nu"))
    page = officer.get(f"/registrations/{YEAR}/{plan.d1.id}").get_data(as_text=True)
    assert "/coverage/" not in page
