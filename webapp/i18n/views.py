"""Switching the interface language."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request

from webapp.i18n.setup import LANGUAGE_COOKIE
from webapp.urls import safe_next

bp = Blueprint("i18n", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/language/<code>")
def set_language(code: str):
    """A plain link (works without JavaScript); the choice is kept in a cookie."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")), code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response
