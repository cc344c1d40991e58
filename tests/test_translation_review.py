"""The translators' tools around review: the glossary a language's reviewers keep, shown to
translators beside the strings; the campaign's own words translated and reviewed; the
translator's kit (XLSX, DOCX, PO) exported and imported back as drafts."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa
from openpyxl import load_workbook

from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.campaign.models import Campaign, Content, MemberOrganization
from webapp.extensions import db as _db
from webapp.i18n import queries
from webapp.i18n.models import (
    GlossaryTerm,
    InterfaceTranslation,
    ReviewState,
    WordTranslation,
    message_key,
)
from webapp.i18n.setup import clear_caches

# Terms made up for the tests, marked so nobody takes them for real Tày.
TERM = {"term_vi": "nông thôn mới", "term": "[tyz] bản mới", "note": "thống nhất"}


def test_a_reviewer_keeps_the_glossary_and_translators_see_it_beside_the_strings(
    db, tree, login_as
):
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    assert reviewer.post("/translations/tyz/glossary", data=TERM).status_code == 303
    term = db.session.scalar(sa.select(GlossaryTerm))
    assert (term.language, term.term_vi, term.term) == ("tyz", "nông thôn mới", "[tyz] bản mới")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "glossary.saved"))
    translator, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    page = translator.get("/translations/tyz/glossary").get_data(as_text=True)
    assert "[tyz] bản mới" in page and "<form" not in page.split("<main")[-1].split("</main>")[0]
    strings = translator.get("/translations/tyz?q=nong+thon+moi").get_data(as_text=True)
    assert "Thuật ngữ có trên trang này" in strings and "[tyz] bản mới" in strings
    # Translators read it; only reviewers keep it.
    assert translator.post("/translations/tyz/glossary", data=TERM).status_code == 403
    removal = f"/translations/tyz/glossary/{term.id}/delete"
    assert translator.post(removal).status_code == 403
    assert reviewer.post(removal).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(GlossaryTerm.id))) == 0


def test_a_glossary_term_needs_both_sides_and_keeps_what_was_typed(db, tree, login_as):
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    response = reviewer.post("/translations/tyz/glossary", data={**TERM, "term": "  "})
    assert response.status_code == 422
    assert 'value="nông thôn mới"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(GlossaryTerm.id))) == 0


def test_a_tay_reviewer_keeps_no_mong_glossary(db, tree, login_as):
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    assert reviewer.get("/translations/hmn/glossary").status_code == 403
    assert reviewer.post("/translations/hmn/glossary", data=TERM).status_code == 403


# The campaign's own words


def _content(number=1):
    return _db.session.scalar(sa.select(Content).filter_by(number=number)) or _make_content()


def _make_content():
    campaign = Campaign(code="c", name_vi="Cuộc vận động")
    content = Content(campaign=campaign, number=1, short_vi="Phát triển kinh tế", text_vi="…")
    organization = MemberOrganization(code="nong_dan", name_vi="Hội Nông dân")
    _db.session.add_all([content, organization])
    _db.session.commit()
    return content


def _word_url(content, step=""):
    return f"/translations/tyz/words/contents.short/{content.id}" + (f"/{step}" if step else "")


def _version(kind, row_id):
    version = _db.session.scalar(
        sa.select(WordTranslation.version).where(
            WordTranslation.kind == kind, WordTranslation.row_id == row_id
        )
    )
    _db.session.rollback()
    return str(version)


def test_a_content_s_name_is_served_in_tay_once_approved_and_flagged_when_the_vietnamese_changes(
    app, db, tree, login_as
):
    content = _content()
    translator, user = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    listing = translator.get("/translations/tyz/words").get_data(as_text=True)
    assert content.short_vi in listing
    saved = translator.post(_word_url(content), data={"text": "[tyz] Pác kinh tế", "version": "0",
                                                      "submit": "1"})  # fmt: skip
    assert saved.status_code == 303
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    assert "[tyz] Pác kinh tế" not in reader.get("/campaign").get_data(as_text=True)
    # The translator does not approve their own text; a reviewer does.
    version = _version("contents.short", content.id)
    assert (
        translator.post(_word_url(content, "approve"), data={"version": version}).status_code == 403
    )
    reviewer, reviewer_user = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    response = reviewer.post(_word_url(content, "approve"), data={"version": version})
    assert response.status_code == 303
    page = reader.get("/campaign").get_data(as_text=True)
    assert "[tyz] Pác kinh tế" in page
    row = db.session.scalar(sa.select(WordTranslation))
    assert (row.translated_by_id, row.approved_by_id) == (user.id, reviewer_user.id)
    # The Vietnamese changes: the translation is flagged outdated for translators.
    content = db.session.get(Content, content.id)
    content.short_vi = "Phát triển kinh tế nông thôn"
    db.session.commit()
    changed = translator.get("/translations/tyz/words?state=changed").get_data(as_text=True)
    assert "Phát triển kinh tế nông thôn" in changed


def test_an_approved_organization_name_shows_in_tay_labelled_tyz(app, db, tree, login_as):
    _content()
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    html = reader.get("/campaign").get_data(as_text=True)
    assert "Hội Nông dân" in html and '<span lang="tyz">' not in html.split("<main")[1]
    # The document is Vietnamese while little is translated: Vietnamese words need no label,
    # and an approved Tày word carries its own.
    organization = db.session.scalar(sa.select(MemberOrganization))
    reviewer, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    translator, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    url = f"/translations/tyz/words/member_organizations.name/{organization.id}"
    translator.post(url, data={"text": "[tyz] Hội Nà", "version": "0", "submit": "1"})
    version = _version("member_organizations.name", organization.id)
    assert reviewer.post(f"{url}/approve", data={"version": version}).status_code == 303
    html = reader.get("/campaign").get_data(as_text=True)
    assert '<span lang="tyz">[tyz] Hội Nà</span>' in html


def test_on_a_mostly_tay_page_untranslated_campaign_words_are_labelled_vi(
    app, db, tree, login_as, tmp_path, monkeypatch
):
    from tests.test_language_labels import _sign_in_tay

    _content()
    public = tmp_path / "public.json"
    public.write_text(json.dumps([{"msgid": "Sign in"}]))
    monkeypatch.setattr(queries, "PUBLIC_STRINGS", public)
    clear_caches()
    _sign_in_tay(app.test_client, login_as, tree)  # every public string is Tày now
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    html = reader.get("/campaign").get_data(as_text=True)
    assert '<html lang="tyz">' in html
    assert '<span lang="vi">Hội Nông dân</span>' in html
    assert '<span lang="vi">Phát triển kinh tế</span>' in html


# The translator's kit


def _filled_kit(client, changes: dict[str, tuple[str, str | None, str]]) -> io.BytesIO:
    """Download the public strings' kit and fill it: key → (translation, Vietnamese to write
    instead of the exported one or None, machine mark)."""
    response = client.get("/translations/tyz/kit/export?set=public&format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('kit-tyz.xlsx"') or (
        "kit-tyz.xlsx" in response.headers["Content-Disposition"]
    )
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[2] == "Tiếng Việt" and header[4] == "Tiếng Tày"
    keys = {}
    for row in sheet.iter_rows(min_row=2):
        keys[row[0].value] = row
        assert not row[4].value  # nothing translated yet: an empty column to fill
    for key, (text, vi, machine) in changes.items():
        row = keys[key]
        row[4].value = text
        if vi is not None:
            row[2].value = vi
        row[5].value = machine
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_the_xlsx_kit_imports_exactly_the_filled_cells_and_reports_what_it_skipped(
    app, db, tree, login_as
):
    translator, user = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    good, machine = message_key("Commendations %(year)s"), message_key("Actions")
    broken, moved = message_key("%(num)d model"), message_key("All guidance and documents")
    filled = _filled_kit(
        translator,
        {
            f"ui:{good}": ("[tyz] Khen %(year)s", None, ""),
            f"ui:{machine}": ("[tyz] Việc làm", None, "x"),
            f"ui:{broken}": ("[tyz] mô hình", None, ""),  # the placeholder dropped
            f"ui:{moved}": ("[tyz] Tất cả", "Một văn bản cũ", ""),  # made from older Vietnamese
        },
    )
    response = _send_kit(translator, filled, "kit-tyz.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    rows = {r.key: r for r in db.session.scalars(sa.select(InterfaceTranslation))}
    assert set(rows) == {good, machine}  # exactly the filled cells that hold
    assert rows[good].strings == ["[tyz] Khen %(year)s"] and rows[good].state == ReviewState.REVIEW
    assert rows[good].translated_by_id == user.id and not rows[good].is_machine_drafted
    assert rows[machine].is_machine_drafted and rows[machine].approved_strings is None
    assert "%(num)d" in html and "giữ nguyên" in html  # the placeholder: said, with the message
    assert "Bản tiếng Việt đã thay đổi" in html
    # Machine-drafted text is served to nobody until a reviewer approves it.
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    assert "[tyz] Việc làm" not in reader.get("/").get_data(as_text=True)


def test_an_upload_that_is_not_a_kit_is_refused_with_a_message(db, tree, login_as):
    translator, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    response = _send_kit(translator, io.BytesIO(b"%PDF-1.4"), "kit-tyz.xlsx")
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(InterfaceTranslation.id))) == 0


def test_the_po_kit_round_trip_and_the_pages_as_word(db, tree, login_as):
    from babel.messages.pofile import read_po, write_po

    _content()
    translator, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    response = translator.get("/translations/tyz/kit/export?set=public&set=words&format=po")
    assert response.status_code == 200
    catalog = read_po(io.BytesIO(response.data))
    content = _content()
    catalog.get(
        "Phát triển kinh tế", context=f"word:contents.short:{content.id}"
    ).string = "[tyz] Pác kinh tế"
    out = io.BytesIO()
    write_po(out, catalog)
    out.seek(0)
    imported = _send_kit(translator, out, "kit-tyz.po")
    assert imported.status_code == 200
    word = db.session.scalar(sa.select(WordTranslation))
    assert (word.kind, word.text, word.state) == ("contents.short", "[tyz] Pác kinh tế", "review")
    nothing = translator.get("/translations/tyz/kit/export?format=docx")
    assert nothing.status_code == 422  # no page chosen: said on the kit's page


def _send_kit(client, file, name: str):
    return client.post(
        "/translations/tyz/kit", data={"file": (file, name)}, content_type="multipart/form-data"
    )


def _filled_docx(data: bytes, fill) -> io.BytesIO:
    """The exported Word kit with the translation column filled by `fill(vietnamese)`."""
    from docx import Document

    document = Document(io.BytesIO(data))
    for table in document.tables:
        for row in table.rows[1:]:
            row.cells[1].text = fill(row.cells[0].text)
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


def test_the_word_kit_imports_pages_as_translations_for_review_and_skips_outdated_ones(
    db, tree, login_as
):
    from tests.test_attachments import make_page
    from tests.test_page_translations import change_original
    from webapp.pages.models import PageTranslation

    first = make_page(tree.province)
    second = make_page(tree.province, title="Hướng dẫn báo cáo")
    translator, user = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    exported = translator.get(
        f"/translations/tyz/kit/export?format=docx&page={first.id}&page={second.id}"
    )
    assert exported.status_code == 200
    # The second page's Vietnamese changes after the export: its translation is skipped.
    change_original(db, second, "Nội dung mới.")
    filled = _filled_docx(exported.data, lambda vi: f"[tyz-test] {vi}")
    response = _send_kit(translator, filled, "kit-tyz.docx")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "[tyz-test] Hướng dẫn đăng ký" in html  # reported as arrived
    assert "Trang tiếng Việt đã thay đổi sau khi xuất" in html  # the second, skipped
    rows = db.session.scalars(sa.select(PageTranslation)).all()
    assert [(t.page_id, t.title, t.state, t.translated_by_id) for t in rows] == [
        (first.id, "[tyz-test] Hướng dẫn đăng ký", "review", user.id)
    ]
    assert rows[0].body == "[tyz-test] …"
    # A Word file that is not the kit is refused with a message, nothing saved.
    response = _send_kit(translator, io.BytesIO(b"not a docx"), "x.docx")
    assert response.status_code == 422
    assert "không phải tài liệu Word (.docx)" in response.get_data(as_text=True)


def _upload_for_content(client, content, data: bytes, name: str):
    return client.post(
        f"/translations/tyz/words/contents.short/{content.id}/recordings",
        data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
    )  # fmt: skip


def test_a_content_carries_a_recording_reviewed_and_played_on_the_campaign_page(
    app, db, tree, login_as
):
    from tests.test_page_translations import MP3
    from webapp.pages.models import Recording

    content = _content()
    translator, user = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    # Not audio: refused with a message, nothing stored.
    refused = _upload_for_content(translator, content, b"%PDF-1.4\n" + bytes(2000), "x.mp3")
    assert refused.status_code == 303
    page = translator.get(refused.headers["Location"]).get_data(as_text=True)
    assert "MP3, Ogg hoặc M4A" in page
    assert db.session.scalar(sa.select(sa.func.count(Recording.id))) == 0
    assert _upload_for_content(translator, content, MP3, "doc.mp3").status_code == 303
    recording = db.session.scalar(sa.select(Recording))
    subject = (recording.content_id, recording.page_id, recording.state)
    assert subject == (content.id, None, "review")
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    assert "<audio" not in reader.get("/campaign").get_data(as_text=True)
    assert reader.get(f"/recordings/{recording.id}").status_code in (302, 303)  # not yet heard
    # The translator does not approve their own; a Nùng reviewer may not; a Tày reviewer does.
    url = f"/recordings/{recording.id}/approve"
    assert translator.post(url, data={"version": "1"}).status_code == 403
    nung, _ = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="nut")
    assert nung.post(url, data={"version": "1"}).status_code == 403
    reviewer, reviewer_user = login_as(Role.TRANSLATION_REVIEWER, tree.province, language="tyz")
    screen = reviewer.get(_word_url(content)).get_data(as_text=True)
    assert 'preload="none"' in screen and url in screen
    assert reviewer.post(url, data={"version": "1"}).status_code == 303
    db.session.expire_all()
    recording = db.session.get(Recording, recording.id)
    assert (recording.state, recording.approved_by_id) == ("approved", reviewer_user.id)
    html = reader.get("/campaign").get_data(as_text=True)
    audio = f'<audio controls preload="none" src="/recordings/{recording.id}">'
    assert audio in html
    caption = html.split(audio)[1].split("</figcaption>")[0]
    assert "phút" in caption and "KB" in caption  # its duration and size
    played = reader.get(f"/recordings/{recording.id}")
    assert played.status_code == 200 and played.mimetype == "audio/mpeg"
    played.close()
    assert "public" in played.headers["Cache-Control"]
    assert recording.translated_by_id == user.id
