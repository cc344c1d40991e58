"""Interface strings as translators see them: the template's messages with their Vietnamese
text, the translation served in a language (approved in the app, else from its catalog), the
draft waiting for review, and how much of each language is translated."""

from __future__ import annotations

import copy
import enum
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from babel.messages.catalog import Catalog
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from webapp.extensions import db
from webapp.i18n.catalogs import TEMPLATE, TRANSLATIONS, read_catalog
from webapp.i18n.generations import generations
from webapp.i18n.languages import all_languages
from webapp.i18n.models import InterfaceTranslation, ReviewState, WordTranslation, message_key
from webapp.i18n.update import empty_catalog
from webapp.labels import Labelled
from webapp.text import fold

# The language the msgids are written in: complete without a catalog.
SOURCE_LANGUAGE = "en"


class MessageState(Labelled, enum.StrEnum):
    UNTRANSLATED = "untranslated"
    DRAFT = "draft"  # a translator's text not yet sent for review
    REVIEW = "review"  # sent for review: a reviewer of the language approves or returns it
    CHANGED = "changed"  # the Vietnamese text changed since the served text was approved
    TRANSLATED = "translated"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.UNTRANSLATED: _l("Not translated"),
            cls.DRAFT: lazy_pgettext("translation", "Draft"),
            cls.REVIEW: _l("Needs review"),
            cls.CHANGED: _l("Vietnamese text changed"),
            cls.TRANSLATED: lazy_pgettext("string", "Translated"),
        }


@dataclass(frozen=True)
class Source:
    """A message of the template, with its Vietnamese text."""

    key: str
    msgid: str
    msgid_plural: str | None
    context: str | None
    vi: tuple[str, ...]

    @property
    def vi_text(self) -> str:
        return "\n".join(self.vi)


@dataclass
class InterfaceMessage:
    source: Source
    strings: tuple[str, ...]  # the translation served in this language; () when none
    saved: InterfaceTranslation | None  # the in-app translation, when there is one

    @property
    def pending(self) -> InterfaceTranslation | None:
        """The translator's text waiting for approval (a draft, or sent for review)."""
        if self.saved is not None and self.saved.state != ReviewState.APPROVED:
            return self.saved
        return None

    @property
    def outdated(self) -> bool:
        """The Vietnamese text changed since the served translation was approved."""
        saved = self.saved
        return bool(
            self.strings
            and saved is not None
            and saved.approved_strings
            and saved.approved_source_vi != self.source.vi_text
        )

    @property
    def draft_outdated(self) -> bool:
        """The Vietnamese text changed since the pending draft was written from it."""
        return self.pending is not None and self.pending.source_vi != self.source.vi_text

    @property
    def state(self) -> MessageState:
        if self.pending is not None:
            return MessageState(self.pending.state)
        if not any(self.strings):
            return MessageState.UNTRANSLATED
        if self.outdated:
            return MessageState.CHANGED
        return MessageState.TRANSLATED


def _strings(message) -> tuple[str, ...]:
    if message is None or message.fuzzy:
        return ()
    value = message.string
    strings = tuple(value) if isinstance(value, tuple | list) else (value,)
    return strings if all(strings) else ()


@lru_cache(maxsize=16)
def _read(path: Path, mtime: float) -> Catalog | None:
    return read_catalog(path) if path.exists() else None


def catalog(code: str, directory: Path = TRANSLATIONS) -> Catalog | None:
    """The language's .po as shipped (re-read when the file changes)."""
    path = directory / code / "LC_MESSAGES" / "messages.po"
    return _read(path, path.stat().st_mtime if path.exists() else 0.0)


def plural_count(code: str) -> int:
    shipped = catalog(code)
    return shipped.num_plurals if shipped is not None else all_languages()[code].plural_forms[0]


def sources() -> list[Source]:
    """Every interface string of the template, in its order, with the Vietnamese text."""
    template = _read(TEMPLATE, TEMPLATE.stat().st_mtime)
    vi = catalog("vi")
    result = []
    for message in template:
        if not message.id:
            continue
        msgid, msgid_plural = message.id if isinstance(message.id, tuple) else (message.id, None)
        translated = vi.get(message.id, context=message.context) if vi else None
        result.append(
            Source(
                key=message_key(msgid, message.context),
                msgid=msgid,
                msgid_plural=msgid_plural,
                context=message.context,
                vi=_strings(translated) or ((msgid_plural or msgid),),
            )
        )
    return result


def source(key: str) -> Source | None:
    return next((s for s in sources() if s.key == key), None)


def saved_translations(code: str) -> dict[str, InterfaceTranslation]:
    rows = db.session.scalars(
        sa.select(InterfaceTranslation).where(InterfaceTranslation.language == code)
    )
    return {row.key: row for row in rows}


def messages(code: str) -> list[InterfaceMessage]:
    """Every interface string with its translation in force in `code`."""
    shipped = catalog(code)
    saved = saved_translations(code)
    result = []
    for src in sources():
        row = saved.get(src.key)
        if row is not None and row.approved_strings:
            strings = tuple(row.approved_strings)  # only approved text is served
        else:
            message_id = (src.msgid, src.msgid_plural) if src.msgid_plural else src.msgid
            strings = _strings(shipped.get(message_id, context=src.context)) if shipped else ()
            if not strings and code == SOURCE_LANGUAGE:
                strings = (src.msgid, src.msgid_plural) if src.msgid_plural else (src.msgid,)
        result.append(InterfaceMessage(src, strings, row))
    return result


