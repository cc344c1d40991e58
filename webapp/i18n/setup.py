"""The Flask-Babel wiring: the chained domain installed, the formatting locale and the
language of each request (choice) given to Babel and to templates, and the caches built from
the catalogs emptied on demand."""

from __future__ import annotations

from flask import Flask, Response, g

from webapp.extensions import babel
from webapp.i18n import queries
from webapp.i18n.choice import ui_language
from webapp.i18n.domain import ChainDomain
from webapp.i18n.languages import all_languages, use_file
from webapp.i18n.marking import LabellingTemplate
from webapp.i18n.readiness import page_language, switcher_languages


def _format_locale() -> str:
    return ui_language().format_locale


def init_app(app: Flask) -> None:
    use_file(app.config.get("LANGUAGES_FILE"))
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

    # Templates label the language of their text (marking); set before any is loaded.
    app.jinja_env.template_class = LabellingTemplate

    @app.context_processor
    def language_context() -> dict:
        return {
            "ui_language": ui_language(),
            "page_language": page_language(),
            "languages": switcher_languages(),
        }


def clear_caches() -> None:
    """Forget every built catalog and count, as a restart would (tests empty the database,
    which sets the generations back to zero)."""
    babel.domain_instance.cache.clear()
    queries.clear_coverage_cache()
