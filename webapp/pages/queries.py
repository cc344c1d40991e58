"""Finding pages: by their address, the published tree, the latest guidance, an editor's pages,
a translator's worklist and how far each language's translations have come."""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from webapp import policy
from webapp.extensions import db
from webapp.i18n.languages import Language, all_languages
from webapp.i18n.models import ReviewState
from webapp.pages.models import (
    ORIGINAL_LANGUAGE,
    Page,
    PageKind,
    PageState,
    PageTranslation,
    Recording,
    TranslationState,
)
from webapp.policy import Action

_SLUG = re.compile(r"^[a-z0-9-]{1,120}$")
# How deep the public check looks above a page; the tree is sections → pages → subpages.
PUBLIC_DEPTH = 6


@cache
def public_clause(depth: int = PUBLIC_DEPTH):
    """SQL: the page is published and so is every page above it (an unpublished section hides
    what is in it). Built once: composing the nested EXISTS takes SQLAlchemy about 60 ms."""
    levels = [Page] + [aliased(Page) for _ in range(depth)]
    clause = sa.true()
    for child, parent in reversed(list(pairwise(levels))):
        clause = sa.or_(
            child.parent_id.is_(None),
            sa.exists().where(
                parent.id == child.parent_id, parent.state == PageState.PUBLISHED, clause
            ),
        )
    return sa.and_(Page.state == PageState.PUBLISHED, clause)


def is_public(page: Page) -> bool:
    return all(p.state == PageState.PUBLISHED for p in page.ancestors())


def resolve(path: str) -> Page | None:
    """The page at a slug path such as "ke-hoach/ke-hoach-129"."""
    page = None
    slugs = [s for s in path.strip("/").split("/") if s]
    if not slugs or not all(_SLUG.match(s) for s in slugs):
        return None
    for slug in slugs:
        parent = Page.parent_id.is_(None) if page is None else Page.parent_id == page.id
        page = db.session.scalar(sa.select(Page).where(parent, Page.slug == slug))
        if page is None:
            return None
    return page


def published_children(page: Page | None) -> list[Page]:
    parent = Page.parent_id.is_(None) if page is None else Page.parent_id == page.id
    return list(
        db.session.scalars(
            sa.select(Page)
            .where(parent, Page.state == PageState.PUBLISHED)
            .options(selectinload(Page.current))
            .order_by(Page.sort_order, Page.id)
        )
    )


def latest(limit: int = 5) -> list[Page]:
    """The newest published guidance, plans, forms and news (not sections)."""
    return list(
        db.session.scalars(
            sa.select(Page)
            .where(public_clause(), Page.kind != PageKind.SECTION)
            .options(selectinload(Page.current))
            .order_by(Page.published_at.desc(), Page.id.desc())
            .limit(limit)
        )
    )


def editable_by(user) -> list[Page]:
    """The pages the user may edit or publish, by section."""
    return list(
        db.session.scalars(
            policy.visible(user, Action.PAGE_PUBLISH, sa.select(Page))
            .options(selectinload(Page.current))
            .order_by(Page.parent_id.nullsfirst(), Page.sort_order, Page.id)
        )
    )


def _translations(pages: list[Page], language: str) -> dict[int, PageTranslation]:
    ids = [p.id for p in pages]
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(PageTranslation)
        .where(PageTranslation.page_id.in_(ids), PageTranslation.language == language)
        .options(selectinload(PageTranslation.source))
    )
    return {t.page_id: t for t in rows}