def exported_catalog(code: str) -> Catalog:
    """The language's catalog as shipped, with the approved in-app translations laid over it
    (drafts are nobody's word yet: they stay in the app)."""
    shipped = catalog(code)
    result = copy.deepcopy(shipped) if shipped is not None else empty_catalog(code)
    current = {src.key for src in sources()}
    for row in saved_translations(code).values():
        if row.key not in current or not row.approved_strings:
            continue  # the string left the interface, or nothing of it is approved
        message_id = (row.msgid, row.msgid_plural) if row.msgid_plural else row.msgid
        approved = row.approved_strings
        strings = tuple(approved) if row.msgid_plural else approved[0]
        existing = result.get(message_id, context=row.context)
        if existing is not None:
            existing.string = strings
            existing.flags.discard("fuzzy")
        else:
            result.add(message_id, strings, context=row.context)
    return result


def message(code: str, key: str) -> InterfaceMessage | None:
    return next((m for m in messages(code) if m.source.key == key), None)


def matching(items: list[InterfaceMessage], state: str | None, query: str) -> list:
    """Filter by state and by words found in the English, Vietnamese or translated text."""
    words = fold(query).split()
    found = []
    for item in items:
        if state and item.state != state:
            continue
        if words:
            haystack = fold(
                " ".join(
                    (
                        item.source.msgid,
                        item.source.msgid_plural or "",
                        item.source.vi_text,
                        *item.strings,
                    )
                )
            )
            if not all(w in haystack for w in words):
                continue
        found.append(item)
    return found


@dataclass(frozen=True)
class Coverage:
    total: int
    translated: int  # up to date or not
    up_to_date: int

    @property
    def percent(self) -> int:
        return round(100 * self.translated / self.total) if self.total else 100


# The interface strings a public reader (not signed in) is shown, as measured by crawling the
# public pages (tests/test_language_labels.py keeps the list current): what must be translated
# before a language is offered as ready.
PUBLIC_STRINGS = Path(__file__).resolve().parent / "public_strings.json"


@lru_cache(maxsize=4)
def _public_keys(path: Path, mtime: float) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    rows = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(message_key(row["msgid"], row.get("context")) for row in rows)


def public_keys() -> frozenset[str]:
    path = PUBLIC_STRINGS
    return _public_keys(path, path.stat().st_mtime if path.exists() else 0.0)


def by_readers(items: list[InterfaceMessage]) -> list[InterfaceMessage]:
    """The strings public readers see first (every visitor meets them), then those only
    signed-in people see, each group in the template's order."""
    public = public_keys()
    return sorted(items, key=lambda m: m.source.key not in public)


@dataclass(frozen=True)
class Coverages:
    """How far a language is: over every interface string (what a signed-in person may see)
    and over those a public reader sees."""

    signed_in: Coverage
    public: Coverage


_coverage_cache: dict[tuple, Coverages] = {}


def clear_coverage_cache() -> None:
    _coverage_cache.clear()


def _count(items: list[InterfaceMessage]) -> Coverage:
    """Served translations only: a draft waiting for review counts for nothing yet."""
    served = [m for m in items if any(m.strings)]
    return Coverage(
        total=len(items),
        translated=len(served),
        up_to_date=sum(not m.outdated for m in served),
    )


def coverages(code: str) -> Coverages:
    """Counted once per language for each state of its catalog and in-app translations."""
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    seen = generations((code,))
    stamp = (code, path.stat().st_mtime if path.exists() else 0.0, seen and seen[code])
    if seen is not None and stamp in _coverage_cache:
        return _coverage_cache[stamp]
    items = messages(code)
    public = public_keys()
    result = Coverages(
        signed_in=_count(items),
        public=_count([m for m in items if m.source.key in public]),
    )
    if seen is not None:
        for old in [k for k in list(_coverage_cache) if k[0] == code]:
            _coverage_cache.pop(old, None)  # only the latest state of a language is asked for
        _coverage_cache[stamp] = result
    return result


def coverage(code: str) -> Coverage:
    """How much of every interface string is translated."""
    return coverages(code).signed_in


def public_coverage(code: str) -> Coverage:
    """How much of what a public reader sees is translated."""
    return coverages(code).public


def sent_for_review(languages: list[str], reviewer_id: int) -> dict[str, dict[str, int]]:
    """Per language, the interface strings ("strings") and campaign words ("words") sent for
    review by someone other than this reviewer (their own wait for another person): two
    queries, whatever the number of languages."""
    counts = {code: {"strings": 0, "words": 0} for code in languages}
    if not languages:
        return counts
    for name, model in (("strings", InterfaceTranslation), ("words", WordTranslation)):
        rows = db.session.execute(
            sa.select(model.language, sa.func.count())
            .where(
                model.language.in_(languages),
                model.state == ReviewState.REVIEW,
                sa.or_(model.translated_by_id.is_(None), model.translated_by_id != reviewer_id),
            )
            .group_by(model.language)
        )
        for code, count in rows:
            counts[code][name] = count
    return counts
