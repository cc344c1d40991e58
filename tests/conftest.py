"""Fixtures: the app on SQLite or PostgreSQL (TEST_DB), a clean database per test, clients that
send CSRF tokens like a browser, and signing in as a role on a unit."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests import factories, scenario
from webapp import create_app
from webapp.auth.models import Role
from webapp.extensions import db as _db

TEST_DB = os.environ.get("TEST_DB", "sqlite")
IN_CI = bool(os.environ.get("CI"))
_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def unavailable(reason: str) -> None:
    """In CI a missing service fails the run; on a developer's machine the tests skip."""
    if IN_CI:
        pytest.fail(f"CI needs this: {reason}", pytrace=False)
    pytest.skip(reason)


def _postgres_database() -> Iterator[str]:
    import psycopg

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        unavailable("TEST_DATABASE_URL is not set")
    name = f"webapp_test_{uuid.uuid4().hex[:10]}"
    admin_url = base.replace("postgresql+psycopg://", "postgresql://")
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL at {admin_url} is unreachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/?]*(\?|$)", rf"/{name}\1", admin_url.rstrip("/"), count=1)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    if TEST_DB == "postgresql":
        yield from _postgres_database()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            # Cheap hashes keep the suite fast; the production default is scrypt.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # Uploaded and seeded files go to a throwaway folder, not instance/.
            "ATTACHMENTS_DIR": str(tmp_path_factory.mktemp("attachments")),
        }
    )
    app.test_client_class = CsrfClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


def _wipe(app: Flask) -> None:
    from webapp.i18n.setup import clear_caches

    clear_caches()
    with app.app_context():
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture(scope="module")
def seeded(app) -> Iterator[None]:
    """The demo data of `flask seed --demo` (tests/scenario.py:load_demo), once per module:
    for tests that walk the product as the demo accounts do (dead links, the browser suite)."""
    with app.app_context():
        scenario.load_demo()
        _db.session.commit()
        _db.session.remove()
    yield
    _wipe(app)


@pytest.fixture
def db(app) -> Iterator:
    """A clean database for each test, inside an app context."""
    with app.app_context():
        yield _db
        _db.session.remove()
    _wipe(app)


class CsrfClient(FlaskClient):
    """A test client that sends the CSRF token the way our pages do, unless told not to."""

    token: str | None = None

    def csrf_token(self) -> str:
        if self.token is None:
            page = self.get("/login" if not self._signed_in() else "/").get_data(as_text=True)
            self.token = _TOKEN.search(page).group(1)
        return self.token

    def _signed_in(self) -> bool:
        with self.session_transaction() as session:
            return "_user_id" in session

    def open(self, *args, **kwargs):
        # Each request gets its own app context, g and database session, as in production;
        # otherwise it would share the test's (and Flask-Login's cached user with it).
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = dict(kwargs.pop("data", None) or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app, db) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def campaign(db):
    """The campaign as the seed ships it: contents, organizations, models, deadlines."""
    from webapp.seed.loader import load_campaign

    campaign = load_campaign()
    _db.session.commit()
    return campaign


@pytest.fixture
def tree(db) -> factories.Tree:
    return factories.make_tree()


@pytest.fixture
def editor_and_reviewer(db, tree, campaign):
    """An editor of C1 and the reviewer of its district D1, not signed in."""
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    db.session.commit()
    return editor, reviewer


@pytest.fixture
def login_as(app, db):
    """Sign in through the login form as a new user holding `role` on `unit`."""

    def sign_in(role, unit, *, organization=None, language=None, client=None):
        user = factories.make_user(roles=[(role, unit, organization, language)])
        _db.session.commit()
        client = client or app.test_client()
        response = client.post(
            "/login", data={"username": user.username, "password": factories.PASSWORD}
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        client.token = None
        return client, user

    return sign_in
