"""Changes to page translations; callers commit.

A translation is written beside the Vietnamese original and records the original's revision it
was made from (the one the translator had in front of them, not whatever is current when they
save), so a later change of the original marks it outdated. Its HTML is rendered and sanitized
once, by the pages' renderer; translations carry a version, so a stale save is refused.

Readers see a translation only once a reviewer of its language, another person than its
translator, approved it: a save makes it a draft again (readers see the Vietnamese page until the
change is approved), the translator sends it for review, the reviewer approves (publishes) it or
sends it back with a reason.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import check_version
from webapp.db import utcnow
from webapp.extensions import db
from webapp.i18n.services import OWN_WORK
from webapp.pages.models import (
    ORIGINAL_LANGUAGE,
    Page,
    PageTranslation,
    Revision,
    TranslationState,
)
from webapp.pages.services import DiffLine, PageError, PageValues, diff, plain_text, render
from webapp.policy import Action
from webapp.text import fold


def translation_for(page: Page, language: str) -> PageTranslation:
    """The page's translation into `language`, or a new one not yet saved (and not added to
    the session): the policy judges both alike."""
    found = db.session.scalar(
        sa.select(PageTranslation).where(
            PageTranslation.page_id == page.id, PageTranslation.language == language
        )
    )
    return found or PageTranslation(page=page, page_id=page.id, language=language, version=0)


def published_translations(pages: list[Page], language: str) -> dict[int, PageTranslation]:
    """Page id → its published translation into `language`, for those pages that have one."""
    ids = [p.id for p in pages]
    if language == ORIGINAL_LANGUAGE or not ids:
        return {}
    return {
        t.page_id: t
        for t in db.session.scalars(
            sa.select(PageTranslation).where(
                PageTranslation.page_id.in_(ids),
                PageTranslation.language == language,
                PageTranslation.state == TranslationState.PUBLISHED,
            )
        )
    }


def _source(page: Page, revision_id: int | None) -> Revision:
    """The original's revision the translator worked from: one of this page's."""
    revision = db.session.get(Revision, revision_id) if revision_id else None
    if revision is None or revision.page_id != page.id or revision.language != ORIGINAL_LANGUAGE:
        raise PageError(_("The original this translation was made from is unknown; reload."))
    return revision


def save_translation(
    actor,
    translation: PageTranslation,
    version: int,
    values: PageValues,
    *,
    source_revision_id: int | None,
    submit: bool = False,
) -> PageTranslation:
    """Write the translation (made from the original's revision `source_revision_id`), unless
    someone saved it meanwhile, as a draft, or sent for review when `submit`. A new translation
    is saved with version 0."""
    check_version(translation, version)
    policy.ensure(actor, Action.PAGE_TRANSLATE, translation)
    source = _source(translation.page, source_revision_id)
    unchanged = translation.id is not None and (
        translation.title,
        translation.summary,
        translation.body,
        translation.source_revision_id,
    ) == (values.title, values.summary or None, values.body or "", source.id)
    if unchanged:
        if submit and translation.state == TranslationState.DRAFT:
            return submit_translation(actor, translation, translation.version)
        return translation
    if translation.id is None:
        db.session.add(translation)
    translation.title = values.title
    translation.summary = values.summary or None
    translation.body = values.body or ""
    translation.body_html = render(translation.body)
    translation.search_title = fold(values.title)
    translation.search_body = fold(plain_text(translation.body_html))
    translation.source = source
    translation.translated_by_id = getattr(actor, "id", None)
    translation.updated_at = utcnow()
    # A changed text is nobody's word until reviewed: readers see the Vietnamese meanwhile.
    translation.state = TranslationState.REVIEW if submit else TranslationState.DRAFT
    translation.review_note = None
    db.session.flush()
    record(
        actor,
        "translation.saved",
        translation.page,
        unit_id=translation.page.unit_id,
        language=translation.language,
        source_revision=source.number,
    )
    return translation


def _record_state(actor, translation: PageTranslation, **details) -> None:
    record(
        actor,
        f"translation.{translation.state}",
        translation.page,
        unit_id=translation.page.unit_id,
        language=translation.language,
        **details,
    )


def submit_translation(actor, translation: PageTranslation, version: int) -> PageTranslation:
    """Send a draft for review by a reviewer of its language."""
    check_version(translation, version)
    policy.ensure(actor, Action.PAGE_TRANSLATE, translation)
    if translation.state != TranslationState.DRAFT:
        return translation
    translation.state = TranslationState.REVIEW
    translation.review_note = None
    db.session.flush()
    _record_state(actor, translation)
    return translation


def _reviewable(actor, translation: PageTranslation, version: int) -> None:
    check_version(translation, version)
    if translation.translated_by_id is not None and translation.translated_by_id == getattr(
        actor, "id", None
    ):
        raise PageError(str(OWN_WORK))
    policy.ensure(actor, Action.TRANSLATION_APPROVE, translation)


def approve_translation(actor, translation: PageTranslation, version: int) -> PageTranslation:
    """Publish a translation sent for review: by a reviewer of its language who did not write
    it (PageError says so to the translator)."""
    _reviewable(actor, translation, version)
    translation.state = TranslationState.PUBLISHED
    translation.published_at = utcnow()
    translation.approved_by_id = actor.id
    translation.review_note = None
    db.session.flush()
    _record_state(actor, translation)
    return translation


def return_translation(
    actor, translation: PageTranslation, version: int, note: str
) -> PageTranslation:
    """Send a translation back to its translator as a draft, with the reviewer's reason."""
    _reviewable(actor, translation, version)
    note = (note or "").strip()
    if not note:
        raise PageError(_("Say what the translator should change."))
    translation.state = TranslationState.DRAFT
    translation.review_note = note[:500]
    db.session.flush()
    _record_state(actor, translation, note=translation.review_note)
    return translation


def withdraw_translation(actor, translation: PageTranslation, version: int) -> PageTranslation:
    """Take a published translation back to draft: readers see the Vietnamese page."""
    check_version(translation, version)
    policy.ensure(actor, Action.TRANSLATION_PUBLISH, translation)
    if translation.state != TranslationState.PUBLISHED:
        return translation
    translation.state = TranslationState.DRAFT
    db.session.flush()
    _record_state(actor, translation)
    return translation


def original_changes(translation: PageTranslation) -> list[DiffLine]:
    """How the original changed since the revision the translation was made from."""
    source, current = translation.source, translation.page.current
    if not translation.outdated or source is None or current is None:
        return []
    return diff(source, current)
