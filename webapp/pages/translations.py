"""Changes to page translations; callers commit.

A translation is written beside the Vietnamese original and records the original's revision it
was made from (the one the translator had in front of them, not whatever is current when they
save), so a later change of the original marks it outdated. Its HTML is rendered and sanitized
once, by the pages' renderer; translations carry a version, so a stale save is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import check_version
from webapp.db import utcnow
from webapp.extensions import db
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
) -> PageTranslation:
    """Write the translation (made from the original's revision `source_revision_id`), unless
    someone saved it meanwhile. A new translation is saved with version 0."""
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


def set_translation_state(
    actor, translation: PageTranslation, version: int, state: TranslationState
) -> PageTranslation:
    check_version(translation, version)
    policy.ensure(actor, Action.TRANSLATION_PUBLISH, translation)
    if translation.state == state:
        return translation
    translation.state = state
    if state == TranslationState.PUBLISHED:
        translation.published_at = utcnow()
    db.session.flush()
    record(
        actor,
        f"translation.{state}",
        translation.page,
        unit_id=translation.page.unit_id,
        language=translation.language,
    )
    return translation


def original_changes(translation: PageTranslation) -> list[DiffLine]:
    """How the original changed since the revision the translation was made from."""
    source, current = translation.source, translation.page.current
    if not translation.outdated or source is None or current is None:
        return []
    return diff(source, current)
