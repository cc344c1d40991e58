"""Database text kept per language in columns such as name_vi / name_en, and the campaign
words' approved translations (words.py) laid over them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_request_context

from webapp.extensions import db
from webapp.i18n.choice import ui_language
from webapp.i18n.marking import label
from webapp.i18n.models import WordTranslation


def approved_words(code: str) -> dict[tuple[str, int], str]:
    """The approved translations of campaign words into `code`, read once per request."""
    cache = g.setdefault("approved_words", {}) if has_request_context() else {}
    if code not in cache:
        try:
            rows = db.session.execute(
                sa.select(
                    WordTranslation.kind, WordTranslation.row_id, WordTranslation.approved_text
                ).where(
                    WordTranslation.language == code, WordTranslation.approved_text.is_not(None)
                )
            ).all()
        except sa.exc.SQLAlchemyError:
            rows = []  # an error page after a failed transaction: the Vietnamese serves
        cache[code] = {(kind, row_id): text for kind, row_id, text in rows if text}
    return cache[code]


class Localized:
    """Mixin: `obj.tr("name")` gives the approved translation into the ui language, else
    name_<ui language>, falling back along the chain to vi; labelled with the language it is
    in when that is not the page's (marking.py)."""

    def tr(self, field: str) -> str:
        kind = f"{self.__tablename__}.{field}"
        for code in (*ui_language().chain, "vi"):
            if code != "vi" and (text := approved_words(code).get((kind, self.id))):
                return label(text, code)
            value = getattr(self, f"{field}_{code}", None)
            if value:
                return label(value, code)
        return ""
