"""Per-request language choice and the Flask-Babel wiring."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from webapp.extensions import babel
from webapp.i18n.domain import ChainDomain
from webapp.i18n.languages import Language, all_languages

LANGUAGE_COOKIE = "lang"


def enabled_languages() -> list[Language]:
    known = all_languages()
    return [known[code] for code in current_app.config["LANGUAGES"] if code in known]


def choose_language() -> str:
    """The interface language: the visitor's explicit choice, else the default (Vietnamese).

    The browser's Accept-Language is not used: many phones in Vietnam run an English system
    language while their owners read Vietnamese.
    """
    wanted = request.cookies.get(LANGUAGE_COOKIE)
    enabled = current_app.config["LANGUAGES"]
    if wanted in enabled:
        return wanted
    return current_app.config["DEFAULT_LANGUAGE"]


def ui_language() -> Language:
    return all_languages()[getattr(g, "ui_lang", None) or current_app.config["DEFAULT_LANGUAGE"]]


def _format_locale() -> str:
    return ui_language().format_locale


def init_app(app: Flask) -> None:
    unknown = set(app.config["LANGUAGES"]) - set(all_languages())
    if unknown:
        raise RuntimeError(f"LANGUAGES names unknown languages: {sorted(unknown)}")
    babel.init_app(
        app,
        locale_selector=_format_locale,
        default_translation_directories=str(app.root_path + "/../translations"),
    )
    # Install the chained domain; domain_instance is a cached property on the extension.
    babel.domain_instance = ChainDomain()

    @app.before_request
    def set_language() -> None:
        g.ui_lang = choose_language()

    @app.context_processor
    def language_context() -> dict:
        return {"ui_language": ui_language(), "languages": enabled_languages()}
