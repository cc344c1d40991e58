"""Whether a language is ready for readers, and which language a page's interface is mostly in.

Ready: the configured share (LANGUAGE_READY_PERCENT, default all) of the strings public readers
see is translated (queries.public_coverage). The switcher lists a language that is not ready
marked "not yet translated", or leaves it out, as UNREADY_LANGUAGES says ("mark" or "hide").
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g

from webapp.i18n import queries
from webapp.i18n.choice import enabled_languages, ui_language
from webapp.i18n.generations import generations
from webapp.i18n.languages import Language

# The document is labelled with the reader's language once this share of public strings is
# translated into it; below, with the first language of its fallback chain (marking.py).
MOSTLY = 50


def _public_percent(code: str) -> int:
    if code in (queries.SOURCE_LANGUAGE, current_app.config["DEFAULT_LANGUAGE"]):
        return 100
    try:
        return queries.public_coverage(code).percent
    except sa.exc.SQLAlchemyError:
        return 0  # an error page after a failed transaction: its words are the fallback's


def page_language() -> str:
    """The language most of this request's interface text is in (see marking.py)."""
    if "page_language" not in g:
        language = ui_language()
        chosen = language.code
        if language.fallback and _public_percent(language.code) < MOSTLY:
            chosen = language.fallback[0]
        g.page_language = chosen
        g.labelling = bool(language.fallback)
    return g.page_language


def is_ready(code: str) -> bool:
    return _public_percent(code) >= current_app.config["LANGUAGE_READY_PERCENT"]


@dataclass(frozen=True)
class Offered:
    language: Language
    ready: bool

    def __getattr__(self, name):  # the switcher reads it like a Language
        return getattr(self.language, name)


def switcher_languages() -> list[Offered]:
    """The languages the switcher lists, each with whether it is ready; the reader's own
    language is always listed."""
    hide = current_app.config["UNREADY_LANGUAGES"] == "hide"
    current = ui_language().code
    generations(tuple(current_app.config["LANGUAGES"]))  # one query for all, kept for the request
    offered = [Offered(language, is_ready(language.code)) for language in enabled_languages()]
    return [o for o in offered if o.ready or not hide or o.language.code == current]
