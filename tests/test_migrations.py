"""Migrations: an upgrade from empty gives exactly the models' schema, on both databases."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import TEST_DB
from webapp import create_app
from webapp.extensions import db


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
        db.engine.dispose()
    if TEST_DB == "postgresql":
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
