"""Guidance pages: writing with preview, revisions (history, compare, restore), the publishing
workflow and its scope, the sanitizer, and HTTP caching for anonymous readers."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests import factories
from webapp.auth.models import Role
from webapp.pages import services
from webapp.pages.models import Page, PageKind, PageState, Revision
from webapp.pages.services import PageValues

PLAN = (
    "## I. MỤC ĐÍCH\n\nĐoàn kết xây dựng **nông thôn mới**.\n\n"
    "| Nội dung | Số |\n|---|---|\n| Kinh tế | 1 |"
)


def make_page(
    db, unit, *, title="Hướng dẫn đăng ký", body=PLAN, state=PageState.PUBLISHED, parent=None
):
    publisher = factories.make_user(roles=[(Role.PUBLISHER, unit)])
    if parent is None and unit.parent is not None:
        parent = factories.section_for(unit)
    page = services.create_page(
        publisher, unit=unit, parent=parent, kind=PageKind.GUIDANCE, values=PageValues(title, body)
    )
    if state != PageState.DRAFT:
        services.set_state(publisher, page, page.version, state)
    db.session.commit()
    return page


def test_a_publisher_writes_previews_and_publishes(db, tree, login_as):
    client, publisher = login_as(Role.PUBLISHER, tree.province)
    data = {
        "parent_id": "",
        "kind": "guidance",
        "unit_id": str(tree.province.id),
        "title": "Hướng dẫn đăng ký năm 2027",
        "slug": "",
        "summary": "Cách đăng ký công trình, mô hình, phần việc",
        "body": "## Các bước\n\n1. Lập danh sách\n2. Gửi huyện",
    }
    preview = client.post("/pages/new", data={**data, "preview": "1"})
    page_html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<h2>Các bước</h2>" in page_html and "<li>Lập danh sách</li>" in page_html
    assert db.session.scalar(sa.select(sa.func.count(Page.id))) == 0  # a preview saves nothing
    saved = client.post("/pages/new", data={**data, "save": "1"})
    assert saved.status_code == 303
    page = db.session.scalar(sa.select(Page))
    assert page.slug == "huong-dan-dang-ky-nam-2027" and page.state == PageState.DRAFT
    assert page.current.number == 1 and page.current.author_id == publisher.id
    assert client.get("/pages/huong-dan-dang-ky-nam-2027").status_code == 200
    from flask import current_app

    reader = current_app.test_client()  # an anonymous reader
    assert reader.get("/pages/huong-dan-dang-ky-nam-2027").status_code in (302, 404)
    published = client.post(f"/pages/{page.id}/publish", data={"version": str(page.version)})
    assert published.status_code == 303
    shown = reader.get("/pages/huong-dan-dang-ky-nam-2027")
    assert shown.status_code == 200 and "Các bước" in shown.get_data(as_text=True)
    assert "Hướng dẫn đăng ký năm 2027" in reader.get("/").get_data(as_text=True)


def test_every_save_is_a_revision_compared_and_restored(db, tree, login_as):
    client, _ = login_as(Role.PUBLISHER, tree.province)
    page = make_page(db, tree.province)
    url = f"/pages/{page.id}/edit"
    first = client.post(
        url,
        data={
            "title": page.title,
            "body": PLAN + "\n\nĐoạn mới về môi trường.",
            "version": str(page.version),
        },
    )
    assert first.status_code == 303
    db.session.expire_all()
    assert [r.number for r in page.revisions] == [1, 2]
    diff = client.get(f"/pages/{page.id}/diff?from=1&to=2").get_data(as_text=True)
    assert "<ins>+ Đoạn mới về môi trường.</ins>" in diff
    history = client.get(f"/pages/{page.id}/history").get_data(as_text=True)
    assert "Khôi phục" in history
    restored = client.post(
        f"/pages/{page.id}/revisions/{page.revisions[0].id}/restore",
        data={"version": str(page.version)},
    )
    assert restored.status_code == 303
    db.session.expire_all()
    assert [r.number for r in page.revisions] == [1, 2, 3]
    assert page.current.body == PLAN and page.current.note == "restored:1"


def test_saving_nothing_new_makes_no_revision_and_a_stale_save_is_refused(db, tree, login_as):
    client, _ = login_as(Role.PUBLISHER, tree.province)
    page = make_page(db, tree.province)
    url = f"/pages/{page.id}/edit"
    version = str(page.version)
    assert (
        client.post(url, data={"title": page.title, "body": PLAN, "version": version}).status_code
        == 303
    )
    db.session.expire_all()
    assert len(page.revisions) == 1
    assert (
        client.post(url, data={"title": "Tên mới", "body": PLAN, "version": version}).status_code
        == 303
    )
    stale = client.post(url, data={"title": "Tên của người khác", "body": PLAN, "version": version})
    page_html = stale.get_data(as_text=True)
    assert stale.status_code == 422
    assert "Người khác đã lưu trang này sau khi bạn mở" in page_html
    assert 'value="Tên của người khác"' in page_html
    db.session.expire_all()
    assert page.title == "Tên mới"


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[bấm vào](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p onclick="steal()">đoạn</p>',
    ],
)
def test_the_sanitizer_strips_scripts_handlers_and_javascript_urls(db, tree, markdown):
    page = make_page(db, tree.province, body=markdown)
    html = page.current.body_html
    tags = re.findall(r"<[a-z][^>]*>", html)  # real tags; what was escaped is only text
    assert not [t for t in tags if t.startswith(("<script", "<iframe", "<img"))]
    assert not [t for t in tags if re.search(r"\son\w+=", t)]
    assert not [t for t in tags if "javascript:" in t]
    # What comes out is also what nh3 would leave: nothing passes unsanitized.
    assert services.sanitize(html) == html


def test_rendered_html_is_stored_with_the_revision(db, tree):
    page = make_page(db, tree.province)
    revision = db.session.get(Revision, page.current_revision_id)
    assert (
        "<table>" in revision.body_html and "<strong>nông thôn mới</strong>" in revision.body_html
    )


def test_publishers_work_only_in_their_scope(db, tree, login_as):
    client, _ = login_as(Role.PUBLISHER, tree.d2)
    page = make_page(db, tree.d1, state=PageState.DRAFT)
    assert client.get(f"/pages/{page.id}/edit").status_code == 403
    assert client.post(f"/pages/{page.id}/publish", data={"version": "1"}).status_code == 403
    refused = client.post(
        "/pages/new",
        data={"kind": "guidance", "unit_id": str(tree.d1.id), "title": "Trang lạ", "save": "1"},
    )
    assert refused.status_code == 422
    assert (
        db.session.scalar(sa.select(sa.func.count(Page.id)).where(Page.kind == PageKind.GUIDANCE))
        == 1
    )
    editor, _ = login_as(Role.EDITOR, tree.province)
    assert editor.get("/pages/manage").status_code == 403
    assert editor.get("/pages/new").status_code == 403


def test_archived_pages_leave_the_public_side(db, tree, client, login_as):
    page = make_page(db, tree.province)
    publisher, _ = login_as(Role.PUBLISHER, tree.province)
    assert client.get(f"/pages/{page.path}").status_code == 200
    publisher.post(f"/pages/{page.id}/archive", data={"version": str(page.version)})
    db.session.expire_all()
    assert page.state == PageState.ARCHIVED
    assert client.get(f"/pages/{page.path}").status_code in (302, 404)
    assert page.title not in client.get("/pages").get_data(as_text=True)
    edit = publisher.post(
        f"/pages/{page.id}/edit", data={"title": "x", "version": str(page.version)}
    )
    assert edit.status_code == 403


def test_anonymous_repeat_requests_get_304(db, tree, client):
    page = make_page(db, tree.province)
    for encoding in ("identity", "br", "gzip"):  # Flask-Compress tags compressed copies
        headers = {"Accept-Encoding": encoding}
        first = client.get(f"/pages/{page.path}", headers=headers)
        assert first.status_code == 200 and first.headers["ETag"]
        assert "Last-Modified" not in first.headers  # files and children change a page too
        again = client.get(
            f"/pages/{page.path}", headers={**headers, "If-None-Match": first.headers["ETag"]}
        )
        assert again.status_code == 304, encoding
    etag = client.get(f"/pages/{page.path}").headers["ETag"]
    # A new revision, a new file or a renamed section above changes the tag.
    publisher = factories.make_user(roles=[(Role.PUBLISHER, tree.province)])
    services.save(publisher, page, page.version, PageValues(page.title, PLAN + "\n\nThêm."))
    db.session.commit()
    changed = client.get(f"/pages/{page.path}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Thêm." in changed.get_data(as_text=True)


def test_pages_under_an_unpublished_section_are_not_public(db, tree, client):
    section = make_page(db, tree.province, title="Mục sắp công bố", body="", state=PageState.DRAFT)
    child = make_page(db, tree.province, title="Trang bên trong", parent=section)
    assert client.get(f"/pages/{child.path}").status_code in (302, 404)
    assert "Trang bên trong" not in client.get("/").get_data(as_text=True)
    assert child.path not in client.get("/search?q=trang+ben+trong").get_data(as_text=True)
    publisher = factories.make_user(roles=[(Role.PUBLISHER, tree.province)])
    services.set_state(publisher, section, section.version, PageState.PUBLISHED)
    db.session.commit()
    assert client.get(f"/pages/{child.path}").status_code == 200
    assert child.path in client.get("/search?q=trang+ben+trong").get_data(as_text=True)


@pytest.mark.parametrize("title", ["Manage", "New", "2024"])
def test_a_page_never_takes_an_address_the_site_uses(db, tree, client, title):
    page = make_page(db, tree.province, title=title)
    assert page.slug.startswith("trang-")
    assert client.get(f"/pages/{page.path}").status_code == 200


@pytest.mark.parametrize("path", ["%00", "ke-hoach/a%00b", "A_B", "../etc"])
def test_odd_addresses_are_not_found(db, client, path):
    assert client.get(f"/pages/{path}").status_code == 404


def test_a_page_shows_its_breadcrumb_children_and_meta(db, tree, client):
    section = make_page(db, tree.province, title="Hướng dẫn", body="")
    child = make_page(db, tree.province, title="Hướng dẫn đăng ký", parent=section)
    page_html = client.get(f"/pages/{section.path}").get_data(as_text=True)
    assert child.title in page_html
    child_html = client.get(f"/pages/{child.path}").get_data(as_text=True)
    assert re.search(r'<nav class="crumbs".*Hướng dẫn</a>', child_html, re.S)
    assert '<meta property="og:title" content="Hướng dẫn đăng ký">' in child_html
    assert client.get("/pages/khong-co-trang-nay").status_code == 404


def test_save_and_publish_keeps_what_was_typed(db, tree, login_as):
    client, _ = login_as(Role.PUBLISHER, tree.province)
    page = make_page(db, tree.province, state=PageState.DRAFT)
    response = client.post(
        f"/pages/{page.id}/edit",
        data={"title": "Bản cuối", "body": PLAN, "version": str(page.version), "publish": "1"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert page.state == PageState.PUBLISHED and page.title == "Bản cuối"


def test_a_body_longer_than_the_limit_is_refused_and_kept(db, tree, login_as):
    from webapp.pages.forms import BODY_LIMIT

    client, _ = login_as(Role.PUBLISHER, tree.province)
    page = make_page(db, tree.province)
    body = "Đoạn dài. " * (BODY_LIMIT // 10 + 1)
    response = client.post(
        f"/pages/{page.id}/edit", data={"title": page.title, "body": body, "version": "2"}
    )
    assert response.status_code == 422
    assert f"Tối đa {BODY_LIMIT} ký tự" in response.get_data(as_text=True).replace(".", "")
    db.session.expire_all()
    assert len(page.revisions) == 1


def test_comparing_long_rewrites_lists_whole_lines(db, tree):
    older = Revision(title="A", body="\n".join(f"dòng {i} cũ" for i in range(800)))
    newer = Revision(title="A", body="\n".join(f"dòng {i} mới" for i in range(800)))
    lines = services.diff(older, newer)
    assert [line.kind for line in lines].count("removed") == 800
    assert [line.kind for line in lines].count("added") == 800
    assert lines[0].kind == "same" and lines[0].text == "# A"
