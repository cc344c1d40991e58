"""Per-request language choice and the Flask-Babel wiring."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_login import current_user

from webapp.extensions import babel
from webapp.i18n.domain import ChainDomain
from webapp.i18n.languages import Language, all_languages

LANGUAGE_COOKIE = "lang"


def enabled_languages() -> list[Language]:
    known = all_languages()
    return [known[code] for code in current_app.config["LANGUAGES"]]


def choose_language() -> str:
    """The interface language: the signed-in person's choice, else the visitor's cookie, else
    the best of the browser's Accept-Language among ours, else the default (Vietnamese)."""
    enabled = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in enabled:
        return current_user.language
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


def ui_language() -> Language:
    return all_languages()[ui_language_code()]


def _format_locale() -> str:
    return ui_language().format_locale


def init_app(app: Flask) -> None:
    known = all_languages()
    # Unless configured, every language of languages.yaml: adding one is a line there and a
    # catalog in translations/.
    app.config["LANGUAGES"] = list(app.config.get("LANGUAGES") or known)
    unknown = set(app.config["LANGUAGES"]) - set(known)
    if unknown:
        raise RuntimeError(f"LANGUAGES names unknown languages: {sorted(unknown)}")
    babel.init_app(
        app,
        locale_selector=_format_locale,
        default_translation_directories=str(app.root_path + "/../translations"),
    )
    # Install the chained domain; domain_instance is a cached property on the extension.
    babel.domain_instance = ChainDomain()

    @app.after_request
    def vary_on_language(response: Response) -> Response:
        # The same URL speaks another language for another cookie or browser.
        if "ui_lang" in g:
            response.vary.update(("Accept-Language", "Cookie"))
        return response

    @app.context_processor
    def language_context() -> dict:
        return {"ui_language": ui_language(), "languages": enabled_languages()}
