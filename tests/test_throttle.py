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
from tests.conftest import _FIELD
from tests.live import serve
from webapp.audit.models import AuditEvent
from webapp.auth import models as auth_models
from webapp.auth.models import Role, User
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # the 303 of a sign-in is the answer looked at


class _Browser:
    """A visitor of the live server with its own cookies, holding the sign-in form's token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        page = self.opener.open(f"{base}/login").read().decode()
        self.token = _FIELD.search(page).group(1)

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


def test_parallel_right_and_wrong_logins_all_get_an_answer(site, tree):
    """Successes (which take their reservation back) racing with reservations: no deadlock,
    no error; the right passwords that got a check signed in."""
    user = _user(tree.c1)
    passwords = [factories.PASSWORD, "wrong"] * (BURST // 2)
    with serve(site) as base:
        statuses = _parallel(base, user.username, passwords)
    # Which requests win the checks is the race's to decide (wrong ones may take them all);
    # what is fixed: every request is answered, each checked one as its password deserves.
    checked = [(p, s) for p, s in zip(passwords, statuses, strict=True) if s != 429]
    assert checked
    assert all(s == (303 if p == factories.PASSWORD else 200) for p, s in checked), statuses


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
    assert f"Vui lòng chờ {cap // 60} phút rồi thử lại" in response.text


def test_counters_are_forgotten_a_window_after_their_delay(site, tree):
    user = _user(tree.c1)
    client = site.test_client()
    free = site.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    first = site.config["LOGIN_DELAY_SECONDS"]
    window = site.config["LOGIN_FAILURE_WINDOW_SECONDS"]

    def wrong() -> int:
        return _login(client, user.username, "wrong").status_code

    with time_machine.travel(utcnow(), tick=False) as clock:
        assert [wrong() for _ in range(free)] == [200] * free
        clock.shift(first + window - 1)
        client.token = None  # the sign-in form's session has timed out meanwhile: reload it
        # Still remembered: one more guess, then twice the first delay.
        assert [wrong(), wrong()] == [200, 429]
        clock.shift(2 * first + window)
        client.token = None
        # Forgotten: the forgiven failures are forgiven again, no more.
        assert [wrong() for _ in range(free + 1)] == [200] * free + [429]


def test_guesses_from_another_address_never_lock_the_admin_out(site, tree):
    admin = _user(tree.province, Role.ADMIN)
    guesser = site.test_client()
    for _ in range(30):
        _login(guesser, admin.username, "wrong", "10.0.0.66")
    # The guesser's address waits…
    response = _login(guesser, admin.username, factories.PASSWORD, "10.0.0.66")
    assert response.status_code == 429
    # …the owner, from where nobody guessed, signs in at once.
    owner = site.test_client()
    assert _login(owner, admin.username, factories.PASSWORD, "10.0.0.7").status_code == 303


def _guess_from_many_addresses(site, clock, username: str, count: int) -> list[int]:
    """Wrong passwords, each from a new address; a refused one waits as told and goes on.
    Returns the waits told."""
    waits = []
    guesser = site.test_client()
    for n in range(count):
        response = _login(guesser, username, "wrong", f"10.2.{n // 200}.{n % 200}")
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.shift(waits[-1])
    return waits


def test_guesses_from_many_addresses_slow_the_owner_for_a_minute_at_most(site, tree, checks):
    user = _user(tree.c1)
    assert (
        _login(site.test_client(), user.username, factories.PASSWORD, "10.1.1.1").status_code == 303
    )
    config = site.config
    cap = config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"]
    with time_machine.travel(utcnow(), tick=False) as clock:
        checks.clear()
        waits = _guess_from_many_addresses(site, clock, user.username, 30)
        # Past the forgiven ones, each guess waited for the doubling delay, up to the cap.
        free = config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        assert len(checks) == free + len(waits)
        assert waits[:2] == [config["LOGIN_ACCOUNT_DELAY_SECONDS"], 2 * waits[0]]
        assert max(waits) == cap
        # From the address the owner signed in from before: at once.
        owner = site.test_client()
        assert _login(owner, user.username, factories.PASSWORD, "10.1.1.1").status_code == 303
        # From a new one: after the account's delay, never more than the cap.
        elsewhere = site.test_client()
        response = _login(elsewhere, user.username, factories.PASSWORD, "10.3.0.1")
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= cap
        clock.shift(int(response.headers["Retry-After"]))
        assert _login(elsewhere, user.username, factories.PASSWORD, "10.3.0.1").status_code == 303


def _signed_in(site, user):
    client = site.test_client()
    assert _login(client, user.username, factories.PASSWORD).status_code == 303
    client.token = None  # signing in renews the CSRF token
    return client


def test_admin_unlocks_an_account_and_it_is_audited(site, tree):
    user = _user(tree.c1)
    admin = _user(tree.d1, Role.ADMIN)
    owner = site.test_client()
    with time_machine.travel(utcnow(), tick=False) as clock:
        # The owner's own mistakes at one place (that pair waits 30 s), then others' guesses
        # from many places (the account waits a few seconds).
        for _ in range(site.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
            _login(owner, user.username, "wrong", "10.3.0.1")
        _guess_from_many_addresses(site, clock, user.username, 6)
        assert _login(owner, user.username, factories.PASSWORD, "10.3.0.1").status_code == 429
        client = _signed_in(site, admin)
        page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
        assert "Xóa các lần đăng nhập sai" in page
        response = client.post(f"/admin/users/{user.id}/unlock")
        assert response.status_code == 303
        assert response.headers["Location"] == f"/admin/users/{user.id}"
        assert "Xóa các lần đăng nhập sai" not in client.get(f"/admin/users/{user.id}").text
        assert _login(owner, user.username, factories.PASSWORD, "10.3.0.1").status_code == 303
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.unlocked"))
    assert (event.actor_id, event.object_id) == (admin.id, user.id)


def test_admin_outside_the_scope_cannot_unlock(site, tree):
    user = _user(tree.c1)
    outsider = _user(tree.d2, Role.ADMIN)
    with time_machine.travel(utcnow(), tick=False) as clock:
        _guess_from_many_addresses(site, clock, user.username, 12)
        client = _signed_in(site, outsider)
        assert client.post(f"/admin/users/{user.id}/unlock").status_code == 403
        owner = site.test_client()
        assert _login(owner, user.username, factories.PASSWORD, "10.3.0.1").status_code == 429
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_current_password_guesses_are_throttled(site, tree, checks):
    user = _user(tree.c1)
    client = _signed_in(site, user)
    checks.clear()
    new = "a-new-secret-1"

    def change(current: str):
        return client.post(
            "/account/password",
            data={"current_password": current, "new_password": new, "confirm": new},
        )

    with time_machine.travel(utcnow(), tick=False):
        statuses = [change(f"guess-{n}").status_code for n in range(30)]
        response = change(factories.PASSWORD)
    limit = site.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    assert statuses == [422] * limit + [429] * (30 - limit)
    assert len(checks) == limit
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(site.config["LOGIN_DELAY_SECONDS"])
    assert "Bạn đã nhập sai mật khẩu quá nhiều lần" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(factories.PASSWORD)


def test_an_overlong_address_is_throttled_without_error(site, tree):
    user = _user(tree.c1)
    client = site.test_client()
    address = "2001:db8::" + "f" * 200  # what a misconfigured proxy might pass on
    statuses = [_login(client, user.username, "wrong", address).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
