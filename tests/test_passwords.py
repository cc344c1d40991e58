"""What a new password must be (webapp/auth/passwords.py): refused in the password change form
and by `flask create-admin` alike; the temporary passwords admins issue pass."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from webapp.auth import passwords
from webapp.auth.models import Role, User
from webapp.auth.services import temporary_password
from webapp.extensions import db

# (password, what the form says, what `flask create-admin` says: English, like its other errors)
REFUSED = [
    ("password", "phổ biến nhất", "most common"),
    ("12345678", "phổ biến nhất", "most common"),
    ("Iloveyou ", "phổ biến nhất", "most common"),  # case and surrounding spaces do not help
    ("\x00" * 8, "ký tự điều khiển", "control characters"),
    ("tab\tinside-it", "ký tự điều khiển", "control characters"),
    ("short-1", "Tối thiểu 8 ký tự", "at least 8 characters"),
]


@pytest.mark.parametrize(("password", "message", "_"), REFUSED)
def test_change_password_refuses_weak_password_and_keeps_the_old(
    login_as, tree, password, message, _
):
    client, user = login_as(Role.EDITOR, tree.c1)
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": password,
            "confirm": password,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'value="{password}"' not in page  # a password is never sent back
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(factories.PASSWORD)


def test_change_password_refuses_the_username(login_as, tree):
    client, user = login_as(Role.EDITOR, tree.c1)
    name = f"{user.username}-x"
    user.username = name
    db.session.commit()
    response = client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "new_password": name, "confirm": name},
    )
    assert response.status_code == 422
    assert "không được trùng với tên đăng nhập" in response.get_data(as_text=True)


def test_temporary_passwords_pass_the_policy(app, db):
    assert all(passwords.problem(temporary_password()) is None for _ in range(200))


@pytest.mark.parametrize(("password", "_", "message"), REFUSED)
def test_create_admin_refuses_weak_password(app, tree, password, _, message):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "chu-tich", "--unit", tree.province.code, "--password", password]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "chu-tich")) is None


def test_create_admin_with_a_good_password(app, tree):
    result = app.test_cli_runner().invoke(
        args=[
            "create-admin", "chu-tich", "--unit", tree.province.code, "--password",
            "núi-Phja-Bjoóc-2025",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).where(User.username == "chu-tich"))
    assert admin.check_password("núi-Phja-Bjoóc-2025")
