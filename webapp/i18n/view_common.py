"""What the interface-translation screens share: the blueprint, loading a language, and
whether the user reviews it."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, current_app
from flask_login import current_user

from webapp import policy
from webapp.i18n.languages import Language, all_languages
from webapp.policy import Action

bp = Blueprint("i18n", __name__)

PAGE_SIZE = 40


def language_or_404(code: str) -> Language:
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    return all_languages()[code]


def reviews(language: Language) -> bool:
    """Whether the user reviews this language: whether they could approve someone else's
    text sent for review (their own is refused, with the reason, by the service)."""
    return may_review(current_user, language.code)


def may_review(user, code: str) -> bool:
    """Whether `user` reviews language `code` (someone else's text sent for review)."""
    others = SimpleNamespace(language=code, translated_by_id=None, state="review")
    return policy.can(user, Action.INTERFACE_REVIEW, others)
