"""Text normalisation: NFC on the way in, and folding for accent-insensitive search (DESIGN §8):
the query's words, matching them in a folded text, and marking the matches in the original text.
Shared by the guidance search (webapp.pages.search, which explains why the folding happens in
Python on both databases) and the published answers to the people's opinions."""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

_APOSTROPHES = str.maketrans("", "", "'’ʼʻ")


_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t\r"} | {127: None}


def clean(value: str | None) -> str | None:
    """Strip and NFC-normalise user input (decomposed marks render misplaced in print), drop
    control characters (PostgreSQL refuses NUL; nobody means to type them), and end lines with
    "\n" alone: a browser sends a text box's line breaks as "\r\n" but counts them as one
    character against its `maxlength`, so the server's length limit must count them alike."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").translate(_CONTROL).strip()
    return unicodedata.normalize("NFC", value)


# Every combining mark of the Basic Multilingual Plane, dropped by one str.translate; the
# few outside it go through the slower per-character test (the same result, just slower).
_MARKS = {c: None for c in range(0x10000) if unicodedata.category(chr(c)) == "Mn"}


def fold(value: str) -> str:
    """Case- and accent-free form: "Đồng Hỷ" and "dong hy" fold alike; đ becomes d."""
    value = unicodedata.normalize("NFC", value).replace("đ", "d").replace("Đ", "D")
    value = unicodedata.normalize("NFD", value)
    if value.isascii():
        pass
    elif max(value) <= "\uffff":
        value = value.translate(_MARKS)
    else:
        value = "".join(ch for ch in value if unicodedata.category(ch) != "Mn")
    return " ".join(value.translate(_APOSTROPHES).casefold().split())


# Search: the words of a query, and where they occur

MAX_QUERY = 200  # characters; longer queries are cut
MAX_WORDS = 8  # a bound on the size of the SQL, far above what anyone types
SNIPPET = 160  # characters of text shown around the first match
_EDGE_PUNCTUATION = '.,;:!?"“”‘()[]{}«»…'


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


def has_all(folded_text: str, words: tuple[str, ...]) -> bool:
    """Every word occurs in the text (folded with fold()): the rule of every search here."""
    return all(word in folded_text for word in words)
