"""Which interface language this request speaks: the languages offered, the visitor's choice
among them, chosen once per request. The Flask-Babel wiring (setup), the catalog chain (domain)
and localized content all ask here."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

from webapp.i18n.languages import Language, all_languages

LANGUAGE_COOKIE = "lang"
# A signed-in person's choice for this visit (a language link followed), before their profile's.
VISIT_LANGUAGE = "ui_language"


def enabled_languages() -> list[Language]:
    known = all_languages()
    return [known[code] for code in current_app.config["LANGUAGES"]]


def choose_language() -> str:
    """The interface language: the signed-in person's choice (for this visit, else in their
    profile), else the visitor's cookie, else the best of the browser's Accept-Language among
    ours, else the default (Vietnamese)."""
    enabled = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated:
        for chosen in (session.get(VISIT_LANGUAGE), current_user.language):
            if chosen in enabled:
                return chosen
    wanted = request.cookies.get(LANGUAGE_COOKIE)
    if wanted in enabled:
        return wanted
    return request.accept_languages.best_match(enabled) or current_app.config["DEFAULT_LANGUAGE"]


def ui_language_code() -> str:
    """Chosen once per request, when first needed (static files never ask)."""
    if "ui_lang" not in g:
        if not has_request_context():
            return current_app.config["DEFAULT_LANGUAGE"]
        g.ui_lang = choose_language()
    return g.ui_lang


def use_language(code: str) -> None:
    """This context speaks `code`, whatever the request: a background job speaks the language
    of the person who asked for it."""
    g.ui_lang = code


def ui_language() -> Language:
    return all_languages()[ui_language_code()]