def translation_worklist(user, language: str) -> list[tuple[Page, PageTranslation | None]]:
    """The pages of the user's scope whose translation into `language` is missing, outdated or
    not yet published, or whose recording waits for review, published pages first, in the
    order of the tree."""
    pages = list(
        db.session.scalars(
            policy.visible(user, Action.PAGE_TRANSLATE, sa.select(Page), language)
            .where(Page.state != PageState.ARCHIVED, Page.current_revision_id.is_not(None))
            .options(selectinload(Page.current))
            .order_by(Page.parent_id.nullsfirst(), Page.sort_order, Page.id)
        )
    )
    done = _translations(pages, language)
    # A recording waiting for review brings its page here too: its reviewer decides it in the
    # page's translation editor.
    heard = (
        set(
            db.session.scalars(
                sa.select(Recording.page_id).where(
                    Recording.language == language,
                    Recording.state == ReviewState.REVIEW,
                    Recording.page_id.in_([p.id for p in pages]),
                )
            )
        )
        if pages
        else set()
    )
    rows = [
        (page, done.get(page.id))
        for page in pages
        if page.id not in done
        or done[page.id].outdated
        or done[page.id].state != TranslationState.PUBLISHED
        or page.id in heard
    ]
    return sorted(rows, key=lambda row: row[0].state != PageState.PUBLISHED)


def translation_status(language: str) -> dict[str, int]:
    """For the published pages everyone reads: how many there are, how many have a published
    translation into `language`, and how many of those are not outdated."""
    return translation_statuses([language])[language]


def translation_statuses(languages: list[str]) -> dict[str, dict[str, int]]:
    """`translation_status` for several languages, reading the pages and translations once."""
    pages = list(
        db.session.scalars(
            sa.select(Page).where(public_clause()).options(selectinload(Page.current))
        )
    )
    published: dict[str, list[PageTranslation]] = {code: [] for code in languages}
    if pages and languages:
        for translation in db.session.scalars(
            sa.select(PageTranslation)
            .where(
                PageTranslation.page_id.in_([p.id for p in pages]),
                PageTranslation.language.in_(languages),
                PageTranslation.state == TranslationState.PUBLISHED,
            )
            .options(selectinload(PageTranslation.source))
        ):
            published[translation.language].append(translation)
    return {
        code: {
            "published": len(pages),
            "translated": len(done),
            "up_to_date": sum(1 for t in done if not t.outdated),
        }
        for code, done in published.items()
    }


def translation_languages() -> list[Language]:
    """The configured languages a page may be translated into (all but the original's)."""
    known = all_languages()
    return [
        known[code]
        for code in current_app.config["LANGUAGES"]
        if code in known and code != ORIGINAL_LANGUAGE
    ]


def awaiting_review(user, language: str) -> tuple[int, int]:
    """Page translations and recordings in `language` sent for review by someone else, on the
    published pages of the user's scope (a reviewer's scope for translating is the one they
    approve in; TRANSLATION_APPROVE's checks are per object)."""
    others = [Page.state == PageState.PUBLISHED]
    counts = []
    for model, waiting in (
        (PageTranslation, PageTranslation.state == TranslationState.REVIEW),
        (Recording, Recording.state == ReviewState.REVIEW),
    ):
        stmt = (
            sa.select(sa.func.count(model.id))
            .join(Page, Page.id == model.page_id)
            .where(
                *others,
                waiting,
                model.language == language,
                sa.or_(model.translated_by_id.is_(None), model.translated_by_id != user.id),
            )
        )
        counts.append(
            db.session.scalar(policy.visible(user, Action.PAGE_TRANSLATE, stmt, language))
        )
    return counts[0], counts[1]


def content_recordings_awaiting_review(language: str, reviewer_id: int) -> list[int]:
    """The contents whose recording in `language` waits for review by someone other than this
    reviewer (contents are the province's: a reviewer of the language reviews them all)."""
    return list(
        db.session.scalars(
            sa.select(Recording.content_id)
            .where(
                Recording.content_id.is_not(None),
                Recording.language == language,
                Recording.state == ReviewState.REVIEW,
                sa.or_(
                    Recording.translated_by_id.is_(None), Recording.translated_by_id != reviewer_id
                ),
            )
            .order_by(Recording.content_id)
        )
    )
