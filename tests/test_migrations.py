"""Migrations: an upgrade from empty gives exactly the models' schema, on both databases."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, revision, upgrade

from tests.conftest import TEST_DB
from webapp import create_app
from webapp.extensions import db, dispose_engines


@pytest.fixture
def empty_app(database_url, tmp_path):
    """An app on a database of its own, created empty."""
    if TEST_DB == "postgresql":
        import psycopg

        name = f"webapp_mig_{uuid.uuid4().hex[:8]}"
        admin_url = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        yield app
        dispose_engines()
    if TEST_DB == "postgresql":
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _chain(versions: Path) -> list[tuple[str, str, str | None]]:
    """(file name, revision, down_revision) of every migration file, in `ls` order."""
    found = []
    for path in sorted(versions.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        rev = re.search(r"^revision = ['\"](\w+)['\"]", text, re.M).group(1)
        down = re.search(r"^down_revision = (?:['\"](\w+)['\"]|None)", text, re.M).group(1)
        found.append((path.name, rev, down))
    return found


def test_migration_files_listed_by_name_follow_the_chain():
    chain = _chain(MIGRATIONS / "versions")
    assert chain, "no migration files found"
    previous = None
    for number, (name, rev, down) in enumerate(chain, start=1):
        assert name.startswith(f"{number:04d}_{rev}_"), name
        assert down == previous, f"{name} revises {down}, but the file before it is {previous}"
        previous = rev


def test_new_revision_gets_the_next_number(empty_app, tmp_path):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    before = len(_chain(directory / "versions"))
    revision(directory=str(directory), message="next step")
    chain = _chain(directory / "versions")
    assert len(chain) == before + 1
    name, rev, down = chain[-1]
    assert name == f"{before + 1:04d}_{rev}_next_step.py"
    assert down == chain[-2][1]


def _differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_the_models(empty_app):
    upgrade()
    assert _differences() == []
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_downgrade_to_base_and_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _differences() == []


def test_data_fix_puts_the_rule_text_in_vietnamese_and_spells_thanh_pho(empty_app):
    """Databases seeded before the fix get the Vietnamese rule text and "Thành phố"."""
    upgrade(revision="99ba17d06c9b")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO units (id, code, name, kind, level) VALUES "
                "(1, '058', 'Thành Phố Bắc Kạn', 'thanh_pho', 'district'),"
                "(2, '059', 'Thành phố Khác', 'thanh_pho', 'district')"
            )
        )
        conn.execute(sa.text("INSERT INTO campaigns (id, code, name_vi) VALUES (1, 'c', 'C')"))
        conn.execute(
            sa.text(
                "INSERT INTO requirements (campaign_id, code, kind, min_count, applies_to,"
                " rule_vi, valid_from_year, version) VALUES (1, 'five_contents', 'every_content',"
                " 1, 'all_communes', 'each of the 5 contents has at least 1 entry', 2017, 1)"
            )
        )
    upgrade()
    with db.engine.connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM units ORDER BY id")).scalars().all()
        rule = conn.execute(sa.text("SELECT rule_vi FROM requirements")).scalar_one()
    assert names == ["Thành phố Bắc Kạn", "Thành phố Khác"]
    assert rule.startswith("Cả 5 nội dung của Cuộc vận động")


def test_data_fix_gives_demo_entries_a_model_only_of_kind_model(empty_app):
    """A database seeded with the demo season before the fix: the six entries that had a
    catalogue model with another kind are mended; nothing else changes."""
    from webapp.seed import demo_season, loader

    upgrade(revision="1227975350bd")
    loader.load_units()
    loader.load_campaign()
    loader.load_demo_accounts()
    demo_season.load_demo_season()
    db.session.commit()
    db.session.remove()
    # The season as it was seeded before the fix.
    before = [
        ("Tuyến đường thanh niên tự quản xanh – sạch – đẹp thôn Khuổi Ma", "cong_trinh", None),
        (
            "Tuyến đường thanh niên tự quản về an toàn giao thông khu trung tâm xã",
            "phan_viec",
            None,
        ),
        ("Vận động Quỹ “Vì người nghèo” hỗ trợ làm nhà cho hộ nghèo", None, "quy_vi_nguoi_ngheo"),
        ("Sân chơi cho thiếu nhi tại nhà văn hóa thôn Nà Lẹng", None, "diem_vui_choi"),
        (
            "Làm cọc tiêu, biển báo an toàn giao thông đường vào bản Lủng Vài",
            None,
            "thanh_nien_attgt",
        ),
        ("Ngày công thanh niên làm đường bê tông thôn Cốc Lải", None, "tuoi_tre_ntm"),
    ]
    with db.engine.begin() as conn:
        for name, kind, model in before:
            if kind:
                conn.execute(
                    sa.text("UPDATE entries SET kind = :kind WHERE name = :name"),
                    {"kind": kind, "name": name},
                )
            else:
                conn.execute(
                    sa.text(
                        "UPDATE entries SET model_type_id ="
                        " (SELECT id FROM model_types WHERE code = :model) WHERE name = :name"
                    ),
                    {"model": model, "name": name},
                )
    query = sa.text(
        "SELECT e.name, e.kind, m.code, e.version FROM entries e"
        " LEFT JOIN model_types m ON m.id = e.model_type_id ORDER BY e.id"
    )
    with db.engine.connect() as conn:
        seeded = conn.execute(query).all()
    assert sum(kind != "mo_hinh" and model is not None for _, kind, model, _ in seeded) == 6

    upgrade()
    with db.engine.connect() as conn:
        mended = conn.execute(query).all()
    assert not [row for row in mended if row[1] != "mo_hinh" and row[2] is not None]
    changed = {row[0]: row for row, old in zip(mended, seeded, strict=True) if row != old}
    versions = {row[0]: row[3] for row in seeded}
    assert set(changed) == {name for name, _, _ in before}
    assert changed["Tuyến đường thanh niên tự quản xanh – sạch – đẹp thôn Khuổi Ma"][1:3] == (
        "mo_hinh",
        "thanh_nien_bvmt",
    )
    assert changed["Ngày công thanh niên làm đường bê tông thôn Cốc Lải"][1:3] == (
        "phan_viec",
        None,
    )
    assert all(row[3] == versions[name] + 1 for name, row in changed.items())
