"""Fixtures: the app on SQLite or PostgreSQL (TEST_DB), a clean database per test, clients that
send CSRF tokens like a browser, and signing in as a role on a unit.

Under pytest-xdist (`make test` runs `-n auto`) every worker is its own pytest session, so the
session fixtures below give each worker its own database (a file in the worker's temporary
directory, or a PostgreSQL database named after the worker), its own attachments folder and, in
tests/browser, its own live server on a free port: workers never share state."""

from __future__ import annotations

import copy
import functools
import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests import factories, scenario
from webapp import create_app
from webapp.auth.models import Role
from webapp.config import DEFAULTS
from webapp.extensions import db as _db
from webapp.extensions import dispose_engines

TEST_DB = os.environ.get("TEST_DB", "sqlite")
# "gw0", "gw1", … under pytest-xdist; "main" in a plain run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
IN_CI = bool(os.environ.get("CI"))
_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
# A visitor's page carries the token only in its forms (the sign-in form).
_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# The seed's YAML files are parsed again for every test that loads them (PyYAML's pure-Python
# parser: most of load_campaign()'s time); the same text parses to the same data, so the suite
# parses each text once and hands out copies. Streams and other texts parse as before.
_safe_load = yaml.safe_load


@functools.lru_cache(maxsize=32)
def _parsed(text: str):
    return _safe_load(text)


def _cached_safe_load(stream):
    return copy.deepcopy(_parsed(stream)) if isinstance(stream, str) else _safe_load(stream)


yaml.safe_load = _cached_safe_load


def unavailable(reason: str) -> None:
    """In CI a missing service fails the run; on a developer's machine the tests skip."""
    if IN_CI:
        pytest.fail(f"CI needs this: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def clock() -> Iterator[None]:
    """The app's clock (webapp.db.utcnow, local_today) for the whole run: today in Vietnam, from
    noon on, ticking. A test reads "today" from the app (local_today()) at one moment and the
    app reads it again later; started at noon, no run reaches the next midnight in Vietnam (nor
    New Year), so both readings agree. A test wanting another instant travels on from here
    (time_machine.travel(...) nests)."""
    zone = ZoneInfo(DEFAULTS["BABEL_DEFAULT_TIMEZONE"])
    noon = datetime.now(zone).replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        yield


def _postgres_database() -> Iterator[str]:
    import psycopg

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        unavailable("TEST_DATABASE_URL is not set")
    # Named after the worker for whoever lists databases; the random part keeps two runs on one
    # server (two checkouts, two machines' CI) apart.
    name = f"webapp_test_{WORKER}_{uuid.uuid4().hex[:10]}"
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
    app.extensions["test_campaign_rows"] = _campaign_rows(app)
    yield app
    with app.app_context():
        dispose_engines()


REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database of this worker's own (1–15 by xdist worker; 0 is left to `make run`),
    emptied at the start of the run; tests that need Redis are skipped without it (failed in
    CI)."""
    import redis

    number = 1 + (int(WORKER[2:]) if WORKER.startswith("gw") else 0) % 15
    url = f"{REDIS_BASE}/{number}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        unavailable(f"Redis at {url} is unreachable: {error}")
    return url


@pytest.fixture(scope="session")
def redis_app(app, database_url, redis_url) -> Iterator[Flask]:
    """The app as production runs it: the same database as `app` (so `db` wipes both), with
    sessions, throttles and caches in Redis."""
    other = create_app(dict(app.config) | {"REDIS_URL": redis_url})
    other.test_client_class = CsrfClient
    yield other
    with other.app_context():
        dispose_engines()  # its own pool: left open, PostgreSQL's connections warn at exit


@pytest.fixture
def redis_store(redis_app) -> Iterator:
    """The Redis of `redis_app`, empty at the start of the test."""
    from webapp import kv

    with redis_app.app_context():
        store = kv.client()
        store.flushdb()
    yield store
    store.flushdb()


def _wipe(app: Flask) -> None:
    from webapp import kv
    from webapp.i18n.setup import clear_caches

    clear_caches()
    with app.app_context():
        # Pages kept in memory under generations that start again from 0 in the wiped database.
        kv.forget_memory()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        # Only the tables that hold rows, children first: a test fills a few of ~35 tables.
        # (TRUNCATE of them all took ~0.3–0.9 s on PostgreSQL, more than most tests.)
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})" for t in tables)
        with _db.engine.begin() as conn:
            full = set(conn.execute(sa.text(probe)).scalars())
            for table in tables:
                if table in full:
                    conn.execute(sa.text(f"DELETE FROM {table}"))
            if conn.dialect.name == "postgresql":
                # Ids start at 1 again, as in a new database (a sequence moves on even when
                # the transaction that used it rolled back); SQLite's ids follow the rows.
                conn.execute(
                    sa.text(
                        "SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'"
                    )
                )


def _rows_made_by(app: Flask, load) -> dict[sa.Table, list[dict]]:
    """The rows `load()` writes into an empty database, by table (parents first), read back
    and the database wiped again: made once per session (per worker), they are copied in by
    _insert_rows for each test or module that needs them, much faster than loading the YAML
    through the ORM each time."""
    with app.app_context():
        load()
        _db.session.commit()
        rows = {}
        for table in _db.metadata.sorted_tables:
            # By primary key: a table that refers to itself (units, their parents) lists each
            # parent before its children, as they were made.
            query = table.select().order_by(*table.primary_key.columns)
            if found := [dict(row._mapping) for row in _db.session.execute(query)]:
                rows[table] = found
        _db.session.remove()
    _wipe(app)
    return rows


def _campaign_rows(app: Flask) -> dict[sa.Table, list[dict]]:
    """The campaign as load_campaign() writes it: the `campaign` fixture's ~340 tests."""
    from webapp.seed.loader import load_campaign

    return _rows_made_by(app, load_campaign)


def _insert_rows(rows: dict[sa.Table, list[dict]]) -> None:
    """Insert the rows (parents first) in the session's transaction; on PostgreSQL, move each
    id sequence past them, as if the rows had been added one by one."""
    session = _db.session
    later = []  # foreign keys in a circle (use_alter: pages ↔ revisions), set once both exist
    for table, values in rows.items():
        circular = [fk.parent for fk in table.foreign_keys if fk.constraint.use_alter]
        circular += _forward_references(table, values)
        if circular:
            key = list(table.primary_key.columns)
            later += [(table, key, column, values) for column in circular]
            values = [row | {column.name: None for column in circular} for row in values]
        session.execute(table.insert(), values)
    for table, key, column, values in later:
        for row in values:
            if row[column.name] is not None:
                match = [c == row[c.name] for c in key]
                session.execute(table.update().where(*match).values({column: row[column.name]}))
    if session.get_bind().dialect.name == "postgresql":
        for table in rows:
            if (column := table.autoincrement_column) is not None:
                session.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"(SELECT max({column.name}) FROM {table.name}))"
                    )
                )


