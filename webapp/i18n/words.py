"""The campaign's own words in every language: the texts of catalogue rows (contents,
organizations, model types, report figures: any model that is `Localized`) translated like
interface strings — a draft, sent for review, approved by another person, and only then
served; outdated when the Vietnamese changes after approval.

A catalogue is found, not registered: every `Localized` model, and in it each text that has a
Vietnamese and an English column (`name_vi`/`name_en`). A text is named by its kind,
"<table>.<field>", and its row's id, so a future catalogue needs no new table.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import StaleVersion
from webapp.db import utcnow
from webapp.extensions import db
from webapp.i18n.content import Localized
from webapp.i18n.languages import Language
from webapp.i18n.models import ReviewState, WordTranslation
from webapp.i18n.queries import MessageState
from webapp.i18n.services import MAX_LENGTH, TranslationError, bump, reviewable
from webapp.policy import Action
from webapp.text import clean, fold


def catalogues() -> list[type]:
    """The Localized models, in a stable order."""
    found: list[type] = []
    todo = list(Localized.__subclasses__())
    while todo:
        cls = todo.pop(0)
        if hasattr(cls, "__table__") and cls not in found:
            found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__tablename__)


def fields(model: type) -> list[str]:
    columns = set(model.__table__.columns.keys())
    return [c[:-3] for c in sorted(columns) if c.endswith("_vi") and f"{c[:-3]}_en" in columns]


@dataclass
class Word:
    """One catalogue text with its Vietnamese and its translation in a language."""

    kind: str
    label: str  # what catalogue and which text, in the reader's language
    row_id: int
    vi: str
    saved: WordTranslation | None

    @property
    def served(self) -> str:
        return (self.saved.approved_text or "") if self.saved is not None else ""

    @property
    def pending(self) -> WordTranslation | None:
        if self.saved is not None and self.saved.state != ReviewState.APPROVED:
            return self.saved
        return None

    @property
    def outdated(self) -> bool:
        """The Vietnamese changed since the served translation was approved."""
        return bool(self.served) and self.saved.approved_source_vi != self.vi

    @property
    def state(self) -> MessageState:
        if self.pending is not None:
            return MessageState(self.pending.state)
        if not self.served:
            return MessageState.UNTRANSLATED
        return MessageState.CHANGED if self.outdated else MessageState.TRANSLATED


def words(code: str) -> list[Word]:
    """Every catalogue text with its translation into `code`."""
    saved = {
        (row.kind, row.row_id): row
        for row in db.session.scalars(
            sa.select(WordTranslation).where(WordTranslation.language == code)
        )
    }
    result = []
    for model in catalogues():
        names = fields(model)
        for obj in db.session.scalars(sa.select(model).order_by(model.id)):
            for field in names:
                vi = getattr(obj, f"{field}_vi") or ""
                if not vi:
                    continue
                kind = f"{model.__tablename__}.{field}"
                label = str(getattr(model, "catalogue_label", model.__tablename__))
                result.append(Word(kind, label, obj.id, vi, saved.get((kind, obj.id))))
    return result


def word(code: str, kind: str, row_id: int) -> Word | None:
    return next((w for w in words(code) if (w.kind, w.row_id) == (kind, row_id)), None)


def save(
    actor, language: Language, item: Word, text: str, *, seen_version: int, submit: bool = False
) -> WordTranslation | None:
    """Save the translator's draft of one catalogue text (sent for review when `submit`)."""
    policy.ensure(actor, Action.INTERFACE_TRANSLATE, language)
    text = clean(text) or ""
    row = item.saved
    if (row.version if row else 0) != seen_version:
        raise StaleVersion(row)
    if not text:
        raise TranslationError(_l("Write the translation, or leave the page."))
    if len(text) > MAX_LENGTH:
        raise TranslationError(
            _l("A translation may be at most %(max)d characters long.", max=MAX_LENGTH)
        )
    if row is None:
        row = WordTranslation(kind=item.kind, row_id=item.row_id, language=language.code)
        db.session.add(row)
    row.text, row.source_vi, row.translated_by_id = text, item.vi, actor.id
    row.state = ReviewState.REVIEW if submit else ReviewState.DRAFT
    row.review_note, row.is_machine_drafted = None, False
    db.session.flush()
    _record(actor, "word.submitted" if submit else "word.saved", row)
    return row


def approve(actor, row: WordTranslation | None, *, seen_version: int) -> WordTranslation:
    reviewable(actor, row, seen_version)
    row.approved_text, row.approved_source_vi = row.text, row.source_vi
    row.approved_by_id, row.approved_at = actor.id, utcnow()
    row.state, row.is_machine_drafted, row.review_note = ReviewState.APPROVED, False, None
    db.session.flush()
    _record(actor, "word.approved", row)
    bump(row.language)  # cached public pages show the word from now on
    return row


def send_back(actor, row: WordTranslation | None, *, seen_version: int, note: str):
    reviewable(actor, row, seen_version)
    note = clean(note) or ""
    if not note:
        raise TranslationError(_l("Say what the translator should change."))
    row.state, row.review_note = ReviewState.DRAFT, note[:500]
    db.session.flush()
    _record(actor, "word.returned", row)
    return row


def _record(actor, action: str, row: WordTranslation) -> None:
    record(actor, action, row, unit_id=None, language=row.language, kind=row.kind)


def matching(items: list[Word], state: str | None, query: str) -> list[Word]:
    words_ = fold(query).split()
    return [
        w
        for w in items
        if (not state or w.state == state)
        and all(x in fold(f"{w.vi} {w.served} {w.label}") for x in words_)
    ]
