"""The pages blueprint, on which every pages screen module adds its routes (full paths: the
screens sit under different addresses), and what several screens load the same way."""

from flask import Blueprint, abort

from webapp.i18n.languages import Language
from webapp.pages.queries import translation_languages

bp = Blueprint("pages", __name__)


def translation_language(code: str) -> Language:
    """A language pages are translated into (404 for any other)."""
    language = next((lang for lang in translation_languages() if lang.code == code), None)
    if language is None:
        abort(404)
    return language
