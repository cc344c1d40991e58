"""Server-side sessions (webapp/auth/sessions), on both stores: the database (`app`) and Redis
(`redis_app`, as production runs). Signing out ends the stored session, signing in moves to a
new id and CSRF token, idle and absolute limits end it, a person lists and ends their own
sessions, an admin those of the accounts in their reach; visitors reading public pages get no
cookie; signed-in pages are never cached."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask

from tests import factories
from webapp import create_app
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role, User, UserSession
from webapp.auth.sessions.store import key_of, store
from webapp.db import utcnow
from webapp.extensions import dispose_engines

COOKIE = "session"


@pytest.fixture(params=["database", "redis"])
def site(request, app, db) -> Flask:
    """The app on each session store (the same database either way)."""
    if request.param == "redis":
        request.getfixturevalue("redis_store")
        return request.getfixturevalue("redis_app")
    return app


def _user(unit, role=Role.EDITOR, **kw) -> tuple[int, str]:
    from webapp.extensions import db

    user = factories.make_user(roles=[(role, unit)], **kw)
    db.session.commit()
    return user.id, user.username


def _sign_in(site: Flask, username: str, **headers):
    client = site.test_client()
    response = client.post(
        "/login",
        data={"username": username, "password": factories.PASSWORD},
        headers=headers,
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def _session_id(client) -> str:
    return client.get_cookie(COOKIE).value


def _copy(site: Flask, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = site.test_client()
    thief.set_cookie(COOKIE, _session_id(client))
    return thief


def _signed_in(client) -> bool:
    return client.get("/notifications").status_code == 200


def _stored(site: Flask, session_id: str) -> bool:
    with site.app_context():
        return store().load(key_of(session_id)) is not None


def test_sign_out_ends_the_session_for_a_copied_cookie(site, tree):
    _id, username = _user(tree.c1)
    client = _sign_in(site, username)
    thief = _copy(site, client)
    assert _signed_in(thief)  # the copy works while the session lives
    session_id = _session_id(client)
    assert client.post("/logout").status_code == 303
    assert not _stored(site, session_id)
    response = thief.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cookie_carries_only_a_random_id(site, tree):
    _id, username = _user(tree.c1)
    client = _sign_in(site, username)
    session_id = _session_id(client)
    assert "." not in session_id and len(session_id) >= 40  # not Flask's signed data
    assert _stored(site, session_id)
    with site.app_context():  # kept under its hash: the store's content signs nobody in
        assert store().load(session_id) is None


def test_sign_in_renews_session_id_and_csrf_token(site, tree):
    _id, username = _user(tree.c1)
    client = site.test_client()
    planted = client.csrf_token()  # a visitor's session: the sign-in form's token
    before = _session_id(client)
    thief = _copy(site, client)  # e.g. a cookie planted on a shared PC
    response = client.post("/login", data={"username": username, "password": factories.PASSWORD})
    assert response.status_code == 303
    assert _session_id(client) != before
    assert not _stored(site, before)
    assert not _signed_in(thief)
    # The token read before signing in is worth nothing now; the new one works.
    assert client.post("/logout", data={"csrf_token": planted}).status_code == 400
    assert client.csrf_token() != planted
    assert client.post("/logout").status_code == 303


def test_password_change_renews_the_session_and_ends_the_others(site, tree):
    _id, username = _user(tree.c1)
    client = _sign_in(site, username)
    other = _sign_in(site, username)
    before = _session_id(client)
    new = "a-much-longer-passphrase-7"
    response = client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 303
    assert _session_id(client) != before and not _stored(site, before)
    assert _signed_in(client)
    assert not _signed_in(other)
    with site.app_context():
        assert len(store().for_user(_id)) == 1


def test_idle_timeout_ends_the_session(site, tree):
    _id, username = _user(tree.c1)
    client = _sign_in(site, username)
    idle = site.config["SESSION_IDLE_MINUTES"]
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=idle - 5)):
        assert _signed_in(client)  # a request keeps it alive
    with time_machine.travel(start + timedelta(minutes=2 * idle - 10)):
        assert _signed_in(client)
    with time_machine.travel(start + timedelta(minutes=3 * idle)):
        assert not _signed_in(client)


def test_absolute_lifetime_ends_even_a_busy_session(site, tree):
    _id, username = _user(tree.c1)
    client = _sign_in(site, username)
    idle = timedelta(minutes=site.config["SESSION_IDLE_MINUTES"])
    lifetime = timedelta(hours=site.config["SESSION_LIFETIME_HOURS"])
    start, step = utcnow(), idle / 2
    moment = start
    while moment + step < start + lifetime:
        moment += step
        with time_machine.travel(moment):
            assert _signed_in(client)
    with time_machine.travel(start + lifetime + timedelta(minutes=1)):
        assert not _signed_in(client)


def test_signed_in_pages_are_not_cached(client, login_as, tree):
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    signed_in, _user = login_as(Role.EDITOR, tree.c1)
    for path in ("/", "/notifications", "/pages", "/account/sessions"):
        assert signed_in.get(path).headers["Cache-Control"] == "private, no-store", path
    with signed_in.get("/static/app.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


PUBLIC_PAGES = ["/", "/campaign", "/pages", "/search?q=xa", "/translations"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_visitor_reading_public_pages_gets_no_cookie(client, campaign, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []


def test_visitor_gets_a_session_only_for_a_form_and_loses_it_after_the_flash(site, tree):
    client = site.test_client()
    assert client.get("/language/en?next=/").headers.getlist("Set-Cookie")[0].startswith("lang=")
    assert client.get_cookie(COOKIE) is None
    assert client.get("/login").headers.get("Set-Cookie", "").startswith(f"{COOKIE}=")
    _id, username = _user(tree.c1)
    client = _sign_in(site, username)
    client.post("/logout")  # the flash "You have signed out." is kept for the next page
    session_id = _session_id(client)
    assert 'class="flash info"' in client.get("/").get_data(as_text=True)
    assert client.get_cookie(COOKIE) is None  # shown, the visitor's session is gone
    assert not _stored(site, session_id)


def test_person_lists_and_ends_their_own_sessions(site, tree):
    _id, username = _user(tree.c1)
    phone = _sign_in(
        site, username, **{"User-Agent": "Mozilla/5.0 (Linux; Android 14) Firefox/133"}
    )
    office = _sign_in(site, username, **{"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/131"})
    third = _sign_in(site, username)
    page = phone.get("/account/sessions").get_data(as_text=True)
    assert "Firefox, Android" in page and "Chrome, Windows" in page
    assert page.count('name="key"') == 2  # the current one signs out with "Sign out"
    with site.app_context():
        office_key = key_of(_session_id(office))
    response = phone.post("/account/sessions/end", data={"key": office_key})
    assert response.status_code == 303
    assert not _signed_in(office) and _signed_in(phone) and _signed_in(third)
    assert phone.post("/account/sessions/end-others").status_code == 303
    assert not _signed_in(third) and _signed_in(phone)
    with site.app_context():
        assert [s.user_agent for s in store().for_user(_id)] == [
            "Mozilla/5.0 (Linux; Android 14) Firefox/133"
        ]


def test_nobody_ends_another_persons_session_from_their_own_page(site, tree):
    _id, username = _user(tree.c1)
    _other_id, other_name = _user(tree.c2)
    mine, theirs = _sign_in(site, username), _sign_in(site, other_name)
    their_key = key_of(_session_id(theirs))
    assert their_key not in mine.get("/account/sessions").get_data(as_text=True)
    assert mine.post("/account/sessions/end", data={"key": their_key}).status_code == 404
    mine.post("/account/sessions/end-others")
    assert _signed_in(theirs)


def test_admin_lists_and_ends_a_users_sessions_with_an_audit_event(site, db, tree):
    user_id, username = _user(tree.c1)
    _admin_id, admin_name = _user(tree.d1, role=Role.ADMIN)
    _outsider_id, outsider_name = _user(tree.d2, role=Role.ADMIN)
    laptop = _sign_in(site, username, **{"User-Agent": "Mozilla/5.0 (Macintosh; Mac OS X) Safari"})
    phone = _sign_in(site, username)
    admin, outsider = _sign_in(site, admin_name), _sign_in(site, outsider_name)
    # An admin of another district sees no sessions and ends none.
    assert outsider.get(f"/admin/users/{user_id}").status_code == 403
    assert outsider.post(f"/admin/users/{user_id}/sessions/end").status_code == 403
    assert _signed_in(laptop) and _signed_in(phone)
    page = admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "Safari, macOS" in page
    laptop_key = key_of(_session_id(laptop))
    response = admin.post(f"/admin/users/{user_id}/sessions/end", data={"key": laptop_key})
    assert response.status_code == 303
    assert not _signed_in(laptop) and _signed_in(phone)
    admin.post(f"/admin/users/{user_id}/sessions/end")
    assert not _signed_in(phone) and _signed_in(admin)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.sessions_ended")
    ).all()
    assert [(e.object_id, e.details["count"]) for e in events] == [(user_id, 1), (user_id, 1)]
    assert "Quản trị viên đã đăng xuất tài khoản" in admin.get("/audit").get_data(as_text=True)


def test_reset_and_deactivation_end_the_users_sessions(site, db, tree):
    user_id, username = _user(tree.c1)
    _admin_id, admin_name = _user(tree.d1, role=Role.ADMIN)
    admin, first = _sign_in(site, admin_name), _sign_in(site, username)
    admin.post(f"/admin/users/{user_id}/password")
    assert not _signed_in(first)
    with site.app_context():
        assert store().for_user(user_id) == []
    db.session.get(User, user_id).set_password(factories.PASSWORD)
    db.session.get(User, user_id).must_change_password = False
    db.session.commit()
    second = _sign_in(site, username)
    admin.post(f"/admin/users/{user_id}/deactivate")
    assert not _signed_in(second)
    with site.app_context():
        assert store().for_user(user_id) == []


def test_session_made_on_one_node_works_on_another_and_ends_on_both(
    app, db, redis_app, redis_store, tree
):
    node_b = create_app(dict(redis_app.config))
    try:
        _id, username = _user(tree.c1)
        on_a = _sign_in(redis_app, username)
        on_b = node_b.test_client()
        on_b.set_cookie(COOKIE, _session_id(on_a))
        assert _signed_in(on_b)
        on_b.post("/logout", data={"csrf_token": on_a.csrf_token()})
        assert not _signed_in(on_a) and not _signed_in(on_b)
    finally:
        with node_b.app_context():
            dispose_engines()  # its own pool: close its connections now


def test_database_store_purges_expired_sessions(app, db, tree):
    _id, username = _user(tree.c1)
    _sign_in(app, username)
    idle = app.config["SESSION_IDLE_MINUTES"]
    with time_machine.travel(utcnow() + timedelta(minutes=idle + 1)):
        app.test_client().get("/login")  # a new session: the moment to purge
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1


def test_a_request_in_flight_does_not_bring_back_an_ended_session(site, tree):
    from flask import request
    from werkzeug.wrappers import Response

    _id, username = _user(tree.c1)
    client = _sign_in(site, username)
    session_id = _session_id(client)
    interface = site.session_interface
    with site.test_request_context(headers={"Cookie": f"{COOKIE}={session_id}"}):
        session = interface.open_session(site, request)  # a request of that browser begins
        store().delete(key_of(session_id))  # meanwhile signed out on another node
        session["_flashes"] = [("info", "…")]
        interface.save_session(site, session, Response())
    assert not _stored(site, session_id)
    assert not _signed_in(client)
