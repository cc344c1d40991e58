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

Snippets come from the original (accented) text: it is folded character by character while
remembering where each folded character came from, so a match found in the folded text marks
the right span of the original. Everything but the `<mark>` elements is escaped.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

import nh3
import sqlalchemy as sa
from markupsafe import Markup, escape
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
from webapp.text import fold

MAX_QUERY = 200  # characters; longer queries are cut
MAX_WORDS = 8  # a bound on the size of the SQL, far above what anyone types
SNIPPET = 160  # characters of text shown around the first match
_EDGE_PUNCTUATION = '.,;:!?"“”‘()[]{}«»…'


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


def clean_query(raw: str | None) -> tuple[str, bool]:
    """The query as searched (NFC, single spaces, no control characters, at most MAX_QUERY
    characters) and whether it had to be cut."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cs"} else ch for ch in text)
    text = " ".join(text.split())
    if len(text) <= MAX_QUERY:
        return text, False
    return text[:MAX_QUERY].rstrip(), True


def query_words(query: str) -> tuple[str, ...]:
    """Folded words, each once. One-letter words are dropped when longer ones are present
    ("xa a" searches "xa"); a query of one short word is searched as it is."""
    words: list[str] = []
    for word in fold(query).split():
        word = word.strip(_EDGE_PUNCTUATION)
        if word and word not in words:
            words.append(word)
    longer = [w for w in words if len(w) >= 2]
    return tuple((longer or words)[:MAX_WORDS])


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


# Highlighting


_FOLDED: dict[str, str] = {}  # what each character seen so far folds to


def _fold_char(ch: str) -> str:
    """What one character becomes in fold(): "" (marks, apostrophes), " " (any whitespace),
    or one or more characters ("Đ" → "d", "ß" → "ss")."""
    folded = " " if ch.isspace() else fold(ch)
    if len(_FOLDED) < 20_000:
        _FOLDED[ch] = folded
    return folded


def fold_map(text: str) -> tuple[str, list[int]]:
    """fold(text), and for each of its characters the index in `text` (NFC) of the character
    it came from. A character can fold to nothing, to one character or to several; runs of
    whitespace become one space, as in fold()."""
    out: list[str] = []
    origin: list[int] = []
    space_at = -1
    known = _FOLDED
    for i, ch in enumerate(text):
        folded = known.get(ch)
        if folded is None:
            folded = _fold_char(ch)
        if folded == " ":
            if out and space_at < 0:
                space_at = i
            continue
        if not folded:
            continue
        if space_at >= 0:
            out.append(" ")
            origin.append(space_at)
            space_at = -1
        if len(folded) == 1:
            out.append(folded)
            origin.append(i)
        else:
            out.extend(folded)
            origin.extend([i] * len(folded))
    return "".join(out), origin


def match_spans(text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the words occur in `text` (NFC), as sorted, non-overlapping (start, end) spans of
    the original characters."""
    folded, origin = fold_map(text)
    found: list[tuple[int, int]] = []
    for word in words:
        at = folded.find(word)
        while at >= 0:
            found.append((at, at + len(word)))
            at = folded.find(word, at + 1)
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        start, end = origin[start], origin[end - 1] + 1
        # A combining mark left uncomposed by NFC belongs to the letter before it.
        while end < len(text) and unicodedata.category(text[end]) == "Mn":
            end += 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    parts: list[Markup] = []
    at = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[at:span_start]))
        parts.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        at = span_end
    parts.append(escape(text[at:end]))
    return Markup("").join(parts)


def _normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def highlight(text: str, words: tuple[str, ...]) -> Markup:
    """The whole text, escaped, with each occurrence of the words in <mark>."""
    text = _normalized(text)
    return _marked(text, match_spans(text, words), 0, len(text))


def excerpt(text: str, words: tuple[str, ...], width: int = SNIPPET) -> Markup:
    """About `width` characters around the first match (or from the start when nothing
    matches), cut between words, with "…" where text was left out, matches in <mark>."""
    text = _normalized(text)
    first_start, first_end = _first_match(text, words) or (0, 0)
    start = max(0, first_start - width // 3)
    space = text.rfind(" ", max(0, start - 30), start)  # start with a whole word, if short
    if space >= 0:
        start = space + 1
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = max(space if space > first_start else end, first_end)
    # Matches never contain a space, so those in the window are found in the window alone
    # (widened to whole words): a long text is not folded beyond what is shown.
    region_end = text.find(" ", end)
    region_end = len(text) if region_end < 0 else region_end
    spans = [(s + start, e + start) for s, e in match_spans(text[start:region_end], words)]
    marked = _marked(text, spans, start, end)
    before = Markup("… ") if start > 0 else Markup("")
    after = Markup(" …") if end < len(text) else Markup("")
    return before + marked + after


def _first_match(text: str, words: tuple[str, ...], chunk: int = 2000) -> tuple[int, int] | None:
    """The first span matching a word, folding the text a chunk at a time (cut at spaces)."""
    start = 0
    while start < len(text):
        end = text.find(" ", start + chunk)
        end = len(text) if end < 0 else end
        spans = match_spans(text[start:end], words)
        if spans:
            return spans[0][0] + start, spans[0][1] + start
        start = end
    return None


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
