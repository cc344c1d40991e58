"""Production refuses what must not serve anyone (H1 of issue 17): a missing or short
SECRET_KEY, a SQLite database, demo accounts that keep the README's passwords, and
`flask seed --demo`; and the files the app creates are its user's only. The production
configuration started for real, with several nodes, is tests/test_production_nodes.py."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
import sqlalchemy as sa
from flask import Flask

from tests import factories
from tests.conftest import TEST_DB
from tests.test_attachments import PDF, make_page, upload
from webapp import ROOT, config, create_app
from webapp.auth.cli import set_password
from webapp.auth.models import Role, User
from webapp.config import UnsafeProduction
from webapp.deploy.checks import demo_accounts_with_readme_passwords
from webapp.extensions import db as _db
from webapp.seed.cli import seed
from webapp.seed.loader import DEMO_ACCOUNTS

LONG_KEY = "k" * config.SECRET_KEY_MIN_LENGTH
POSTGRES_URL = "postgresql://campaign@db.invalid/campaign"  # never connected to


def _production(**overrides):
    return create_app(
        {"PRODUCTION": True, "SECRET_KEY": LONG_KEY, "SQLALCHEMY_DATABASE_URI": POSTGRES_URL}
        | overrides
    )


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("key", [None, "", "k" * (config.SECRET_KEY_MIN_LENGTH - 1)])
def test_production_refuses_a_missing_or_short_secret_key(key, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(UnsafeProduction, match="SECRET_KEY"):
        _production(SECRET_KEY=key)


def test_production_refuses_sqlite(tmp_path):
    with pytest.raises(UnsafeProduction, match="SQLite"):
        _production(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")


def test_production_with_a_long_key_and_postgresql_starts():
    app = _production()
    assert app.config["PRODUCTION"] and app.config["SECRET_KEY"] == LONG_KEY


def test_the_demo_still_starts_without_production(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert not app.config["PRODUCTION"] and len(app.config["SECRET_KEY"]) >= 32


@pytest.mark.skipif(TEST_DB != "postgresql", reason="production runs on PostgreSQL only")
def test_production_refuses_demo_accounts_with_the_readme_password(app, db, database_url):
    admin = DEMO_ACCOUNTS[0]
    user = factories.make_user(username=admin.username, roles=[])
    user.set_password(admin.password)
    factories.make_user(username=DEMO_ACCOUNTS[1].username)  # its password changed: fine
    db.session.commit()
    with pytest.raises(UnsafeProduction, match=f"README's passwords: {admin.username}\\."):
        _production(SQLALCHEMY_DATABASE_URI=database_url)
    # `flask` commands still run, so the operator can change it; then it starts.
    runner = app.test_cli_runner()
    result = runner.invoke(set_password, [admin.username], input="a-new-long-phrase\n" * 2)
    assert result.exit_code == 0, result.output
    started = _production(SQLALCHEMY_DATABASE_URI=database_url)
    with started.app_context():
        _db.engine.dispose()
    db.session.expire_all()
    changed = db.session.scalar(sa.select(User).where(User.username == admin.username))
    assert changed.check_password("a-new-long-phrase") and changed.session_version == 2


def test_a_password_checked_once_is_not_checked_again_until_it_changes(db):
    """Start-up checks each demo account's hash once (scrypt, ~0.14 s each); a new hash, as
    setting the README's password again makes, is checked afresh."""
    admin = DEMO_ACCOUNTS[0]
    user = factories.make_user(username=admin.username)
    db.session.commit()
    checked: set[str] = set()
    assert demo_accounts_with_readme_passwords(checked) == [] and len(checked) == 1
    assert demo_accounts_with_readme_passwords(checked) == []
    user.set_password(admin.password)
    db.session.commit()
    assert demo_accounts_with_readme_passwords(checked) == [admin.username]


def test_seed_demo_refused_in_production(app, db):
    app.config["PRODUCTION"] = True
    try:
        result = app.test_cli_runner().invoke(seed, ["--demo"])
    finally:
        app.config["PRODUCTION"] = False
    assert result.exit_code != 0
    assert "production (WEBAPP_PRODUCTION=true) refuses it" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_readme_never_puts_the_demo_on_the_network():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "0.0.0.0" not in readme
    deploying = readme.split("## Deploying", 1)[1]
    for needed in ("make serve-production", "webapp/deploy/nginx.conf", "ATTACHMENTS_DIR"):
        assert needed in deploying


# Files: the app's user only.


def test_instance_database_and_secret_key_are_private(tmp_path, monkeypatch):
    """What `make run` creates on a fresh machine: instance/ 0700, webapp.db (with its WAL
    files) and secret_key 0600, whatever the umask."""
    for name in ("DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    app = Flask("webapp", instance_path=str(tmp_path / "instance"))
    old = os.umask(0o022)
    try:
        config.load(app)
        with sqlite3.connect(tmp_path / "instance" / "webapp.db") as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE t (x)")
    finally:
        os.umask(old)
    instance = tmp_path / "instance"
    assert mode(instance) == 0o700
    assert {p.name: mode(p) for p in instance.iterdir()} == {
        "webapp.db": 0o600,
        "webapp.db-wal": 0o600,
        "webapp.db-shm": 0o600,
        "secret_key": 0o600,
    }


def test_attachments_directory_and_files_are_private(app, db, tree, login_as, tmp_path):
    saved = app.config["ATTACHMENTS_DIR"]
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "shared" / "attachments")
    old = os.umask(0o022)
    try:
        page = make_page(tree.province)
        client, _ = login_as(Role.PUBLISHER, tree.province)
        assert upload(client, page, PDF, "kế hoạch.pdf").status_code == 303
    finally:
        os.umask(old)
        app.config["ATTACHMENTS_DIR"] = saved
    directory = tmp_path / "shared" / "attachments"
    (stored,) = directory.iterdir()
    assert (mode(directory), mode(stored)) == (0o700, 0o600)


def test_compiled_templates_are_kept_private_and_follow_their_source(tmp_path):
    """Outside tests, compiled templates are kept on disk for the next start and the other
    workers; a changed template is compiled again, never served from the old code."""
    from flask import render_template

    from webapp import templating

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "hello.html").write_text("Xin chào {{ name }}", encoding="utf-8")

    def start() -> Flask:
        app = Flask("kept", template_folder=str(templates), instance_path=str(tmp_path / "i"))
        templating.init_app(app)
        return app

    app = start()
    with app.app_context():
        assert render_template("hello.html", name="Bằng Thành") == "Xin chào Bằng Thành"
    folder = tmp_path / "i" / "template-cache"
    (kept,) = folder.iterdir()
    assert mode(folder) == 0o700 and mode(kept) == 0o600
    written = kept.stat().st_mtime_ns
    with start().app_context():  # the next start reads the compiled code back
        assert render_template("hello.html", name="Pác Nặm") == "Xin chào Pác Nặm"
    assert [p.stat().st_mtime_ns for p in folder.iterdir()] == [written]
    (templates / "hello.html").write_text("Chào {{ name }}", encoding="utf-8")
    with start().app_context():
        assert render_template("hello.html", name="Pác Nặm") == "Chào Pác Nặm"
