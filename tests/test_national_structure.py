"""The 2025 national structure from the `vietnam-provinces` package: one province (Thái
Nguyên, 19, with the old Bắc Kạn matched by GSO code, not duplicated) or the whole country under
a national root, loaded idempotently."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from webapp.extensions import db
from webapp.seed import national
from webapp.units.models import Kind, Level, Unit
from webapp.units.queries import active_on

DATA = Path(__file__).resolve().parent.parent / "webapp" / "seed" / "data"


def _count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(*where))


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _bac_kan_2025() -> dict[str, str]:
    with (DATA / "bac_kan_units_2025.csv").open(encoding="utf-8") as fh:
        return {r["code"]: r["name"] for r in csv.DictReader(fh) if r["type"] != "tỉnh"}


def test_package_has_the_2025_structure_and_bac_kan_codes_agree():
    found = national.divisions()
    provinces = [d for d in found if d.level == Level.PROVINCE]
    communes = [d for d in found if d.level == Level.COMMUNE]
    assert len(provinces) == 34 and len(communes) == 3321
    assert sum(d.kind == Kind.DAC_KHU for d in communes) == 13
    thai_nguyen = {d.code: d.name for d in communes if d.province_code == "19"}
    assert len(thai_nguyen) == 92
    # Every one of Bắc Kạn's 37 communes of 2025 has the same GSO code and name in the package.
    bac_kan = _bac_kan_2025()
    assert {code: thai_nguyen.get(code) for code in bac_kan} == bac_kan
    assert {d.code: d.name for d in provinces}["19"] == "Tỉnh Thái Nguyên"
    assert {d.code: d.name for d in provinces}["01"] == "Thành phố Hà Nội"


def test_province_19_loads_its_other_communes_and_matches_bac_kan(app, db):
    _seed(app)
    bac_kan_ids = {
        u.code: u.id
        for u in db.session.scalars(
            sa.select(Unit).where(active_on(national.STRUCTURE_DAY), Unit.level == Level.COMMUNE)
        )
    }
    assert len(bac_kan_ids) == 37
    before = _count()
    output = _seed(app, "--province", "19")
    assert "1 provinces, 92 communes; created 55, matched 38 existing" in output
    assert "0 names differ" in output
    assert _count() == before + 55
    on_day = active_on(national.STRUCTURE_DAY)
    assert _count(on_day, Unit.level == Level.PROVINCE) == 1
    assert _count(on_day, Unit.level == Level.COMMUNE) == 92
    # Bắc Kạn's communes are the same rows as before, still under Thái Nguyên.
    province = db.session.scalar(sa.select(Unit).where(on_day, Unit.code == "19"))
    for code, unit_id in bac_kan_ids.items():
        unit = db.session.get(Unit, unit_id)
        assert unit.code == code and unit.parent_id == province.id
    assert _count(Unit.parent_id == province.id) == 92
    # Old codes reused by new communes do not confuse the match: the 2017 units stay apart.
    assert _count(Unit.code == "01864") == 2
    again = _seed(app, "--province", "19")
    assert "created 0, matched 93 existing" in again or "created 0, matched 93" in again
    assert _count() == before + 55


def test_country_loads_every_province_under_one_root_idempotently(app, db):
    _seed(app, "--province", "19")
    before = _count()
    output = _seed(app, "--country")
    assert "34 provinces, 3321 communes" in output
    root = db.session.scalar(sa.select(Unit).where(Unit.level == Level.COUNTRY))
    assert root.code == national.COUNTRY_CODE and root.parent_id is None
    on_day = active_on(national.STRUCTURE_DAY)
    assert _count(on_day, Unit.level == Level.PROVINCE, Unit.parent_id == root.id) == 34
    assert _count(on_day, Unit.level == Level.COMMUNE) == 3321
    assert _count() == before + 1 + 33 + 3321 - 92
    after = _count()
    again = _seed(app, "--country")
    assert "created 0" in again and _count() == after


def test_an_unknown_province_is_refused(app, db):
    result = app.test_cli_runner().invoke(args=["seed", "--province", "06"])
    assert result.exit_code != 0 and "06" in result.output


def test_bench_generator_makes_a_small_year_of_one_province(app, db):
    """A tiny run of the national bench generator (bench/national.py): every current commune of
    Thái Nguyên gets a list per organization, decisions and reports, and the views read it."""
    from bench import national as bench
    from webapp.registrations.models import Entry, RegistrationList
    from webapp.reports.models import ProgressReport
    from webapp.review.models import ReviewDecision

    bench.load_structure(app, "province")
    created = bench.generate_national(years=1, entries_per_list=3)
    db.session.commit()
    assert created["communes"] == 92 and created["lists"] == 920
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert count(RegistrationList) == 920
    assert count(Entry) == created["entries"] > 0
    assert count(ReviewDecision) == created["reviews"] > 0
    assert count(ProgressReport) == created["reports"] > 0
    province = db.session.scalar(sa.select(Unit).where(Unit.code == "19", Unit.valid_to.is_(None)))
    bench.bench_user("bench.province", bench.Role.ADMIN, province)
    db.session.commit()
    client = bench.client_for(app, "bench.province")
    page = client.get(f"/coverage/{bench.YEAR}/{province.id}/gaps")
    assert page.status_code == 200 and "Bằng Thành" in page.get_data(as_text=True)


def test_national_administrator_reads_the_provinces_under_the_root(app, db, login_as):
    from webapp.auth.models import Role

    _seed(app)
    national.load(["19", "04"], country=True)
    db.session.commit()
    on_day = active_on(national.STRUCTURE_DAY)
    root = db.session.scalar(sa.select(Unit).where(Unit.level == Level.COUNTRY))
    thai_nguyen = db.session.scalar(sa.select(Unit).where(on_day, Unit.code == "19"))
    client, _ = login_as(Role.ADMIN, root)
    page = client.get(f"/registrations/2026/{root.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tỉnh Thái Nguyên" in text and "Tỉnh Cao Bằng" in text
    assert client.get(f"/coverage/2026/{root.id}").status_code == 200
    units = client.get("/units").get_data(as_text=True)
    assert "Việt Nam" in units and "Xã Bằng Thành" in units
    # A province's administrator reads their province, not the country above it.
    province_client, _ = login_as(Role.ADMIN, thai_nguyen)
    assert province_client.get(f"/registrations/2026/{thai_nguyen.id}").status_code == 200
    assert province_client.get(f"/registrations/2026/{root.id}").status_code == 403
    assert province_client.get(f"/coverage/2026/{root.id}").status_code == 403


def test_national_root_pages_count_per_province_and_name_no_commune(app, db, login_as):
    """At the national root the gap list and the report completeness show one row per province
    (3,321 communes' rows made 2 MB pages) whose figures are those the province's own page
    lists one by one; the likely duplicates page lets the reader choose a province."""
    import re

    from bench import national as bench
    from webapp.auth.models import Role

    _seed(app)
    national.load(["19", "04", "08"], country=True)
    bench.generate_national(years=1, entries_per_list=2)
    db.session.commit()
    on_day = active_on(national.STRUCTURE_DAY)
    root = db.session.scalar(sa.select(Unit).where(Unit.level == Level.COUNTRY))
    provinces = db.session.scalars(
        sa.select(Unit).where(on_day, Unit.level == Level.PROVINCE).order_by(Unit.code)
    ).all()
    # Tuyên Quang (08) comes before Thái Nguyên (19) by code, after it by name.
    assert [p.code for p in provinces] == ["04", "08", "19"]
    client, _ = login_as(Role.ADMIN, root)
    year = bench.YEAR

    def rows(html: str, table: str) -> dict[str, list[int]]:
        body = html.split(f'id="{table}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        found = {}
        for row in body.split("<tr>")[1:]:
            name = re.search(r">([^<>]+)</a></th>", row).group(1)
            found[name] = [int(n) for n in re.findall(r'<td class="num[^"]*">(\d+)', row)]
        return found

    gaps = client.get(f"/coverage/{year}/{root.id}/gaps")
    text = gaps.get_data(as_text=True)
    assert gaps.status_code == 200
    assert "Xã Bằng Thành" not in text  # no commune is named at the national root
    per_province = rows(text, "per-province")
    assert set(per_province) == {p.name for p in provinces}
    for province in provinces:
        own = client.get(f"/coverage/{year}/{province.id}/gaps").get_data(as_text=True)
        communes = db.session.scalar(
            sa.select(sa.func.count()).where(
                on_day, Unit.level == Level.COMMUNE, Unit.parent_id == province.id
            )
        )
        missing_something = own.count('<section class="gap-block">\n  <h3><a href="/coverage/')
        assert per_province[province.name] == [missing_something, communes]
        assert 0 < missing_something <= communes

    completeness = client.get(f"/reports/{year}/{root.id}/completeness?period=year")
    text = completeness.get_data(as_text=True)
    assert completeness.status_code == 200
    assert 'id="per-unit"' not in text and 'id="missing"' not in text
    per_province = rows(text, "per-province")
    assert list(per_province) == [p.name for p in provinces]  # in code order, as the matrix
    for province in provinces:
        own = client.get(f"/reports/{year}/{province.id}/completeness?period=year")
        own_text = own.get_data(as_text=True)
        missing_listed = own_text.split('id="missing"', 1)[1].split("</ul>", 1)[0].count("<li>")
        expected, submitted = per_province[province.name][0], per_province[province.name][1]
        assert expected - submitted == missing_listed > 0

    overlaps = client.get(f"/coverage/{year}/{root.id}/overlaps")
    text = overlaps.get_data(as_text=True)
    assert overlaps.status_code == 200
    for province in provinces:
        assert f'href="/coverage/{year}/{province.id}/overlaps">{province.name}</a>' in text
