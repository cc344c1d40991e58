"""Browsing units in scope and adding residential areas, with and without htmx."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.auth.models import Role
from webapp.extensions import db
from webapp.units.models import Level, Unit

HX = {"HX-Request": "true"}


def _areas(commune: Unit) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Unit.name).where(Unit.parent_id == commune.id, Unit.level == Level.AREA)
        )
    )


def test_unit_tree_shows_the_scope_only(login_as, tree):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    page = client.get("/units").get_data(as_text=True)
    assert tree.c1.name in page and tree.c2.name in page
    assert tree.c3.name not in page


def test_unit_outside_scope_is_403(login_as, tree):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    assert client.get(f"/units/{tree.c1.id}").status_code == 200
    assert client.get(f"/units/{tree.c3.id}").status_code == 403
    assert client.get("/units/999999").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, tree):
    response = client.get(f"/units/{tree.c1.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_add_area_without_javascript_redirects(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    response = client.post(
        f"/units/{tree.c1.id}/areas", data={"kind": "thon", "name": "Thôn Nà Đon"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/units/{tree.c1.id}"
    assert _areas(tree.c1) == ["Thôn Nà Đon"]
    assert "Thôn Nà Đon" in client.get(f"/units/{tree.c1.id}").get_data(as_text=True)


def test_add_area_with_htmx_returns_the_fragment(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    response = client.post(
        f"/units/{tree.c1.id}/areas", data={"kind": "ban", "name": "Bản Khuổi Ú"}, headers=HX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and 'id="areas"' in body and "Bản Khuổi Ú" in body
    assert response.headers["HX-Trigger"] == '{"areas-changed": true}'
    assert "HX-Request" in response.headers["Vary"]
    assert len(body.encode()) < 5 * 1024


def test_add_area_twice_is_refused_accents_aside(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    client.post(f"/units/{tree.c1.id}/areas", data={"kind": "thon", "name": "Thôn Nà Đon"})
    response = client.post(
        f"/units/{tree.c1.id}/areas", data={"kind": "thon", "name": "thon na don"}, headers=HX
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert 'value="thon na don"' in response.get_data(as_text=True)
    assert _areas(tree.c1) == ["Thôn Nà Đon"]


def test_add_area_with_empty_name_keeps_the_page(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    response = client.post(f"/units/{tree.c1.id}/areas", data={"kind": "thon", "name": "  "})
    assert response.status_code == 422
    assert "<html" in response.get_data(as_text=True)
    assert _areas(tree.c1) == []


def test_add_area_outside_scope_or_by_reviewer_is_403(login_as, tree):
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert (
        client.post(f"/units/{tree.c3.id}/areas", data={"kind": "thon", "name": "X"}).status_code
        == 403
    )
    reviewer, _ = login_as(Role.REVIEWER, tree.d1)
    assert (
        reviewer.post(f"/units/{tree.c1.id}/areas", data={"kind": "thon", "name": "X"}).status_code
        == 403
    )
    assert _areas(tree.c1) == [] and _areas(tree.c3) == []


def test_name_is_stored_nfc(login_as, tree):
    import unicodedata

    client, _ = login_as(Role.EDITOR, tree.c1)
    decomposed = unicodedata.normalize("NFD", "Thôn Bản Đồn")
    client.post(f"/units/{tree.c1.id}/areas", data={"kind": "thon", "name": decomposed})
    assert _areas(tree.c1) == [unicodedata.normalize("NFC", "Thôn Bản Đồn")]


def test_organization_officer_browses_the_units_of_the_scope(login_as, tree):
    from tests import factories

    organization = factories.make_organization()
    db.session.commit()
    client, _ = login_as(Role.EDITOR, tree.d1, organization=organization)
    page = client.get("/units").get_data(as_text=True)
    assert tree.c1.name in page and tree.c3.name not in page
    assert client.get(f"/units/{tree.c1.id}").status_code == 200
    assert "Thêm khu dân cư" not in client.get(f"/units/{tree.c1.id}").get_data(as_text=True)
