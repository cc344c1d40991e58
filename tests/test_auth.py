"""Signing in and out, throttling, CSRF, passwords and sessions."""

from __future__ import annotations

import re

from tests import factories
from webapp.auth.models import LoginThrottle, Role, User
from webapp.extensions import db


def _login(client, username, password, **kw):
    return client.post("/login", data={"username": username, "password": password}, **kw)


def test_login_with_right_password_redirects_home(client, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = _login(client, user.username.upper() + " ", factories.PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert user.full_name in page
    assert tree.c1.name in page  # the header shows role and unit
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_follows_only_local_next(client, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": user.username, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    client.token = None  # signing out clears the session, and its CSRF token with it
    response = client.post(
        f"/login?next=/units/{tree.c1.id}",
        data={"username": user.username, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == f"/units/{tree.c1.id}"


def test_login_with_wrong_password_shows_message_and_keeps_username(client, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = _login(client, user.username, "wrong")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page
    assert f'value="{user.username}"' in page
    pair = db.session.get(LoginThrottle, f"pair:{user.username}|127.0.0.1")
    assert pair.failures == 1


def test_login_empty_form_is_refused_with_field_messages(client):
    response = _login(client, "", "")
    assert response.status_code == 422
    assert "Trường này là bắt buộc" in response.get_data(as_text=True)


def test_login_repeated_failures_from_one_address_are_throttled(client, app, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
    for _ in range(limit):
        assert _login(client, user.username, "wrong").status_code == 200
    # From this address even the right password waits now (throttle tests: other addresses).
    response = _login(client, user.username, factories.PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= app.config["LOGIN_DELAY_SECONDS"]
    assert re.search(r"Đăng nhập sai quá nhiều lần\. Vui lòng chờ \d+ giây", response.text)
    assert "_user_id" not in client.get("/").request.cookies.get("session", "")
    # Another account from the same address is not blocked by this account's failures.
    other = factories.make_user(roles=[(Role.EDITOR, tree.c2)])
    db.session.commit()
    assert _login(client, other.username, factories.PASSWORD).status_code == 303


def test_login_failures_from_one_address_are_throttled(client, app, tree):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit):
        _login(client, f"nobody{n}", "wrong")
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = _login(client, user.username, factories.PASSWORD)
    assert response.status_code == 429
    # A different address is not affected.
    response = _login(
        app.test_client(),
        user.username,
        factories.PASSWORD,
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 303


def test_post_without_csrf_token_is_rejected(client, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = client.post(
        "/login", data={"username": user.username, "password": factories.PASSWORD}, csrf=False
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_csrf_token_in_header_is_accepted(client, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = client.post(
        "/login",
        data={"username": user.username, "password": factories.PASSWORD},
        headers={"X-CSRFToken": client.csrf_token()},
        csrf=False,
    )
    assert response.status_code == 303


def test_logout_ends_the_session(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert client.post("/logout").status_code == 303
    response = client.get("/units")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_deactivated_user_cannot_sign_in(client, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)], is_active=False)
    db.session.commit()
    assert _login(client, user.username, factories.PASSWORD).status_code == 200
    assert client.get("/units").status_code == 302


def test_change_password_ends_other_sessions_and_keeps_this_one(app, login_as, tree):
    client, user = login_as(Role.EDITOR, tree.c1)
    other = app.test_client()
    _login(other, user.username, factories.PASSWORD)
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "a-new-secret-1",
            "confirm": "a-new-secret-1",
        },
    )
    assert response.status_code == 303
    assert client.get("/units").status_code == 200
    assert other.get("/units").status_code == 302  # the old session no longer counts
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a-new-secret-1")


def test_change_password_with_mismatch_keeps_the_old_one(login_as, tree):
    client, user = login_as(Role.EDITOR, tree.c1)
    response = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "short", "confirm": "other"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mật khẩu hiện tại không đúng" in page
    assert "Hai mật khẩu mới không khớp" in page
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(factories.PASSWORD)


def test_temporary_password_must_be_changed_before_anything_else(client, tree):
    user = factories.make_user(roles=[(Role.EDITOR, tree.c1)], must_change_password=True)
    db.session.commit()
    _login(client, user.username, factories.PASSWORD)
    response = client.get("/units")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
