"""A Flask-Babel domain that chains catalogs along the interface language's fallback."""

from __future__ import annotations

from babel import support
from flask import current_app, g
from flask_babel import Domain


class ChainDomain(Domain):
    """Translations for g.ui_lang, falling back along its chain (e.g. tyz → vi).

    The stock Domain keys its cache on the formatting locale, which is 'vi' for every
    minority language, so the languages would share one cache entry; this one keys on the
    interface language.
    """

    def get_translations(self):
        lang = getattr(g, "ui_lang", None) if g else None
        if lang is None:
            return support.NullTranslations()
        key = (lang, self.domain[0], tuple(self.translation_directories))
        try:
            return self.cache[key]
        except KeyError:
            pass
        from webapp.i18n.languages import all_languages

        chain = all_languages()[lang].chain
        head: support.Translations | None = None
        for code in chain:
            for dirname in self.translation_directories:
                catalog = support.Translations.load(dirname, [code], self.domain[0])
                if isinstance(catalog, support.Translations):
                    if head is None:
                        head = catalog
                    else:
                        head.add_fallback(catalog)
        translations = head or support.NullTranslations()
        if not current_app.debug:
            self.cache[key] = translations
        return translations