def _forward_references(table: sa.Table, values: list[dict]) -> list[sa.Column]:
    """Columns of a table referring to the table itself in which some row points at a later
    row (the two sides of a fund transfer point at each other): set once both exist."""
    key = list(table.primary_key.columns)
    if len(key) != 1:
        return []
    own = [fk.parent for fk in table.foreign_keys if fk.column.table is table]
    return [
        column
        for column in own
        if any(
            row[column.name] is not None and row[column.name] > row[key[0].name] for row in values
        )
    ]


@pytest.fixture(scope="session")
def demo_rows(app) -> dict[sa.Table, list[dict]]:
    """The rows of the demo data, made once per session (per worker) for `seeded`."""
    return _rows_made_by(app, scenario.load_demo)


@pytest.fixture(scope="module")
def seeded(app, demo_rows) -> Iterator[None]:
    """The demo data of `flask seed --demo` (tests/scenario.py:load_demo), once per module:
    for tests that walk the product as the demo accounts do (dead links, the browser suite).
    Its rows are copied in; the attachments' files stay in the session's folder."""
    with app.app_context():
        _insert_rows(demo_rows)
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
            self.token = (_TOKEN.search(page) or _FIELD.search(page)).group(1)
        return self.token

    def _signed_in(self) -> bool:
        with self.session_transaction() as session:
            return "_user_id" in session

    def open(self, *args, **kwargs):
        # Each request gets its own app context, g and database session, as in production;
        # otherwise it would share the test's (and Flask-Login's cached user with it).
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie")):
            self.token = None  # a new session (signing in or out) has a new CSRF token
        return response

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
def campaign(app, db):
    """The campaign as the seed ships it: contents, organizations, models, deadlines (the rows
    load_campaign() wrote once for the session; tests of the loader itself call it)."""
    from webapp.campaign.models import Campaign

    _insert_rows(app.extensions["test_campaign_rows"])
    campaign = _db.session.scalar(sa.select(Campaign))
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
