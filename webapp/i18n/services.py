"""Interface translations: a translator saves a draft (checked against its source, versioned,
audited) and sends it for review; a reviewer of the language, another person, approves it —
only then is it served, made visible to every process by bumping the language's generation —
or sends it back with a reason."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import StaleVersion
from webapp.db import utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.i18n.languages import Language
from webapp.i18n.models import CatalogGeneration, InterfaceTranslation, ReviewState
from webapp.i18n.queries import InterfaceMessage, plural_count
from webapp.policy import Action
from webapp.text import clean

MAX_LENGTH = 5000

# A %-placeholder as Python formats it: %(name)s, %d, %.1f, and the escaped %%.
_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w*)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?(?P<type>[diouxXeEfFgGcrs%])"
)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Characters that mean something to HTML: translated strings reach pages unescaped (Jinja marks
# them safe, and lazy strings carry __html__), inside text and inside quoted attributes.
_HTML_SPECIAL = '<>&"`'


class TranslationError(Refused, ValueError):
    """A translation that cannot be used; the message says why, in the user's language."""


def _placeholders(text: str) -> Counter | None:
    """The placeholders of a string, or None when a % does not start a whole placeholder."""
    found: Counter = Counter()
    position = 0
    while (start := text.find("%", position)) != -1:
        match = _PLACEHOLDER.match(text, start)
        if match is None:
            return None
        if match["type"] != "%":
            found[(match["name"], match["type"])] += 1
        position = match.end()
    return found


def _describe(placeholders: Counter) -> str:
    return (
        ", ".join(sorted(f"%({name})s" if name else "%s" for (name, _type) in placeholders)) or "—"
    )


def check(source_strings: tuple[str, ...], strings: tuple[str, ...]) -> None:
    """Each translated form keeps exactly its source's placeholders, HTML tags and characters
    special to HTML.

    Translated strings are marked safe, so a tag or a quote the source does not have would
    reach every page unescaped; a dropped or mangled placeholder breaks the page or loses the
    number it was meant to show.
    """
    for source, text in zip(source_strings, strings, strict=True):
        if len(text) > MAX_LENGTH:
            raise TranslationError(
                _l("A translation may be at most %(max)d characters long.", max=MAX_LENGTH)
            )
        wanted = _placeholders(source)
        # A source whose own % is literal (never formatted) puts no rule on the translation.
        got = _placeholders(text) if wanted is not None else wanted
        if wanted is not None and got is None:
            raise TranslationError(
                _l(
                    "A %% sign must start a whole placeholder such as %(example)s; "
                    "write %%%% for a percent sign.",
                    example="%(name)s",
                )
            )
        if got != wanted and not wanted:
            # "…unchanged: —." told nothing: the original has no placeholder to keep.
            raise TranslationError(
                _l(
                    "The original has no placeholder such as %(example)s; remove it from the "
                    "translation (write %%%% for a percent sign).",
                    example="%(name)s",
                )
            )
        if got != wanted:
            raise TranslationError(
                _l(
                    "The translation must keep the placeholders of the original, unchanged: "
                    "%(wanted)s.",
                    wanted=_describe(wanted),
                )
            )
        if sorted(t.lower() for t in _TAG.findall(text)) != sorted(
            t.lower() for t in _TAG.findall(source)
        ) or any(text.count(c) != source.count(c) for c in _HTML_SPECIAL):
            raise TranslationError(
                _l(
                    "The translation may not add or change HTML tags or the characters "
                    "%(characters)s; use “ ” for quotes.",
                    characters='< > & " `',
                )
            )


def _source_forms(item: InterfaceMessage, count: int) -> tuple[str, ...]:
    """What each plural form is checked against: the singular for the first form of a language
    with several forms, the plural otherwise."""
    src = item.source
    if not src.msgid_plural:
        return (src.msgid,)
    return tuple(src.msgid if (i == 0 and count > 1) else src.msgid_plural for i in range(count))


def _record(actor, action: str, row: InterfaceTranslation, **details) -> None:
    # Interface strings belong to no unit: the log shows them to admins of the top unit.
    record(actor, action, row, unit_id=None, language=row.language, msgid=row.msgid, **details)


def bump(language: str) -> None:
    """Every process rebuilds what it built from this language's served translations."""
    bumped = db.session.execute(
        sa.update(CatalogGeneration)
        .where(CatalogGeneration.language == language)
        .values(generation=CatalogGeneration.generation + 1)
    ).rowcount
    if not bumped:
        try:
            with db.session.begin_nested():
                db.session.add(CatalogGeneration(language=language, generation=1))
        except sa.exc.IntegrityError:  # a colleague's first save of this language, just now
            bump(language)


