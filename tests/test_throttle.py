"""Throttling of password guesses (webapp/auth/throttle.py), on both stores: the database (the
`app` fixture, SQLite or PostgreSQL) and Redis (`redis_app`). Parallel guesses run no more
password checks than the limits allow; someone else's guesses never keep the owner out for
long; an admin unlocks; the current-password check of a password change is throttled too."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa
import time_machine

from tests import factories
from tests.conftest import _TOKEN
from tests.live import serve
from webapp.audit.models import AuditEvent
from webapp.auth import models as auth_models
from webapp.auth.models import Role
from webapp.db import utcnow
from webapp.extensions import db

BURST = 40


@pytest.fixture(params=["database", "redis"])
def site(request, app, db):
    """The app with its throttle in the database, or in Redis (emptied for the test)."""
    if request.param == "redis":
        request.getfixturevalue("redis_store")
        return request.getfixturevalue("redis_app")
    return app


@pytest.fixture
def checks(monkeypatch) -> list:
    """One item per password check the app runs (werkzeug's, wrapped: not our code)."""
    ran = []
    real = auth_models.check_password_hash

    def counted(*args):
        ran.append(1)
        return real(*args)

    monkeypatch.setattr(auth_models, "check_password_hash", counted)
    return ran


def _login(client, username, password, address="127.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _user(unit, role=Role.EDITOR):
    user = factories.make_user(roles=[(role, unit)])
    db.session.commit()
    return user


class _Browser:
    """A visitor of the live server with its own cookies, holding the sign-in form's token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.opener.open(f"{base}/login").read().decode()
        self.token = _TOKEN.search(page).group(1)

    def login(self, username: str, password: str) -> int:
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrf_token": self.token}
        ).encode()
        try:
            with self.opener.open(f"{self.base}/login", data=data) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def _parallel(base: str, username: str, passwords: list[str]) -> list[int]:
    """Send the sign-ins at once, each from its own browser (all from 127.0.0.1)."""
    browsers = [_Browser(base) for _ in passwords]
    start = threading.Barrier(len(passwords))
    statuses = [0] * len(passwords)

    def run(n: int) -> None:
        start.wait()
        statuses[n] = browsers[n].login(username, passwords[n])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(passwords))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_parallel_wrong_logins_run_no_more_checks_than_allowed(site, tree, checks):
    user = _user(tree.c1)
    limit = site.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    with serve(site) as base:
        statuses = _parallel(base, user.username, ["wrong"] * BURST)
        assert len(checks) == limit  # exactly: each allowed guess checked, no more
        assert sorted(statuses) == [200] * limit + [429] * (BURST - limit)
        # The right password, from the same place, waits too.
        assert _Browser(base).login(user.username, factories.PASSWORD) == 429
    assert len(checks) == limit


def test_delays_double_after_each_failure_up_to_the_cap(site, tree):
    user = _user(tree.c1)
    client = site.test_client()
    config = site.config
    for _ in range(config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        _login(client, user.username, "wrong")
    waits = []
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(7):
            response = _login(client, user.username, factories.PASSWORD)
            assert response.status_code == 429
            waits.append(int(response.headers["Retry-After"]))
            clock.shift(waits[-1])
            assert _login(client, user.username, "wrong").status_code == 200
    first, cap = config["LOGIN_DELAY_SECONDS"], config["LOGIN_MAX_DELAY_SECONDS"]
    assert waits[:3] == [first, 2 * first, 4 * first]
    assert max(waits) == cap == waits[-1]
