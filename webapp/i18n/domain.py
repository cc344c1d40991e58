"""A Flask-Babel domain that chains catalogs along the interface language's fallback, with the
translations saved in the app laid over each compiled catalog; and what the interface text of a
request depends on (for ETags)."""

from __future__ import annotations

import gettext
from pathlib import Path

import sqlalchemy as sa
from babel import support
from flask import current_app, g, has_request_context
from flask_babel import Domain, get_domain

from webapp.extensions import db
from webapp.i18n.choice import ui_language_code
from webapp.i18n.generations import generations
from webapp.i18n.languages import all_languages
from webapp.i18n.marking import LabellingTranslations
from webapp.i18n.models import InterfaceTranslation
from webapp.i18n.queries import SOURCE_LANGUAGE


def _overrides(code: str, plural) -> support.Translations | None:
    """The language's approved in-app translations as a catalog, or None when there are none
    (drafts are served to nobody)."""
    rows = db.session.execute(
        sa.select(
            InterfaceTranslation.context,
            InterfaceTranslation.msgid,
            InterfaceTranslation.msgid_plural,
            InterfaceTranslation.approved_strings,
        ).where(
            InterfaceTranslation.language == code,
            InterfaceTranslation.approved_strings.is_not(None),
        )
    ).all()
    messages: dict = {}
    for context, msgid, msgid_plural, strings in rows:
        if not strings:
            continue  # a JSON null: nothing approved
        name = f"{context}\x04{msgid}" if context else msgid
        if msgid_plural:
            messages.update({(name, i): s for i, s in enumerate(strings) if s})
        elif strings[0]:
            messages[name] = strings[0]
    if not messages:
        return None
    translations = support.Translations()
    translations._catalog = messages
    translations.plural = plural
    return translations


class ChainDomain(Domain):
    """Translations for the interface language, falling back along its chain (tyz → vi).

    The stock Domain keys its cache on the formatting locale, which is 'vi' for every minority
    language, so the languages would share one cache entry; this one keys on the interface
    language and, within a request, on the generations of in-app translations, so a save in
    one process shows on the next request of every other.
    """

    def get_translations(self):
        if not has_request_context() and "ui_lang" not in g:
            return support.NullTranslations()
        head, layers = self._chain()
        if has_request_context() and (g.get("labelling") or g.get("heard_msgids") is not None):
            return LabellingTranslations(head, layers, SOURCE_LANGUAGE)
        return head

    def _chain(self) -> tuple[support.NullTranslations, list[tuple[str, object]]]:
        """The chain's head, and each layer with the language it is in."""
        lang = ui_language_code()
        chain = all_languages()[lang].chain
        seen = generations(chain) if has_request_context() else None
        live = seen is not None
        stamp = tuple(seen.items()) if live else ()
        key = (lang, self.domain[0], tuple(self.translation_directories), stamp)
        try:
            return self.cache[key]
        except KeyError:
            pass
        layers: list[tuple[str, support.NullTranslations]] = []
        for code in chain:
            compiled = [
                catalog
                for dirname in self.translation_directories
                if isinstance(
                    catalog := support.Translations.load(dirname, [code], self.domain[0]),
                    support.Translations,
                )
            ]
            # A compiled catalog's own Plural-Forms header, else the language's rule.
            plural = (
                compiled[0].plural
                if compiled
                else gettext.c2py(all_languages()[code].plural_forms[1])
            )
            if live and (saved := _overrides(code, plural)) is not None:
                layers.append((code, saved))
            layers.extend((code, catalog) for catalog in compiled)
        # No catalog at all (English, whose msgids are the text): the msgids, cached like any.
        head = layers[0][1] if layers else support.NullTranslations()
        for _code, layer in layers[1:]:
            head.add_fallback(layer)
        if not current_app.debug:
            # Older stamps of this language are dead weight once a newer one is built.
            for old in [k for k in list(self.cache) if k[:3] == key[:3]]:
                self.cache.pop(old, None)  # another thread may have done it
            self.cache[key] = (head, layers)
        return head, layers


def interface_stamp() -> tuple:
    """What the interface text of this request depends on, for ETags of cached pages: the
    in-app translations of the language chain and the compiled catalogs' dates."""
    chain = all_languages()[ui_language_code()].chain
    compiled = [
        path.stat().st_mtime_ns
        for directory in get_domain().translation_directories
        for code in chain
        if (path := Path(directory) / code / "LC_MESSAGES" / "messages.mo").exists()
    ]
    return (tuple((generations(chain) or {}).items()), tuple(compiled))
