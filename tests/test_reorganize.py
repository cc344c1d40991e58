"""Units over time: Bắc Kạn's 2017 structure, the 2020 merger of communes and the 2025 reform
(Thái Nguyên, no district level) imported, checked and applied; records keep their units,
review and roles follow the new structure."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g

from tests import factories
from tests.factories import content, org
from webapp import policy
from webapp.auth import role_moves
from webapp.auth.models import Role
from webapp.policy import Action
from webapp.registrations import comparison, services
from webapp.review.chain import reviewing_unit
from webapp.seed import loader
from webapp.units import reorganize
from webapp.units.models import Level, Reorganization, Unit, UnitSuccession
from webapp.units.queries import active_on, successor_map

FIRST, SPECS = reorganize.read_manifest()
BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)


def _unit(db, code: str, day: date) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code, active_on(day)))


def _apply(db, code: str) -> reorganize.Plan:
    result = reorganize.plan(SPECS[code])
    assert result.errors == []
    reorganize.apply(None, result)
    db.session.commit()
    return result


@pytest.fixture
def bac_kan_2017(db, campaign):
    loader.load_units(loader.DATA / FIRST["units"], as_of=FIRST["as_of"])
    db.session.commit()


@pytest.fixture
def reformed(db, bac_kan_2017):
    _apply(db, "2020")
    _apply(db, "2025")


def test_reform_2025_onto_2017_and_2020_validates_and_applies(db, bac_kan_2017):
    started = time.perf_counter()
    merger = _apply(db, "2020")
    assert (len(merger.ending), len(merger.created()), len(merger.unknown())) == (27, 13, 14)
    checked = time.perf_counter()
    reform = reorganize.plan(SPECS["2025"])
    assert reform.errors == [] and reform.splits() == []
    # Every unit of the 2020–2025 structure ends: 1 province, 8 districts, 108 communes.
    assert len(reform.ending) == 117 and len(reform.created()) == 38
    reorganize.apply(None, reform)
    db.session.commit()
    done = time.perf_counter()
    print(f"\n2020 applied in {checked - started:.2f} s; 2025 in {done - checked:.2f} s")

    province = _unit(db, "19", AFTER)
    communes = list(
        db.session.scalars(sa.select(Unit).where(active_on(AFTER), Unit.level == Level.COMMUNE))
    )
    assert len(communes) == 37 and {c.parent for c in communes} == {province}
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(active_on(AFTER), Unit.level == Level.DISTRICT)
    )
    old_communes = db.session.scalars(
        sa.select(Unit).where(active_on(BEFORE), Unit.level == Level.COMMUNE)
    ).all()
    assert len(old_communes) == 108
    for commune in old_communes:
        assert len(commune.successors) == 1 and commune.successors[0] in communes, commune
    nhan_mon = _unit(db, "01861", BEFORE)
    link = db.session.scalar(sa.select(UnitSuccession).filter_by(predecessor_id=nhan_mon.id))
    assert (link.successor.name, link.basis) == ("Xã Bằng Thành", "1683/NQ-UBTVQH15 khoản 42")
    assert link.effective_on == AFTER and link.reorganization.code == "2025"
    assert _unit(db, "06", BEFORE).successors == [province]


def test_a_reorganization_is_applied_once(db, reformed):
    again = reorganize.plan(SPECS["2025"])
    assert again.applied is not None and not again.ok
    with pytest.raises(reorganize.ReorganizationError):
        reorganize.apply(None, again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reorganization)) == 2


def test_codes_reused_across_periods_do_not_collide(db, reformed):
    rows = db.session.scalars(sa.select(Unit).where(Unit.code == "01864").order_by(Unit.id)).all()
    assert [(u.name, u.valid_to, u.valid_from) for u in rows] == [
        ("Xã Bộc Bố", BEFORE, None),
        ("Xã Bằng Thành", None, AFTER),
    ]
    # Seeding the 2017 structure again matches the 2017 units, not the new ones.
    loader.load_units(loader.DATA / FIRST["units"], as_of=FIRST["as_of"])
    db.session.commit()
    db.session.expire_all()
    reused = sa.select(Unit).where(Unit.code == "01864").order_by(Unit.id)
    assert [u.name for u in db.session.scalars(reused)] == [
        "Xã Bộc Bố",
        "Xã Bằng Thành",
    ]


def test_the_2020_merger_keeps_what_is_certain(db, bac_kan_2017):
    _apply(db, "2020")
    bang_thanh = _unit(db, "01858", date(2017, 7, 1))
    assert bang_thanh.valid_to is None  # same code, name and district: the same unit goes on
    lang_ngam = _unit(db, "01960", date(2017, 7, 1))
    assert lang_ngam.valid_to == date(2020, 1, 31)
    assert [u.name for u in lang_ngam.successors] == ["Xã Hiệp Lực"]
    assert _unit(db, "01903", date(2017, 7, 1)).successors == []  # Cao Trĩ: not known


def test_successor_map_maps_old_communes_to_their_successors(db, reformed):
    mapped = successor_map(date(2024, 2, 15), date(2026, 2, 15))
    new_bang_thanh = _unit(db, "01864", AFTER)
    merged = {u.name for u in db.session.scalars(sa.select(Unit).where(active_on(BEFORE)))
              if mapped[u.id] == [new_bang_thanh]}  # fmt: skip
    assert merged == {"Xã Bằng Thành", "Xã Nhạn Môn", "Xã Bộc Bố", "Xã Giáo Hiệu"}
    # 2017 communes reach 2026 through both reorganizations, or nowhere when not known.
    from_2017 = successor_map(date(2017, 7, 15), date(2026, 2, 15))
    [hiep_luc] = from_2017[_unit(db, "01960", date(2017, 7, 1)).id]  # Lãng Ngâm, then Hiệp Lực
    assert (hiep_luc.name, hiep_luc.valid_from) == ("Xã Hiệp Lực", AFTER)
    assert from_2017[_unit(db, "01903", date(2017, 7, 1)).id] == []


def test_a_2017_list_keeps_its_commune_and_name(db, bac_kan_2017, login_as):
    nhan_mon = _unit(db, "01861", date(2017, 7, 1))
    editor = factories.make_user(roles=[(Role.EDITOR, nhan_mon)])
    registration_list = services.start_list(editor, nhan_mon, org("nong_dan"), 2017)
    db.session.commit()
    _apply(db, "2020")
    _apply(db, "2025")
    admin_client, _admin = login_as(Role.ADMIN, _unit(db, "19", AFTER))
    page = admin_client.get(f"/registrations/lists/{registration_list.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Xã Nhạn Môn" in text and "Bằng Thành" in text  # ended, and what took it over
    assert db.session.get(type(registration_list), registration_list.id).unit_id == nhan_mon.id


def test_each_year_uses_the_structure_of_its_registration_deadline(db, reformed):
    old, new = _unit(db, "01861", BEFORE), _unit(db, "01864", AFTER)
    editor = factories.make_user(roles=[(Role.EDITOR, old), (Role.EDITOR, new)])
    services.start_list(editor, old, org("nong_dan"), 2025)  # deadline 15/02/2025: before
    with pytest.raises(policy.Denied):
        services.start_list(editor, new, org("nong_dan"), 2025)
    services.start_list(editor, new, org("nong_dan"), 2026)
    with pytest.raises(policy.Denied):
        services.start_list(editor, old, org("nong_dan"), 2026)


def test_a_unit_year_day_setting_overrides_the_deadline(app, db, reformed):
    old = _unit(db, "01861", BEFORE)
    editor = factories.make_user(roles=[(Role.EDITOR, old)])
    app.config["UNIT_YEAR_DAY"] = "12-31"
    try:
        with pytest.raises(policy.Denied):
            services.start_list(editor, old, org("nong_dan"), 2025)
    finally:
        app.config["UNIT_YEAR_DAY"] = None


def _submitted(db, editor, unit, year):
    registration_list = services.start_list(editor, unit, org("nong_dan"), year)
    services.add_entry(
        editor,
        registration_list,
        services.EntryValues(
            kind="mo_hinh",
            name="Mô hình nuôi bò",
            content=content(1),
            location=unit,
            lead_organization=org("nong_dan"),
        ),
    )
    services.submit_list(editor, registration_list)
    db.session.commit()
    return registration_list


def test_a_2026_list_of_a_new_commune_goes_to_the_province_reviewer(db, reformed, login_as):
    province, commune = _unit(db, "19", AFTER), _unit(db, "01864", AFTER)
    editor = factories.make_user(roles=[(Role.EDITOR, commune)])
    registration_list = _submitted(db, editor, commune, 2026)
    assert reviewing_unit(commune, registration_list.organization_id) is None
    client, reviewer = login_as(Role.REVIEWER, province)
    assert reviewing_unit(commune, registration_list.organization_id) == province
    entry = registration_list.entries[0]
    assert policy.can(reviewer, Action.ENTRY_APPROVE, entry)
    queue = client.get("/review")
    assert f"lists/{registration_list.id}" in queue.get_data(as_text=True)


def test_pending_lists_of_an_ended_district_go_to_the_province(db, reformed):
    old_commune, district = _unit(db, "01861", BEFORE), _unit(db, "060", BEFORE)
    province = _unit(db, "19", AFTER)
    editor = factories.make_user(roles=[(Role.EDITOR, old_commune)])
    district_reviewer = factories.make_user(roles=[(Role.REVIEWER, district)])
    # Submitted in 2025, before the reform; still waiting for the district after it.
    registration_list = _submitted(db, editor, old_commune, 2025)
    entry = registration_list.entries[0]
    assert reviewing_unit(old_commune, entry.registration_list.organization_id) == district
    province_reviewer = factories.make_user(roles=[(Role.REVIEWER, province)])
    db.session.commit()
    assert reviewing_unit(old_commune, registration_list.organization_id) == province
    assert policy.can(province_reviewer, Action.ENTRY_APPROVE, entry)
    assert not policy.can(district_reviewer, Action.ENTRY_APPROVE, entry)


def test_roles_dry_run_lists_every_affected_assignment_and_moves_them(db, bac_kan_2017):
    _apply(db, "2020")
    province, district = _unit(db, "06", BEFORE), _unit(db, "060", BEFORE)
    bang_thanh, nhan_mon = _unit(db, "01858", BEFORE), _unit(db, "01861", BEFORE)
    admin = factories.make_user(roles=[(Role.ADMIN, province)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, district)])
    officer = factories.make_user(roles=[(Role.EDITOR, district, org("phu_nu"))])
    editor = factories.make_user(roles=[(Role.EDITOR, bang_thanh), (Role.EDITOR, nhan_mon)])
    db.session.commit()
    reform = reorganize.plan(SPECS["2025"])
    dry_run = role_moves.plan_role_moves(date(2026, 11, 28), reform)
    proposed = {(m.assignment.user.username, m.assignment.unit.code): m.to for m in dry_run}
    assert {k: (v.code if v else None) for k, v in proposed.items()} == {
        (admin.username, "06"): "19",
        (reviewer.username, "060"): "19",
        (officer.username, "060"): None,  # the district level ended: the admin decides
        (editor.username, "01858"): "01864",
        (editor.username, "01861"): "01864",
    }
    reorganize.apply(None, reform)
    # Applied ahead of its day, as resolutions come first: the roles may move at once.
    early = role_moves.plan_role_moves(date(2025, 6, 1), reform)
    assert {m.to.code if m.to else None for m in early} == {"19", "01864", None}
    # What 2020 left is another reorganization's business.
    assert role_moves.plan_role_moves(date(2026, 11, 28), reorganize.plan(SPECS["2020"])) == []
    moves = role_moves.plan_role_moves(date(2026, 11, 28), reform)
    assert len(moves) == 5
    assert role_moves.move_roles(None, moves) == 4
    db.session.commit()
    db.session.expire_all()
    new_bang_thanh = _unit(db, "01864", AFTER)
    assert [a.unit for a in db.session.get(type(editor), editor.id).roles] == [new_bang_thanh]
    assert [a.unit.code for a in db.session.get(type(reviewer), reviewer.id).roles] == ["19"]
    left = role_moves.plan_role_moves(date(2026, 11, 28), reform)
    assert [m.assignment.user_id for m in left] == [officer.id]
    # The new commune's editor still reads the old communes' records.
    old_list = services.start_list(
        factories.make_user(roles=[(Role.EDITOR, nhan_mon)]), nhan_mon, org("nong_dan"), 2024
    )
    assert policy.can(db.session.get(type(editor), editor.id), Action.LIST_VIEW, old_list)


def _manifest(tmp_path: Path, units: str, mapping: str) -> reorganize.Spec:
    (tmp_path / "units.csv").write_text(units, encoding="utf-8")
    (tmp_path / "map.csv").write_text(mapping, encoding="utf-8")
    return reorganize.Spec(
        "t", "Thử", "NQ thử", date(2030, 1, 1), "P1", tmp_path / "units.csv",
        (tmp_path / "map.csv",),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("units", "mapping", "message"),
    [
        (
            "code,name,type,parent_code\nP1,Tỉnh Thử,tỉnh,\nX9,Xã Mới,xã,P1\n",
            "old_code,new_code,basis\nD1,P1,b\nC1,X9,b\n",
            "Xã Hai (C2) chấm dứt nhưng bảng chuyển đổi không nói"
            " đơn vị này chuyển thành đơn vị nào.",
        ),
        (
            "code,name,type,parent_code\nP1,Tỉnh Thử,tỉnh,\nX9,Xã Mới,xã,P1\nX9,Xã Khác,xã,P1\n",
            "old_code,new_code,basis\nD1,P1,b\nC1,X9,b\nC2,X9,b\n",
            "Mã X9 xuất hiện hai lần trong cơ cấu mới.",
        ),
        (
            "code,name,type,parent_code\nP1,Tỉnh Thử,tỉnh,\nX9,Xã Mới,xã,P1\n",
            "old_code,new_code,basis\nD1,P1,b\nC1,X8,b\nC2,X9,b\n",
            "map.csv dòng 3: X8 không có trong cơ cấu mới.",
        ),
        (
            "code,name,type,parent_code\nP1,Tỉnh Thử,tỉnh,\nX9,Xã Mới,xã,P1\nC3,Xã Ba,xã,P1\n",
            "old_code,new_code,basis\nD1,P1,b\nC1,X9,b\nC2,X9,b\n",
            "Mã C3 đang được dùng cho Xã Ba, đơn vị vẫn còn hiệu lực.",
        ),
        (
            "code,name,type,parent_code\nP1,Tỉnh Thử,tỉnh,X9\nX9,Xã Mới,xã,P1\n",
            "old_code,new_code,basis\nD1,P1,b\nC1,X9,b\nC2,X9,b\n",
            "Quan hệ cấp trên trong cơ cấu mới tạo thành vòng lặp tại P1.",
        ),
        (
            "code,name\nP1,Tỉnh Thử\n",
            "old_code,new_code,basis\n",
            "units.csv: thiếu cột type.",
        ),
    ],
    ids=["unmapped", "duplicate-code", "unknown-target", "code-in-use", "cycle", "columns"],
)
def test_a_bad_reorganization_is_refused_with_reasons(app, db, tmp_path, units, mapping, message):
    province = factories.make_unit("Tỉnh Thử", level=Level.PROVINCE, code="P1")
    district = factories.make_unit("Huyện Một", level=Level.DISTRICT, parent=province, code="D1")
    factories.make_unit("Xã Một", parent=district, code="C1")
    factories.make_unit("Xã Hai", parent=district, code="C2")
    other = factories.make_unit("Tỉnh Khác", level=Level.PROVINCE, code="P2")
    factories.make_unit("Xã Ba", parent=other, code="C3")
    db.session.commit()
    with app.test_request_context():  # messages in the reader's language
        g.ui_lang = "vi"
        result = reorganize.plan(_manifest(tmp_path, units, mapping))
    assert message in result.errors
    with pytest.raises(reorganize.ReorganizationError):
        reorganize.apply(None, result)
    assert db.session.scalar(sa.select(sa.func.count()).where(Unit.valid_to.isnot(None))) == 0


def test_residential_areas_follow_a_commune_into_its_successor(db, bac_kan_2017):
    _apply(db, "2020")
    nhan_mon = _unit(db, "01861", BEFORE)
    area = factories.make_unit("Bản Nà Mò", level=Level.AREA, parent=nhan_mon)
    db.session.commit()
    _apply(db, "2025")
    assert area.valid_to == BEFORE
    assert [(u.name, u.parent.code) for u in area.successors] == [("Bản Nà Mò", "01864")]


def test_the_reorganize_command_dry_run_changes_nothing(app, db, bac_kan_2017):
    result = app.test_cli_runner().invoke(args=["units", "reorganize", "2020"])
    assert result.exit_code == 0, result.output
    assert "27 units end on 31/01/2020, 13 begin" in result.output
    assert "no known successor: 01903 Xã Cao Trĩ" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reorganization)) == 0
    result = app.test_cli_runner().invoke(args=["units", "reorganize", "2020", "--apply"])
    assert "applied in" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reorganization)) == 1


def test_the_admin_screen_shows_the_dry_run_then_applies_and_moves_roles(
    db, bac_kan_2017, login_as
):
    _apply(db, "2020")
    province, district = _unit(db, "06", BEFORE), _unit(db, "060", BEFORE)
    reviewer = factories.make_user(roles=[(Role.REVIEWER, district)])
    client, admin = login_as(Role.ADMIN, province)
    page = client.get("/units/reorganizations/2025")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "117 units end on 30/06/2025" not in text  # translated
    assert "117 đơn vị chấm dứt vào 30/06/2025" in text
    assert "1683/NQ-UBTVQH15 khoản 42" in text and reviewer.username in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reorganization)) == 1

    response = client.post("/units/reorganizations/2025/apply")
    assert response.status_code == 303
    assert _unit(db, "19", AFTER) is not None
    response = client.post("/units/reorganizations/2025/roles")
    assert response.status_code == 303
    db.session.expire_all()
    assert {a.unit.code for a in db.session.get(type(admin), admin.id).roles} == {"19"}
    assert [a.unit.code for a in db.session.get(type(reviewer), reviewer.id).roles] == ["19"]
    page = client.get("/units/reorganizations/2025").get_data(as_text=True)
    assert "Xã Nhạn Môn" in page and "Không có vai trò nào" in page


def test_reorganizations_are_for_admins_of_the_unit(db, bac_kan_2017, login_as, client):
    district = _unit(db, "060", date(2017, 7, 1))
    outsider, _user = login_as(Role.ADMIN, district)
    assert outsider.get("/units/reorganizations/2020").status_code == 403
    assert outsider.post("/units/reorganizations/2020/apply").status_code == 403
    editor, _user = login_as(Role.EDITOR, _unit(db, "06", date(2017, 7, 1)))
    assert editor.get("/units/reorganizations").status_code == 403
    assert client.get("/units/reorganizations/2020").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reorganization)) == 0


def test_comparing_2024_with_2026_maps_old_communes_to_new_bang_thanh(db, reformed, login_as):
    olds = [_unit(db, code, BEFORE) for code in ("01858", "01861", "01864")]
    new = _unit(db, "01864", AFTER)
    editor = factories.make_user(roles=[(Role.EDITOR, u) for u in [*olds, new]])
    for unit in olds:
        _submitted(db, editor, unit, 2024)
    _submitted(db, editor, new, 2026)
    client, viewer = login_as(Role.VIEWER, _unit(db, "19", AFTER))
    rows = {tuple(r.units): r for r in comparison.compare_years(viewer, 2024, 2026)}
    row = rows[(new,)]
    assert set(row.earlier_units) == set(olds)
    assert (row.earlier.registered, row.later.registered) == (3, 1)
    page = client.get("/registrations/compare?earlier=2024&later=2026")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Xã Bộc Bố (đến 30/06/2025; nay thuộc Xã Bằng Thành)" in text
    assert "Xã Nhạn Môn (đến 30/06/2025; nay thuộc Xã Bằng Thành)" in text
    bad = client.get("/registrations/compare?earlier=2026&later=2024")
    assert bad.status_code == 422
    assert "Hãy chọn hai năm đăng ký" in bad.get_data(as_text=True)


def test_a_year_page_of_a_unit_that_did_not_exist_points_to_that_years_units(
    db, reformed, login_as
):
    province = _unit(db, "19", AFTER)
    client, _admin = login_as(Role.ADMIN, province)
    page = client.get(f"/registrations/2024/{province.id}").get_data(as_text=True)
    assert "Tỉnh Thái Nguyên không tồn tại vào năm 2024" in page
    assert f'/registrations/2024/{_unit(db, "06", BEFORE).id}"' in page
    old = _unit(db, "01861", BEFORE)
    page = client.get(f"/registrations/2026/{old.id}").get_data(as_text=True)
    assert f'/registrations/2026/{_unit(db, "01864", AFTER).id}"' in page
    # The old province's 2024 page lists that year's districts, not the new communes.
    page = client.get(f"/registrations/2024/{_unit(db, '06', BEFORE).id}").get_data(as_text=True)
    assert "Huyện Pác Nặm" in page and "không tồn tại" not in page
