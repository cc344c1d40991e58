"""A language's glossary (term base): campaign terms in Vietnamese and how the language says
them, kept by the language's reviewers and shown to translators beside the strings they
translate, so one term is translated one way everywhere."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from webapp import policy
from webapp.audit.services import record
from webapp.extensions import db
from webapp.forms import Refused
from webapp.i18n.languages import Language
from webapp.i18n.models import GlossaryTerm
from webapp.policy import Action
from webapp.text import clean, fold


class GlossaryError(Refused, ValueError):
    """A term that cannot be kept; the message says why."""


def terms(code: str) -> list[GlossaryTerm]:
    rows = db.session.scalars(sa.select(GlossaryTerm).where(GlossaryTerm.language == code))
    return sorted(rows, key=lambda t: fold(t.term_vi))


def terms_in(code: str, texts: list[str]) -> list[GlossaryTerm]:
    """The terms whose Vietnamese appears in these texts (case and marks folded alike)."""
    haystack = fold(" ".join(texts))
    return [t for t in terms(code) if fold(t.term_vi) in haystack]


def save_term(actor, language: Language, term_vi: str, term: str, note: str = "") -> GlossaryTerm:
    """Add the term, or change how the language says it (one entry per Vietnamese term)."""
    policy.ensure(actor, Action.GLOSSARY_EDIT, language)
    term_vi, term, note = clean(term_vi) or "", clean(term) or "", clean(note) or ""
    if not term_vi or not term:
        raise GlossaryError(_l("Fill in the Vietnamese term and its translation."))
    row = db.session.scalar(
        sa.select(GlossaryTerm).where(
            GlossaryTerm.language == language.code, GlossaryTerm.term_vi == term_vi
        )
    )
    if row is None:
        row = GlossaryTerm(language=language.code, term_vi=term_vi)
        db.session.add(row)
    row.term, row.note, row.updated_by_id = term[:200], note[:500] or None, actor.id
    db.session.flush()
    record(actor, "glossary.saved", row, unit_id=None, language=language.code, term=term_vi)
    return row


def delete_term(actor, language: Language, row: GlossaryTerm) -> None:
    policy.ensure(actor, Action.GLOSSARY_EDIT, language)
    record(actor, "glossary.deleted", row, unit_id=None, language=language.code, term=row.term_vi)
    db.session.delete(row)
    db.session.flush()
