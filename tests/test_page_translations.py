"""Translated guidance pages: the side-by-side editor, stale saves, publishing, what readers see
in their language (or the Vietnamese page with a notice), outdated translations after the
original changes, the translator's worklist, caching, and the per-language status counts.

Texts marked "[tyz]" stand in for Tày: no real translation is invented here."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from flask import current_app

from tests import factories
from tests.test_guidance import PLAN, make_page
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.pages import services, translations
from webapp.pages.models import PageState, PageTranslation, Recording, TranslationState
from webapp.pages.queries import translation_status, translation_worklist
from webapp.pages.services import PageValues

TAY_TITLE = "[tyz] Hướng dẫn đăng ký"
TAY_BODY = "## [tyz] Mục đích\n\n[tyz] Đoàn kết xây dựng **nông thôn mới**."


@pytest.fixture(autouse=True)
def languages(app, monkeypatch):
    """Tày and Nùng switched on besides Vietnamese and English."""
    monkeypatch.setitem(app.config, "LANGUAGES", ["vi", "tyz", "nut", "en"])


@pytest.fixture
def page(db, tree):
    return make_page(db, tree.province)


@pytest.fixture
def translator(login_as, tree):
    return login_as(Role.TRANSLATOR, tree.province, language="tyz")


def reader(language: str | None = None):
    client = current_app.test_client()
    if language:
        client.set_cookie("lang", language)
    return client


def translate(db, page, *, title=TAY_TITLE, body=TAY_BODY, publish=True, language="tyz"):
    """A translation saved by a translator, from the page's current revision (sent for review
    and approved by a reviewer of the language, when `publish`)."""
    actor = factories.make_user(roles=[(Role.TRANSLATOR, page.unit, None, language)])
    translation = translations.translation_for(page, language)
    translations.save_translation(
        actor,
        translation,
        translation.version,
        PageValues(title, body),
        source_revision_id=page.current_revision_id,
    )
    if publish:
        factories.approve_translation(actor, translation)
    db.session.commit()
    return translation


def change_original(db, page, body):
    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    services.save(publisher, page, page.version, PageValues(page.title, body))
    db.session.commit()


def form(translation_or_page, **values):
    return {"title": TAY_TITLE, "summary": "", "body": TAY_BODY, **values}


# Writing


def test_editor_shows_the_original_beside_the_form(db, page, translator):
    client, _ = translator
    response = client.get(f"/pages/{page.id}/translations/tyz")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bản gốc tiếng Việt, phiên bản 1" in html
    assert "<strong>nông thôn mới</strong>" in html  # the original, rendered
    assert f'name="source_revision_id" type="hidden" value="{page.current_revision_id}"' in html
    assert 'lang="tyz"' in html


def test_a_translator_saves_a_translation_made_from_the_revision_they_saw(db, page, translator):
    client, user = translator
    seen = page.current_revision_id
    change_original(db, page, PLAN + "\n\nThêm một đoạn.")  # while the translator types
    response = client.post(
        f"/pages/{page.id}/translations/tyz",
        data=form(page, version="0", source_revision_id=str(seen)),
    )
    assert response.status_code == 303
    saved = db.session.scalar(sa.select(PageTranslation))
    assert (saved.language, saved.title, saved.state) == ("tyz", TAY_TITLE, TranslationState.DRAFT)
    assert saved.source_revision_id == seen and saved.translated_by_id == user.id
    assert "<strong>nông thôn mới</strong>" in saved.body_html
    assert saved.search_title == "[tyz] huong dan dang ky"
    assert saved.outdated  # made from revision 1; the original is at 2 now
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "translation.saved"))
    assert event.details == {"language": "tyz", "source_revision": 1}
    assert event.actor_id == user.id


def test_preview_saves_nothing_and_bad_input_keeps_the_text(db, page, translator):
    client, _ = translator
    url = f"/pages/{page.id}/translations/tyz"
    source = str(page.current_revision_id)
    preview = client.post(url, data={**form(page, version="0", source_revision_id=source),
                                     "preview": "1"})  # fmt: skip
    assert preview.status_code == 200 and "<h2>[tyz] Mục đích</h2>" in preview.get_data(True)
    empty = client.post(url, data=form(page, title="", version="0", source_revision_id=source))
    assert empty.status_code == 422 and "[tyz] Đoàn kết" in empty.get_data(as_text=True)
    odd = client.post(url, data=form(page, version="0", source_revision_id="abc"))
    assert odd.status_code == 422
    assert "Không rõ bản gốc" in odd.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PageTranslation.id))) == 0


def test_a_stale_save_is_refused_with_the_text_kept(db, page, translator):
    client, _ = translator
    translation = translate(db, page, publish=False)
    old = str(translation.version)
    url = f"/pages/{page.id}/translations/tyz"
    source = str(page.current_revision_id)
    first = client.post(
        url, data=form(page, title="[tyz] Một", version=old, source_revision_id=source)
    )
    assert first.status_code == 303
    stale = client.post(
        url, data=form(page, title="[tyz] Hai", version=old, source_revision_id=source)
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 422
    assert "Người khác đã lưu bản dịch này" in html and 'value="[tyz] Hai"' in html
    assert '<h3 lang="tyz">[tyz] Một</h3>' in html  # what the colleague saved, beside mine
    db.session.expire_all()
    assert translation.title == "[tyz] Một"
    new_translation = client.post(url, data=form(page, version="0", source_revision_id=source))
    assert new_translation.status_code == 422  # someone made it meanwhile: not a second one


def test_translators_work_only_in_their_language_and_scope(db, tree, page, translator, login_as):
    client, _ = translator
    assert client.get(f"/pages/{page.id}/translations/nut").status_code == 403
    assert client.get(f"/pages/{page.id}/translations/vi").status_code == 404
    assert client.get(f"/pages/{page.id}/translations/hmn").status_code == 404  # not switched on
    other = make_page(db, tree.d2, title="Trang của huyện Hai")
    outsider, _ = login_as(Role.TRANSLATOR, tree.d1, language="tyz")
    assert outsider.get(f"/pages/{other.id}/translations/tyz").status_code == 403
    assert (
        outsider.post(
            f"/pages/{other.id}/translations/tyz", data=form(other, version="0")
        ).status_code
        == 403
    )
    assert reader().get(f"/pages/{page.id}/translations/tyz").status_code == 302  # sign in
    editor, _ = login_as(Role.EDITOR, tree.province)
    assert editor.get(f"/pages/{page.id}/translations").status_code == 403


def test_the_translations_screen_lists_languages_with_their_state(db, page, translator, login_as):
    translate(db, page)
    client, _ = translator
    html = client.get(f"/pages/{page.id}/translations").get_data(as_text=True)
    assert '<span class="org" lang="tyz">Tiếng Tày</span>' in html and "Đã đăng" in html
    assert '<span class="org" lang="nut">' not in html  # not the translator's language
    publisher, _ = login_as(Role.PUBLISHER, page.unit)
    html = publisher.get(f"/pages/{page.id}/translations").get_data(as_text=True)
    assert '<span class="org" lang="nut">Tiếng Nùng</span>' in html and "Chưa có" in html
    assert '<span class="org" lang="en">English</span>' in html


# Publishing


def test_a_translation_is_published_once_another_person_approves_it(db, page, translator, login_as):
    client, user = translator
    url = f"/pages/{page.id}/translations/tyz"
    source = str(page.current_revision_id)
    saved = client.post(url, data={**form(page, version="0", source_revision_id=source),
                                   "submit": "1"})  # fmt: skip
    assert saved.status_code == 303
    translation = db.session.scalar(sa.select(PageTranslation))
    assert translation.state == TranslationState.REVIEW
    assert TAY_TITLE not in reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    # The translator cannot approve their own work.
    refused = client.post(f"{url}/approve", data={"version": str(translation.version)})
    assert refused.status_code == 403
    reviewer, reviewer_user = login_as(Role.TRANSLATION_REVIEWER, tree_top(page), language="tyz")
    approved = reviewer.post(f"{url}/approve", data={"version": str(translation.version)})
    assert approved.status_code == 303
    db.session.expire_all()
    assert translation.state == TranslationState.PUBLISHED and translation.published_at
    assert (translation.translated_by_id, translation.approved_by_id) == (user.id, reviewer_user.id)
    assert TAY_TITLE in reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    publisher, _ = login_as(Role.PUBLISHER, page.unit)
    back = publisher.post(f"{url}/unpublish", data={"version": str(translation.version)})
    assert back.status_code == 303
    db.session.expire_all()
    assert translation.state == TranslationState.DRAFT
    assert TAY_TITLE not in reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    stale = publisher.post(f"{url}/unpublish", data={"version": "1"})
    assert stale.status_code == 303
    db.session.expire_all()
    assert translation.state == TranslationState.DRAFT


def test_a_reviewer_cannot_approve_their_own_page_translation(db, page, login_as):
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree_top(page), language="tyz")
    url = f"/pages/{page.id}/translations/tyz"
    source = str(page.current_revision_id)
    reviewer.post(url, data={**form(page, version="0", source_revision_id=source), "submit": "1"})
    translation = db.session.scalar(sa.select(PageTranslation))
    response = reviewer.post(f"{url}/approve", data={"version": str(translation.version)})
    assert response.status_code == 403
    assert "người duyệt khác" in response.get_data(as_text=True)  # said, not only refused
    db.session.expire_all()
    assert translation.state == TranslationState.REVIEW


def test_an_edited_approved_translation_waits_for_review_again(db, page, translator):
    translation = translate(db, page)
    client, _ = translator
    url = f"/pages/{page.id}/translations/tyz"
    source = str(page.current_revision_id)
    data = form(
        page, title="[tyz] Đổi", version=str(translation.version), source_revision_id=source
    )
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    assert translation.state == TranslationState.DRAFT
    html = reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    assert "[tyz] Đổi" not in html


def tree_top(page):
    return page.unit if page.unit.parent is None else page.unit.ancestors()[-1]


def test_a_draft_page_s_translation_is_not_published(db, tree, translator, login_as):
    page = make_page(db, tree.province, state=PageState.DRAFT)
    translation = translate(db, page, publish=False)
    client, _ = translator
    client.post(
        f"/pages/{page.id}/translations/tyz/submit", data={"version": str(translation.version)}
    )
    db.session.expire_all()
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    refused = reviewer.post(
        f"/pages/{page.id}/translations/tyz/approve", data={"version": str(translation.version)}
    )
    assert refused.status_code == 303  # the page is a draft: the state refuses it, with a word
    db.session.expire_all()
    assert translation.state != TranslationState.PUBLISHED
    html = reviewer.get(f"/pages/{page.id}/translations/tyz").get_data(as_text=True)
    assert "Duyệt và đăng" not in html
    assert client.post(f"/pages/{page.id}/translations/nut/approve").status_code == 404


# Reading


def test_a_tay_reader_sees_the_published_translation(db, page):
    translate(db, page)
    html = reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    assert '<article class="guidance" lang="tyz">' in html
    assert f"<h1>{TAY_TITLE}</h1>" in html and "<h2>[tyz] Mục đích</h2>" in html
    assert f'href="/pages/{page.path}?lang=vi" hreflang="vi">Đọc bản gốc tiếng Việt' in html
    assert "đã thay đổi" not in html
    vietnamese = reader().get(f"/pages/{page.path}").get_data(as_text=True)
    assert TAY_TITLE not in vietnamese and '<article class="guidance" lang="vi">' in vietnamese
    original = reader("tyz").get(f"/pages/{page.path}?lang=vi").get_data(as_text=True)
    assert '<article class="guidance" lang="vi">' in original and TAY_TITLE not in original
    assert "Đọc trang này bằng Tiếng Tày" in original


def test_without_a_published_translation_the_vietnamese_page_says_so(db, page):
    translate(db, page, publish=False)
    html = reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    assert "Trang này chưa được dịch sang Tiếng Tày" in html  # Vietnamese: no Tày catalog yet
    assert '<article class="guidance" lang="vi">' in html and TAY_TITLE not in html
    english = reader("en").get(f"/pages/{page.path}").get_data(as_text=True)
    assert "This page has not been translated into English yet" in english
    assert "chưa được dịch" not in reader().get(f"/pages/{page.path}").get_data(as_text=True)


def test_lists_show_translated_titles_where_published(db, tree):
    page = make_page(db, tree.d1)  # in a section
    translate(db, page)
    section = page.parent
    for url in ("/pages", "/", f"/pages/{section.path}"):
        html = reader("tyz").get(url).get_data(as_text=True)
        assert f'lang="tyz">{TAY_TITLE}</a>' in html, url
        assert f'lang="vi">{section.title}</a>' in html or url != "/pages", url


def test_the_etag_covers_the_translation_and_the_language(db, page):
    client = reader("tyz")
    untranslated = client.get(f"/pages/{page.path}").headers["ETag"]
    assert reader().get(f"/pages/{page.path}").headers["ETag"] != untranslated
    original = client.get(f"/pages/{page.path}?lang=vi").headers["ETag"]
    assert original != untranslated
    translation = translate(db, page)
    linked = client.get(f"/pages/{page.path}?lang=vi", headers={"If-None-Match": original})
    assert linked.status_code == 200 and "Đọc trang này bằng" in linked.get_data(as_text=True)
    translated = client.get(f"/pages/{page.path}", headers={"If-None-Match": untranslated})
    assert translated.status_code == 200 and TAY_TITLE in translated.get_data(as_text=True)
    etag = translated.headers["ETag"]
    assert client.get(f"/pages/{page.path}", headers={"If-None-Match": etag}).status_code == 304
    actor = factories.make_user(roles=[(Role.TRANSLATOR, page.unit, None, "tyz")])
    translations.save_translation(
        actor, translation, translation.version, PageValues("[tyz] Tên khác", TAY_BODY),
        source_revision_id=page.current_revision_id,
    )  # fmt: skip
    factories.approve_translation(actor, translation)
    db.session.commit()
    again = client.get(f"/pages/{page.path}", headers={"If-None-Match": etag})
    assert again.status_code == 200 and "[tyz] Tên khác" in again.get_data(as_text=True)


# Outdated


def test_an_outdated_translation_is_flagged_after_the_original_changes(db, page, translator):
    translation = translate(db, page)
    assert not translation.outdated
    change_original(db, page, PLAN + "\n\nĐoạn mới về môi trường.")
    db.session.expire_all()
    assert translation.outdated
    client, _ = translator
    listing = client.get(f"/pages/{page.id}/translations").get_data(as_text=True)
    assert "Đã cũ" in listing
    editor = client.get(f"/pages/{page.id}/translations/tyz").get_data(as_text=True)
    assert "Bản gốc đã thay đổi từ khi bản dịch này được làm" in editor
    assert "<ins>+ Đoạn mới về môi trường.</ins>" in editor  # what to translate anew
    html = reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    assert TAY_TITLE in html  # still shown, with a discreet note
    assert "Trang tiếng Việt đã thay đổi từ khi bản dịch này được làm" in html
    # Saving from the current original brings the translation up to date.
    saved = client.post(
        f"/pages/{page.id}/translations/tyz",
        data=form(page, body=TAY_BODY + "\n\n[tyz] Môi trường.", version=str(translation.version),
                  source_revision_id=str(page.current_revision_id)),
    )  # fmt: skip
    assert saved.status_code == 303
    db.session.expire_all()
    assert not translation.outdated
    assert "Đã cũ" not in client.get(f"/pages/{page.id}/translations").get_data(as_text=True)


def test_a_revision_that_changes_no_text_leaves_the_translation_up_to_date(db, page):
    translation = translate(db, page)
    change_original(db, page, PLAN + "\n\nThêm.")
    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    services.save(publisher, page, page.version, PageValues(page.title, PLAN))  # back again
    db.session.commit()
    db.session.expire_all()
    assert page.current.number == 3 and translation.source.number == 1
    assert not translation.outdated


# The worklist and the status counts


def test_the_worklist_lists_missing_outdated_and_unpublished_translations(db, tree, translator):
    missing = make_page(db, tree.province, title="Chưa dịch")
    done = make_page(db, tree.province, title="Đã dịch xong")
    outdated = make_page(db, tree.province, title="Đã dịch nhưng cũ")
    draft = make_page(db, tree.province, title="Mới dịch nháp")
    translate(db, done)
    translate(db, outdated)
    translate(db, draft, publish=False)
    change_original(db, outdated, "Nội dung mới")
    client, user = translator
    listed = {page.title for page, _ in translation_worklist(user, "tyz")}
    assert {missing.title, outdated.title, draft.title} <= listed
    assert done.title not in listed
    assert client.get("/translations/pages").headers["Location"].endswith("/translations/tyz/pages")
    html = client.get("/translations/tyz/pages").get_data(as_text=True)
    assert "Chưa dịch" in html and "Đã cũ" in html and "Đã dịch xong" not in html
    assert client.get("/translations/nut/pages").status_code == 403
    assert client.get("/translations/xx/pages").status_code == 404
    assert reader().get("/translations/tyz").status_code == 302


def test_translation_status_counts_published_translated_and_up_to_date(db, tree):
    first, second = (
        make_page(db, tree.province, title="Một"),
        make_page(db, tree.province, title="Hai"),
    )
    hidden = make_page(db, tree.province, title="Nháp", state=PageState.DRAFT)
    before = translation_status("tyz")
    translate(db, first)
    translate(db, second)
    translate(db, hidden, publish=False)
    change_original(db, second, "Khác hẳn")
    db.session.expire_all()
    after = translation_status("tyz")
    assert after["published"] == before["published"]
    assert (after["translated"], after["up_to_date"]) == (2, 1)
    assert translation_status("nut")["translated"] == 0


def test_the_language_is_a_known_translation_language_in_the_database(db, page):
    from sqlalchemy.exc import IntegrityError

    db.session.add(PageTranslation(page=page, language="vi", title="x", body=""))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_menu_offers_the_worklist_to_translators_only(db, tree, translator, login_as):
    client, _ = translator
    assert re.search(r'href="/translations">Bản dịch</a>', client.get("/").get_data(True))
    editor, _ = login_as(Role.EDITOR, tree.province)
    assert 'href="/translations">Bản dịch</a>' not in editor.get("/").get_data(as_text=True)


def test_the_audit_log_names_translation_events_and_their_language(db, tree, page, login_as):
    translate(db, page)
    admin, _ = login_as(Role.ADMIN, tree.province)
    html = admin.get("/audit").get_data(as_text=True)
    assert "Lưu bản dịch" in html and "Đăng bản dịch" in html and "Tiếng Tày" in html
    assert "bản sao của" not in html


# Recordings

# A second of MPEG audio (silent frames): what a phone's recorder makes, in miniature.
MP3 = (bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * 40


def _upload(client, page, data: bytes, name: str):
    return client.post(
        f"/pages/{page.id}/translations/tyz/recordings",
        data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
    )  # fmt: skip


def test_a_recording_is_played_once_another_person_approves_it(db, page, translator, login_as):
    client, user = translator
    assert _upload(client, page, MP3, "doc.mp3").status_code == 303
    recording = db.session.scalar(sa.select(Recording))
    assert (recording.state, recording.content_type, recording.seconds) == (
        "review", "audio/mpeg", 2,
    )  # fmt: skip
    assert recording.translated_by_id == user.id and recording.size == len(MP3)
    assert "<audio" not in reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    assert reader("tyz").get(f"/recordings/{recording.id}").status_code in (302, 303, 403)
    url = f"/recordings/{recording.id}/approve"
    own = client.post(url, data={"version": str(recording.version)})
    assert own.status_code == 403  # the translator is no reviewer
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree_top(page), language="tyz")
    assert reviewer.post(url, data={"version": str(recording.version)}).status_code == 303
    html = reader("tyz").get(f"/pages/{page.path}").get_data(as_text=True)
    assert f'<audio controls preload="none" src="/recordings/{recording.id}">' in html
    assert "0:02 phút" in html or "0:02" in html
    played = reader("tyz").get(f"/recordings/{recording.id}")
    assert played.status_code == 200 and played.mimetype == "audio/mpeg"
    assert played.data == MP3
    played.close()
    assert "<audio" not in reader().get(f"/pages/{page.path}").get_data(as_text=True)  # Vietnamese


def test_an_upload_that_is_not_audio_is_refused_with_a_message(db, page, translator):
    client, _ = translator
    response = _upload(client, page, b"%PDF-1.4\n" + bytes(2000), "doc.mp3")
    assert response.status_code == 422
    assert "MP3, Ogg hoặc M4A" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Recording.id))) == 0


def test_a_reviewer_cannot_approve_their_own_recording(db, page, login_as):
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree_top(page), language="tyz")
    assert _upload(reviewer, page, MP3, "doc.mp3").status_code == 303
    recording = db.session.scalar(sa.select(Recording))
    response = reviewer.post(
        f"/recordings/{recording.id}/approve", data={"version": str(recording.version)}
    )
    assert response.status_code == 403 and "người duyệt khác" in response.get_data(as_text=True)
    db.session.expire_all()
    assert recording.state == "review"
