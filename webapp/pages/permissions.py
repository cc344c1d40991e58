"""Rules for guidance pages, their attachments and their translations. Pages are published by
publishers (a province admin may publish too); translators write their own language's
translations and send them for review, a reviewer of the language approves (publishes) them,
while the page itself stays the publishers' to publish."""

from __future__ import annotations

from typing import Any

from webapp.auth.permissions import LANGUAGE_REVIEWERS, PUBLISHERS, TRANSLATORS, not_own_work
from webapp.pages.models import (
    ORIGINAL_LANGUAGE,
    Page,
    PageState,
    PageTranslation,
    TranslationState,
)
from webapp.policy import Action, Audience, Rule, can


def _page_unit(page: Page):
    return page.unit


def _not_archived(user: Any, page: Page) -> bool:
    return page.state != PageState.ARCHIVED


def _page_readable(user: Any, page: Page) -> bool:
    """Published pages under published sections are public; the rest only for publishers."""
    public = all(p.state == PageState.PUBLISHED for p in page.ancestors())
    return public or can(user, Action.PAGE_PUBLISH, page)


def _page_unit_column():
    return Page.unit_id


def _translation_unit(translation: PageTranslation):
    return translation.page.unit


def _translation_language(translation: PageTranslation) -> str:
    return translation.language


def _not_the_original(user: Any, translation: PageTranslation) -> bool:
    return translation.language != ORIGINAL_LANGUAGE


def _page_not_archived(user: Any, translation: PageTranslation) -> bool:
    return translation.page.state != PageState.ARCHIVED


def _not_own_translation(user: Any, translation: PageTranslation) -> bool:
    return _not_the_original(user, translation) and not_own_work(user, translation)


def _sent_for_review(user: Any, translation: PageTranslation) -> bool:
    """Translations sent for review of published pages: a draft page is read in no language."""
    return translation.state == TranslationState.REVIEW and _page_published(user, translation)


def _page_published(user: Any, translation: PageTranslation) -> bool:
    """Translations of published pages only: a draft page is not read in any language."""
    return translation.page.state == PageState.PUBLISHED


RULES: dict[Action, Rule] = {
    Action.PAGE_VIEW: Rule(Audience.PUBLIC, check=_page_readable),
    Action.PAGE_EDIT: Rule(
        Audience.ROLES,
        PUBLISHERS,
        _page_unit,
        state=_not_archived,
        unit_column=_page_unit_column,
    ),
    Action.PAGE_PUBLISH: Rule(
        Audience.ROLES, PUBLISHERS, _page_unit, unit_column=_page_unit_column
    ),
    Action.ATTACHMENT_UPLOAD: Rule(Audience.ROLES, PUBLISHERS, _page_unit, state=_not_archived),
    Action.PAGE_TRANSLATE: Rule(
        Audience.ROLES,
        TRANSLATORS,
        _translation_unit,
        language_of=_translation_language,
        check=_not_the_original,
        state=_page_not_archived,
        unit_column=_page_unit_column,
    ),
    Action.TRANSLATION_PUBLISH: Rule(
        Audience.ROLES,
        TRANSLATORS,
        _translation_unit,
        language_of=_translation_language,
        check=_not_the_original,
        state=_page_published,
    ),
    # Approving publishes: a reviewer of the language, not the one who translated it.
    Action.TRANSLATION_APPROVE: Rule(
        Audience.ROLES,
        LANGUAGE_REVIEWERS,
        _translation_unit,
        language_of=_translation_language,
        check=_not_own_translation,
        state=_sent_for_review,
    ),
}
