"""The home page as the translators' and reviewers' work queue: what translators of a
language sent for review (interface strings, campaign words, page translations, recordings)
counts on the home page of that language's reviewer, never on another language's reviewer's
nor on the translator's own; translations the Vietnamese changed under count on the
translator's.

Test text is marked "[tyz-test]": it is not Tày."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.test_attachments import make_page
from tests.test_page_translations import change_original, translate
from tests.test_translation_review import _content, _word_url
from webapp.auth.models import Role
from webapp.campaign.models import Content
from webapp.i18n.models import ReviewState, message_key
from webapp.pages import translations
from webapp.pages.models import Recording


def home(client) -> str:
    body = re.sub(r"<[^>]+>", " ", client.get("/").get_data(as_text=True))
    return " ".join(body.split())


def _recording_sent(user, **subject) -> None:
    """A recording row sent for review (its file is not needed to count it)."""
    from webapp.extensions import db

    db.session.add(
        Recording(
            **subject, language="tyz", stored_name="test.ogg", content_type="audio/ogg",
            size=2048, seconds=30, state=ReviewState.REVIEW, translated_by_id=user.id,
        )
    )  # fmt: skip


def _send_everything_for_review(db, tree, login_as):
    """A Tày translator sends a string, a content's name, a page translation and a recording."""
    translator, user = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    key = message_key("Sign in")
    data = {"strings-0": "[tyz-test] sign in", "version": "0", "submit": "1"}
    assert translator.post(f"/translations/tyz/{key}", data=data).status_code == 303
    content = _content()
    data = {"text": "[tyz-test] kinh tế", "version": "0", "submit": "1"}
    assert translator.post(_word_url(content), data=data).status_code == 303
    page = make_page(tree.province)
    translation = translate(db, page, publish=False)
    translations.submit_translation(translation.translated_by, translation, translation.version)
    other_page = make_page(tree.province, title="Hướng dẫn báo cáo")
    _recording_sent(user, page_id=other_page.id)
    db.session.commit()
    return translator


def test_the_languages_reviewer_sees_what_waits_for_review(db, tree, login_as):
    translator = _send_everything_for_review(db, tree, login_as)
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    page = home(reviewer)
    assert "1 chuỗi giao diện bằng Tiếng Tày chờ bạn duyệt" in page
    assert "1 từ ngữ của Cuộc vận động bằng Tiếng Tày chờ bạn duyệt" in page
    assert "1 bản dịch trang sang Tiếng Tày chờ bạn duyệt" in page
    assert "1 bản ghi âm bằng Tiếng Tày chờ bạn duyệt" in page
    html = reviewer.get("/").get_data(as_text=True)
    assert 'href="/translations/tyz?state=review"' in html
    assert 'href="/translations/tyz/words?state=review"' in html
    assert 'href="/translations/tyz/pages"' in html
    # The worklist the page and recording counts lead to lists both pages.
    worklist = reviewer.get("/translations/tyz/pages").get_data(as_text=True)
    assert "Hướng dẫn đăng ký" in worklist and "Hướng dẫn báo cáo" in worklist
    # A Nùng reviewer, and the translator who sent them, are not asked to review them.
    nung, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="nut")
    assert "chờ bạn duyệt" not in home(nung)
    assert "chờ bạn duyệt" not in home(translator)


def test_a_reviewer_does_not_count_their_own_work(db, tree, login_as):
    client, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    key = message_key("Sign in")
    data = {"strings-0": "[tyz-test] sign in", "version": "0", "submit": "1"}
    assert client.post(f"/translations/tyz/{key}", data=data).status_code == 303
    assert "chờ bạn duyệt" not in home(client)
    other, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    assert "1 chuỗi giao diện bằng Tiếng Tày chờ bạn duyệt" in home(other)


def test_outdated_translations_count_on_the_translators_home(db, tree, login_as):
    translator, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    content = _content()
    data = {"text": "[tyz-test] kinh tế", "version": "0", "submit": "1"}
    assert translator.post(_word_url(content), data=data).status_code == 303
    assert reviewer.post(_word_url(content, "approve"), data={"version": "1"}).status_code == 303
    page = make_page(tree.province)
    translate(db, page)
    assert "đã cũ" not in home(translator)
    change_original(db, page, "Nội dung mới của hướng dẫn.")
    row = db.session.get(Content, content.id)
    row.short_vi = "Phát triển kinh tế nông thôn"
    db.session.commit()
    text = home(translator)
    assert "1 bản dịch trang sang Tiếng Tày đã cũ: bản tiếng Việt đã thay đổi" in text
    assert "1 từ ngữ của Cuộc vận động bằng Tiếng Tày đã cũ: bản tiếng Việt đã thay đổi" in text
    html = translator.get("/").get_data(as_text=True)
    assert 'href="/translations/tyz/words?state=changed"' in html
    # Not the reviewer's work, nor a Nùng translator's.
    assert "đã cũ" not in home(reviewer)
    nung, _ = login_as(Role.TRANSLATOR, tree.province, language="nut")
    assert "đã cũ" not in home(nung)
    assert db.session.scalar(sa.select(sa.func.count(Recording.id))) == 0


def test_a_contents_recording_waits_on_the_reviewers_home(db, tree, login_as):
    _, user = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    content = _content()
    _recording_sent(user, content_id=content.id)
    db.session.commit()
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    assert "1 bản ghi âm nội dung Cuộc vận động bằng Tiếng Tày chờ bạn duyệt" in home(reviewer)
    html = reviewer.get("/").get_data(as_text=True)
    assert f'href="/translations/tyz/words/contents.short/{content.id}"' in html
    nung, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="nut")
    assert "chờ bạn duyệt" not in home(nung)