def save(
    actor,
    language: Language,
    item: InterfaceMessage,
    strings: list[str],
    *,
    seen_version: int,
    submit: bool = False,
) -> InterfaceTranslation | None:
    """Save the translator's draft of one string (sent for review when `submit`); when every
    form is empty, discard the draft (an approved translation stays served).

    `seen_version` is the version the translator opened (0: there was none); a save made
    since is refused with StaleVersion, so nobody overwrites a colleague unawares. Nothing is
    served until a reviewer approves it.
    """
    policy.ensure(actor, Action.INTERFACE_TRANSLATE, language)
    count = plural_count(language.code) if item.source.msgid_plural else 1
    strings = [clean(s) or "" for s in strings][:count]
    strings += [""] * (count - len(strings))
    row = db.session.scalar(
        sa.select(InterfaceTranslation)
        .where(
            InterfaceTranslation.language == language.code,
            InterfaceTranslation.key == item.source.key,
        )
        .with_for_update()
    )
    if (row.version if row else 0) != seen_version:
        raise StaleVersion(row)
    before = list(row.strings) if row else []
    if not any(strings):
        if row is None:
            return None
        _record(actor, "interface.removed", row, before=before)
        if row.approved_strings:  # the draft goes; what was approved stays served
            row.strings = list(row.approved_strings)
            row.source_vi = row.approved_source_vi or ""
            row.state = ReviewState.APPROVED
        else:
            db.session.delete(row)
        db.session.flush()
        return None
    if not all(strings):
        raise TranslationError(_l("Fill in every form, or leave them all empty."))
    check(_source_forms(item, count), tuple(strings))
    if row is None:
        row = InterfaceTranslation(
            language=language.code,
            key=item.source.key,
            context=item.source.context,
            msgid=item.source.msgid,
            msgid_plural=item.source.msgid_plural,
        )
        db.session.add(row)
    row.strings = strings
    row.source_vi = item.source.vi_text
    row.translated_by_id = actor.id
    row.state = ReviewState.REVIEW if submit else ReviewState.DRAFT
    row.review_note = None
    row.is_machine_drafted = False
    try:
        with db.session.begin_nested():
            db.session.flush()
    except (StaleDataError, sa.exc.IntegrityError):
        # Two first saves at once (the unique key), or SQLite's missing row lock.
        raise StaleVersion(None) from None
    _record(actor, "interface.submitted" if submit else "interface.saved", row, after=strings)
    return row


# Said to a reviewer who asks to approve their own translation (pages say it too).
OWN_WORK = _l("You translated this yourself: another reviewer of the language must approve it.")


class OwnWork(TranslationError):
    """A reviewer asked to approve what they translated themselves."""


def own_work(actor, row) -> bool:
    return row.translated_by_id is not None and row.translated_by_id == actor.id


def reviewable(actor, row, seen_version: int) -> None:
    """Refuse unless `row` (an interface string's or a campaign word's translation) is as the
    reviewer saw it, not their own work, and theirs to review now."""
    if row is None or row.version != seen_version:
        raise StaleVersion(row)
    if own_work(actor, row):
        raise OwnWork(OWN_WORK)
    policy.ensure(actor, Action.INTERFACE_REVIEW, row)


def approve(actor, row: InterfaceTranslation | None, *, seen_version: int) -> InterfaceTranslation:
    """Serve the text sent for review: approved by a reviewer of the language who did not
    write it. Refused (OwnWork) for the translator; StaleVersion when it changed since seen."""
    reviewable(actor, row, seen_version)
    row.approved_strings = list(row.strings)
    row.approved_source_vi = row.source_vi
    row.approved_by_id = actor.id
    row.approved_at = utcnow()
    row.state = ReviewState.APPROVED
    row.is_machine_drafted = False
    row.review_note = None
    db.session.flush()
    _record(actor, "interface.approved", row, after=list(row.strings))
    bump(row.language)
    return row


def send_back(
    actor, row: InterfaceTranslation | None, *, seen_version: int, note: str
) -> InterfaceTranslation:
    """Return the text to its translator as a draft, with the reviewer's reason."""
    reviewable(actor, row, seen_version)
    note = clean(note) or ""
    if not note:
        raise TranslationError(_l("Say what the translator should change."))
    row.state = ReviewState.DRAFT
    row.review_note = note[:500]
    db.session.flush()
    _record(actor, "interface.returned", row, note=row.review_note)
    return row
