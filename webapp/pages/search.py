"""Search over published pages in every language (the Vietnamese original and published
translations) and the titles of their attachments, and the highlighted titles and snippets
shown for each result, in the language that matched.

Matching is a plain `LIKE '%word%'` on folded copies of the text (`Page.search_title`,
`Page.search_body`, `PageTranslation.search_title`, `PageTranslation.search_body`,
`Attachment.search_title`, written with `webapp.text.fold`), with the query folded by the same
function; every word must occur. Why
not FTS5 on SQLite and `tsvector` on PostgreSQL:

- Folding has to include đ→d ("dong" must find "Đồng"). SQLite's unicode61 tokenizer never
  folds đ and PostgreSQL's `simple` configuration does not unaccent, so the folding happens in
  Python either way, and then LIKE on the folded columns is all the database has to do.
- Results and their order must be identical on both databases. bm25() and ts_rank() score
  differently and tokenise differently; a LIKE predicate and a CASE over the same predicates
  (all words in the title, some word in the title, elsewhere), then newest published first,
  give the same rows in the same order on both.
- Substrings work while typing: "nong th" already finds "nông thôn".
- Cost: measured over 200 published pages of about 1,900 characters each (passages of the
  Bắc Kạn plan), the LIKE scan with its count takes 0.3–0.5 ms on SQLite and 1.3–2 ms on
  PostgreSQL 15; a whole search with 20 highlighted results 8–12 ms and 10–17 ms. If the site
  ever holds tens of thousands of pages, a pg_trgm GIN index on PostgreSQL and an FTS5 trigram
  table on SQLite serve the same `LIKE '%…%'` without changing the results.

Snippets come from the original (accented) text (`webapp.text.excerpt`): it is folded character
by character while remembering where each folded character came from, so a match found in the
folded text marks the right span of the original. Everything but the `<mark>` elements is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import nh3
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.pages.models import (
    ORIGINAL_LANGUAGE,
    Attachment,
    Page,
    PageKind,
    PageTranslation,
    TranslationState,
)
from webapp.pages.queries import public_clause

# The folding, the words and the marking live in webapp.text, shared with the published answers
# to opinions; the search page and tests still reach them through here.
from webapp.text import (  # noqa: F401
    MAX_QUERY,
    clean_query,
    excerpt,
    fold_map,
    highlight,
    query_words,
)


@dataclass(frozen=True)
class Hit:
    page: Page
    title: Markup
    snippet: Markup
    attachments: tuple[tuple[Attachment, Markup], ...] = ()
    language: str = ORIGINAL_LANGUAGE  # of the title and snippet shown


@dataclass(frozen=True)
class SearchResults:
    query: str
    words: tuple[str, ...]
    hits: list[Hit]
    total: int
    limit: int
    offset: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total


def _contains(column, word: str):
    # autoescape: a typed "%" or "_" matches itself, not anything.
    return column.contains(word, autoescape=True)


def _in_attachment(word: str):
    return (
        sa.select(Attachment.id)
        .where(Attachment.page_id == Page.id, _contains(Attachment.search_title, word))
        .exists()
    )


def _in_translation(*conditions):
    """Some published translation of the page meets all the conditions."""
    return (
        sa.select(PageTranslation.id)
        .where(
            PageTranslation.page_id == Page.id,
            PageTranslation.state == TranslationState.PUBLISHED,
            *conditions,
        )
        .exists()
    )


def search(
    query: str, *, limit: int = 20, offset: int = 0, language: str = ORIGINAL_LANGUAGE
) -> SearchResults:
    """Published pages in which every word of the query occurs (in the title, the text, an
    attachment's title or a published translation): all words in a title first, then some
    word in a title, then the rest; sections after other pages of the same rank; newest
    published first. Each hit is shown in the language that matched, the reader's
    `language` first."""
    words = query_words(query)
    if not words:
        return SearchResults(query, words, [], 0, limit, offset)
    matches = [
        sa.or_(
            _contains(Page.search_title, word),
            _contains(Page.search_body, word),
            _in_attachment(word),
            _in_translation(
                sa.or_(
                    _contains(PageTranslation.search_title, word),
                    _contains(PageTranslation.search_body, word),
                )
            ),
        )
        for word in words
    ]
    in_title = [_contains(Page.search_title, word) for word in words]
    in_a_title = [
        sa.or_(title, _in_translation(_contains(PageTranslation.search_title, word)))
        for title, word in zip(in_title, words, strict=True)
    ]
    all_in_a_title = sa.or_(
        sa.and_(*in_title),
        _in_translation(*[_contains(PageTranslation.search_title, word) for word in words]),
    )
    rank = sa.case((all_in_a_title, 0), (sa.or_(*in_a_title), 1), else_=2)
    section_last = sa.case((Page.kind == PageKind.SECTION, 1), else_=0)
    found = sa.select(Page).where(public_clause(), *matches)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(found.subquery()))
    pages = list(
        db.session.scalars(
            found.options(selectinload(Page.current))
            .order_by(rank, section_last, Page.published_at.desc().nulls_last(), Page.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    attachments = _matching_attachments(pages, words)
    translations = _translations(pages)
    hits = []
    for page in pages:
        shown = _best_match(page, translations.get(page.id, []), words, language)
        text = shown if isinstance(shown, PageTranslation) else page.current
        hits.append(
            Hit(
                page=page,
                title=highlight(shown.title, words),
                snippet=_snippet(text, shown.search_body, words),
                attachments=tuple(
                    (a, highlight(a.title, words)) for a in attachments.get(page.id, [])
                ),
                language=getattr(shown, "language", ORIGINAL_LANGUAGE),
            )
        )
    return SearchResults(query, words, hits, total or 0, limit, offset)


def _translations(pages: list[Page]) -> dict[int, list[PageTranslation]]:
    if not pages:
        return {}
    rows = db.session.scalars(
        sa.select(PageTranslation)
        .where(
            PageTranslation.page_id.in_([p.id for p in pages]),
            PageTranslation.state == TranslationState.PUBLISHED,
        )
        .order_by(PageTranslation.language)
    )
    by_page: dict[int, list[PageTranslation]] = {}
    for translation in rows:
        by_page.setdefault(translation.page_id, []).append(translation)
    return by_page


def _best_match(
    page: Page, translations: list[PageTranslation], words: tuple[str, ...], language: str
) -> Page | PageTranslation:
    """The version of the page to show: the first, of the reader's language, the original and
    the other translations, with every word in its title or text; else the first with a word
    in its title; else the one in the reader's language."""
    candidates: list[Page | PageTranslation] = sorted(
        [page, *translations],
        key=lambda c: (getattr(c, "language", ORIGINAL_LANGUAGE) != language, c is not page),
    )
    for test in (all, any):
        for candidate in candidates:
            text = f"{candidate.search_title} {candidate.search_body}"
            if test(word in text for word in words) and (
                test is all or any(word in candidate.search_title for word in words)
            ):
                return candidate
    return candidates[0]


def _matching_attachments(pages: list[Page], words: tuple[str, ...]) -> dict[int, list]:
    if not pages:
        return {}
    rows = db.session.scalars(
        sa.select(Attachment)
        .where(
            Attachment.page_id.in_([p.id for p in pages]),
            sa.or_(*[_contains(Attachment.search_title, word) for word in words]),
        )
        .order_by(Attachment.id)
    )
    by_page: dict[int, list[Attachment]] = {}
    for attachment in rows:
        by_page.setdefault(attachment.page_id, []).append(attachment)
    return by_page


def _plain_text(body_html: str) -> str:
    return html.unescape(nh3.clean(body_html or "", tags=set()))


def _snippet(text, search_body: str, words: tuple[str, ...]) -> Markup:
    """Around the first match in the text (a revision or a translation); for a match in the
    title only, the summary (or the start of the text)."""
    if text is None:
        return Markup("")
    in_body = any(word in search_body for word in words)
    if text.summary and not in_body:
        return excerpt(text.summary, words)
    return excerpt(_plain_text(text.body_html), words)
