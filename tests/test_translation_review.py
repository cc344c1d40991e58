"""The translators' tools around review: the glossary a language's reviewers keep, shown to
translators beside the strings; the campaign's own words translated and reviewed; the
translator's kit (XLSX, DOCX, PO) exported and imported back as drafts."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.i18n.models import GlossaryTerm

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
