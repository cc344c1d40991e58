"""Public pages from the cache (webapp/pages/cache.py): an anonymous reader's page is rendered
once and then served without the database beyond its generations, and a publish, a page
translation, an interface translation, a language choice or a structural change shows on the
very next request. The nodes of the production set-up are in test_production_nodes.py."""

from __future__ import annotations

import brotli
import pytest
import sqlalchemy as sa

from tests import factories
from tests.test_guidance import make_page
from tests.test_page_translations import TAY_TITLE, translate
from tests.test_query_counts import Statements
from webapp.auth.models import Role
from webapp.extensions import db as _db
from webapp.extensions import dispose_engines
from webapp.i18n.models import message_key
from webapp.pages import services
from webapp.pages.services import PageValues

NEW_TEXT = "Hạn đăng ký mới là ngày 20 tháng 3."


@pytest.fixture
def page(db, tree):
    return make_page(db, tree.province)


def _publish(db, page, body: str) -> None:
    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    services.save(publisher, page, page.version, PageValues(page.title, body))
    db.session.commit()


def test_a_repeat_visit_is_served_from_the_cache_without_a_session(app, page, client):
    url = f"/pages/{page.path}"
    first = client.get(url)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    with Statements(_db.engine) as queries:
        again = client.get(url)
    assert again.status_code == 200 and again.data == first.data
    assert queries.count == 1  # the generations, nothing else
    assert "Set-Cookie" not in again.headers
    assert again.headers["ETag"] == first.headers["ETag"]
    assert {"Cookie", "Accept-Encoding"} <= set(again.headers["Vary"].replace(" ", "").split(","))


def test_anonymous_readers_get_no_script_and_editors_keep_htmx(page, client, login_as, tree):
    """Nothing on a guidance page is for htmx to enhance for a reader: its 16 KB are saved on a
    phone's first visit; a publisher's attachment forms still use it."""
    url = f"/pages/{page.path}"
    assert "<script" not in client.get(url).get_data(as_text=True)
    publisher, _ = login_as(Role.PUBLISHER, tree.province)
    assert "htmx-2.0.4" in publisher.get(url).get_data(as_text=True)


def test_compressed_copies_are_kept_and_revalidate(page, client):
    url = f"/pages/{page.path}"
    plain = client.get(url, headers={"Accept-Encoding": "identity"}).data
    packed = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.data) == plain
    tag = packed.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304


def test_a_publish_is_seen_on_the_next_request(db, page, client):
    url = f"/pages/{page.path}"
    before = client.get(url)
    assert NEW_TEXT not in before.get_data(as_text=True)
    _publish(db, page, NEW_TEXT)
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and NEW_TEXT in after.get_data(as_text=True)
    listed = client.get("/pages").get_data(as_text=True)
    assert page.title in listed


def test_a_page_translation_is_seen_on_the_next_request(db, page, client):
    client.set_cookie("lang", "tyz")
    assert TAY_TITLE not in client.get(f"/pages/{page.path}").get_data(as_text=True)
    assert TAY_TITLE not in client.get("/pages").get_data(as_text=True)
    translate(db, page)
    assert TAY_TITLE in client.get(f"/pages/{page.path}").get_data(as_text=True)
    assert TAY_TITLE in client.get("/pages").get_data(as_text=True)


def test_an_interface_translation_is_seen_on_the_next_request(app, db, tree, page, login_as):
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    assert "Khảu slư" not in reader.get(f"/pages/{page.path}").get_data(as_text=True)
    translator, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    key = message_key("Sign in")
    saved = translator.post(
        f"/translations/tyz/{key}", data={"strings-0": "Khảu slư", "version": "0", "submit": "1"}
    )
    assert saved.status_code == 303
    assert "Khảu slư" not in reader.get(f"/pages/{page.path}").get_data(as_text=True)  # draft
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    approved = reviewer.post(f"/translations/tyz/{key}/approve", data={"version": "1"})
    assert approved.status_code == 303
    assert "Khảu slư" in reader.get(f"/pages/{page.path}").get_data(as_text=True)


def test_a_language_change_is_seen_on_the_next_request(db, page, client):
    url = f"/pages/{page.path}"
    vietnamese = client.get(url).get_data(as_text=True)
    assert 'lang="vi"' in vietnamese
    client.set_cookie("lang", "en")
    english = client.get(url)
    assert '<html lang="en"' in english.get_data(as_text=True)
    assert "Accept-Language" in english.headers["Vary"]


def test_a_new_page_in_a_section_is_listed_on_the_next_request(db, tree, page, client):
    section = page  # a province page, at the top: it lists the pages under it
    assert "Trang mới" not in client.get(f"/pages/{section.path}").get_data(as_text=True)
    assert "Trang mới" not in client.get("/pages").get_data(as_text=True)
    make_page(db, tree.province, title="Trang mới", parent=section)
    assert "Trang mới" in client.get(f"/pages/{section.path}").get_data(as_text=True)
    assert "Trang mới" in client.get("/pages").get_data(as_text=True)


def test_an_archived_page_is_gone_on_the_next_request(db, page, client):
    url = f"/pages/{page.path}"
    assert client.get(url).status_code == 200
    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    services.set_state(publisher, page, page.version, services.PageState.ARCHIVED)
    db.session.commit()
    assert client.get(url).status_code != 200  # sent to sign in


def test_signed_in_readers_and_flashed_messages_bypass_the_cache(page, client, login_as, tree):
    url = f"/pages/{page.path}"
    client.get(url)
    editor, _ = login_as(Role.PUBLISHER, tree.province)
    mine = editor.get(url)
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert "X-CSRFToken" in mine.get_data(as_text=True)  # never kept for others
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã lưu.")]
    flashed = client.get(url)
    assert "Đã lưu." in flashed.get_data(as_text=True)
    assert "Đã lưu." not in client.get(url).get_data(as_text=True)


def test_the_content_generation_moves_with_the_change_in_one_transaction(db, page):
    def generation() -> int:
        return db.session.scalar(
            sa.text("SELECT generation FROM catalog_generations WHERE language = '#pages'")
        )

    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    db.session.commit()
    before = generation()
    services.save(publisher, page, page.version, PageValues(page.title, NEW_TEXT))
    db.session.rollback()
    assert generation() == before  # a change rolled back leaves the generation as it was
    services.save(publisher, page, page.version, PageValues(page.title, NEW_TEXT))
    db.session.commit()
    assert generation() > before


def test_with_redis_pages_are_kept_there_and_shared_by_app_nodes(app, redis_app, redis_store, page):
    from webapp import create_app

    other = create_app(dict(redis_app.config))  # a second node on the same Redis
    url = f"/pages/{page.path}"
    first = redis_app.test_client().get(url)
    assert first.status_code == 200
    assert list(redis_store.scan_iter("page:*"))
    assert other.test_client().get(url).data == first.data
    with app.app_context():
        _publish(_db, _db.session.merge(page), NEW_TEXT)
    assert NEW_TEXT in other.test_client().get(url).get_data(as_text=True)
    assert NEW_TEXT in redis_app.test_client().get(url).get_data(as_text=True)
    with other.app_context():
        dispose_engines()
