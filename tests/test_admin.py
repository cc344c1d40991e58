"""User and role administration by an administrator, within scope."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests import factories
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role, RoleAssignment, User
from webapp.extensions import db

HX = {"HX-Request": "true"}


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_user_list_shows_only_users_in_scope(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    inside = factories.make_user(roles=[(Role.EDITOR, tree.c1)], full_name="Hoàng Thị Lụa")
    outside = factories.make_user(roles=[(Role.EDITOR, tree.c3)], full_name="Nông Văn Ngoài")
    db.session.commit()
    page = client.get("/admin/users").get_data(as_text=True)
    assert inside.username in page
    assert outside.username not in page
    # Accent-free search finds the Vietnamese name.
    page = client.get("/admin/users?q=hoang thi lua").get_data(as_text=True)
    assert inside.username in page


def test_user_list_is_refused_to_non_admins(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403


def test_create_user_shows_temporary_password_once(login_as, tree):
    client, admin = login_as(Role.ADMIN, tree.d1)
    response = client.post(
        "/admin/users/new",
        data={
            "username": " Lan.Nguyen ",
            "full_name": "Nguyễn Thị Lan",
            "home_unit_id": tree.c1.id,
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = re.search(r"<code>([a-z0-9-]+)</code>", page).group(1)
    user = db.session.scalar(sa.select(User).where(User.username == "lan.nguyen"))
    assert user.home_unit_id == tree.c1.id and user.must_change_password
    assert user.check_password(password)
    assert [e.actor_id for e in _events("user.created")] == [admin.id]


def test_create_user_outside_scope_is_refused(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    response = client.post(
        "/admin/users/new",
        data={"username": "outsider", "full_name": "Ngoài", "home_unit_id": tree.c3.id},
    )
    assert response.status_code == 422  # not a choice the admin has
    assert db.session.scalar(sa.select(User).where(User.username == "outsider")) is None


def test_create_user_with_taken_username_keeps_what_was_typed(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    factories.make_user(username="taken", roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = client.post(
        "/admin/users/new",
        data={"username": "taken", "full_name": "Lý Văn Tài", "home_unit_id": tree.c2.id},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Lý Văn Tài" in page
    assert "taken" in page


def test_grant_role_with_htmx_returns_the_roles_fragment(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target = factories.make_user(home_unit=tree.c1)
    db.session.commit()
    response = client.post(
        f"/admin/users/{target.id}/roles",
        data={"role": "editor", "unit_id": tree.c1.id},
        headers=HX,
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="roles"' in body
    assert response.headers["HX-Trigger"] == '{"roles-changed": true}'
    assert len(body.encode()) < 5 * 1024
    assignment = db.session.scalar(
        sa.select(RoleAssignment).where(RoleAssignment.user_id == target.id)
    )
    assert (assignment.role, assignment.unit_id) == (Role.EDITOR, tree.c1.id)
    assert len(_events("role.granted")) == 1


def test_grant_role_without_javascript_redirects_to_the_user(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target = factories.make_user(home_unit=tree.c1)
    organization = factories.make_organization()
    db.session.commit()
    response = client.post(
        f"/admin/users/{target.id}/roles",
        data={"role": "editor", "unit_id": tree.d1.id, "organization_id": organization.id},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{target.id}"
    db.session.expire_all()
    assert db.session.get(User, target.id).roles[0].organization_id == organization.id


def test_grant_role_above_own_scope_is_refused(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target = factories.make_user(home_unit=tree.c1)
    db.session.commit()
    response = client.post(
        f"/admin/users/{target.id}/roles", data={"role": "admin", "unit_id": tree.province.id}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, target.id).roles == []


def test_translator_role_needs_a_language(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target = factories.make_user(home_unit=tree.c1)
    db.session.commit()
    response = client.post(
        f"/admin/users/{target.id}/roles",
        data={"role": "translator", "unit_id": tree.d1.id},
        headers=HX,
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, target.id).roles == []


def test_user_outside_scope_cannot_be_seen_or_changed(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    outside = factories.make_user(roles=[(Role.EDITOR, tree.c3)])
    db.session.commit()
    assert client.get(f"/admin/users/{outside.id}").status_code == 403
    assert client.post(f"/admin/users/{outside.id}/deactivate").status_code == 403
    assert client.post(f"/admin/users/{outside.id}/password").status_code == 403
    response = client.post(f"/admin/users/{outside.id}/roles/{outside.roles[0].id}/revoke")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, outside.id).is_active
    assert len(db.session.get(User, outside.id).roles) == 1


def test_revoke_role_removes_it(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target = factories.make_user(roles=[(Role.EDITOR, tree.c1), (Role.VIEWER, tree.c2)])
    db.session.commit()
    response = client.post(f"/admin/users/{target.id}/roles/{target.roles[0].id}/revoke")
    assert response.status_code == 303
    db.session.expire_all()
    assert [a.role for a in db.session.get(User, target.id).roles] == [Role.VIEWER]
    assert len(_events("role.revoked")) == 1


def test_deactivate_signs_the_user_out_and_activate_lets_them_back(app, login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target_client, target = login_as(Role.EDITOR, tree.c1, client=app.test_client())
    assert target_client.get("/units").status_code == 200
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 303
    assert target_client.get("/units").status_code == 302
    assert client.post(f"/admin/users/{target.id}/activate").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, target.id).is_active


def test_admin_cannot_deactivate_themselves(login_as, tree):
    client, admin = login_as(Role.ADMIN, tree.d1)
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 403


def test_reset_password_issues_a_temporary_one(app, login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = client.post(f"/admin/users/{target.id}/password")
    assert response.status_code == 200
    password = re.search(r"<code>([a-z0-9-]+)</code>", response.get_data(as_text=True)).group(1)
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert target.check_password(password) and target.must_change_password
    assert not target.check_password(factories.PASSWORD)
    assert len(_events("user.password_reset")) == 1


def test_home_tells_the_admin_about_users_without_a_role(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    factories.make_user(username="norole.inside", home_unit=tree.c1)
    factories.make_user(username="norole.outside", home_unit=tree.c3)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "1 người dùng đang hoạt động chưa có vai trò" in page
    listed = client.get("/admin/users?without_role=1").get_data(as_text=True)
    assert "norole.inside" in listed and "norole.outside" not in listed


def test_home_of_an_editor_has_an_empty_attention_list(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    page = client.get("/").get_data(as_text=True)
    assert "Hiện không có việc cần xử lý." in page


def test_district_admin_cannot_reset_a_province_admins_password(login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    boss = factories.make_user(roles=[(Role.ADMIN, tree.province)], home_unit=tree.c1)
    db.session.commit()
    assert client.post(f"/admin/users/{boss.id}/password").status_code == 403
    assert client.post(f"/admin/users/{boss.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, boss.id).check_password(factories.PASSWORD)


def test_admin_actions_still_work_after_the_address_changes(app, login_as, tree):
    client, _ = login_as(Role.ADMIN, tree.d1)
    target = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    db.session.commit()
    response = client.post(
        f"/admin/users/{target.id}/deactivate", environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, target.id).is_active
    # Signing in with the right password is refused: the form again, and no session.
    visitor = app.test_client()
    signing_in = visitor.post(
        "/login", data={"username": target.username, "password": factories.PASSWORD}
    )
    assert signing_in.status_code == 200
    assert visitor.get("/units").status_code == 302
