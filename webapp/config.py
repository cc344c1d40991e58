"""Configuration: defaults, then instance/config.py, then the environment, then test overrides.

Environment: DATABASE_URL, SECRET_KEY, and any WEBAPP_<KEY> (values parsed as JSON when they can
be, so WEBAPP_PRODUCTION=true is a boolean).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_DATABASE_URI": "sqlite:///webapp.db",  # relative: inside instance/
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Production refuses to start without a SECRET_KEY given by the operator.
    "PRODUCTION": False,
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto.
    "PROXY_FIX": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Server-side sessions (webapp/auth/sessions) end after this long without a request, and
    # this long after sign-in whatever happens.
    "SESSION_IDLE_MINUTES": 4 * 60,
    "SESSION_LIFETIME_HOURS": 24,
    # Forms left open on a phone for hours must still submit; the token lives with the session.
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    # Which day's administrative structure a year's records use ("MM-DD"); None: the year's
    # registration deadline, so a year spanning a reorganization follows its deadline.
    "UNIT_YEAR_DAY": None,
    # Interface languages offered (None: all of languages.yaml, in its order); the i18n package
    # knows their names and fallback chains.
    "LANGUAGES": None,
    "DEFAULT_LANGUAGE": "vi",
    # Throttling of password guesses (webapp/auth/throttle.py says why these numbers): failures
    # forgiven per (account, address) pair, per address and per account; then delays doubling
    # from the first to the largest; a counter is forgotten WINDOW seconds after its delay ends.
    "LOGIN_FAILURE_WINDOW_SECONDS": 24 * 3600,
    "LOGIN_MAX_FAILURES_PER_PAIR": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_DELAY_SECONDS": 30,
    "LOGIN_MAX_DELAY_SECONDS": 15 * 60,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 10,
    "LOGIN_ACCOUNT_DELAY_SECONDS": 5,
    "LOGIN_ACCOUNT_MAX_DELAY_SECONDS": 60,
    # An address the account signed in from counts only its own guesses at that account.
    "LOGIN_KNOWN_ADDRESS_DAYS": 30,
    "PASSWORD_MIN_LENGTH": 8,
    # Werkzeug's scrypt (about 140 ms a check here); the hash records its method, so a change
    # applies to new passwords only.
    "PASSWORD_HASH_METHOD": "scrypt",
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ],
    # One year: static URLs carry a content hash, so a changed file gets a new URL.
    "STATIC_MAX_AGE": 365 * 24 * 3600,
    # Files attached to guidance pages: the largest accepted, and where they are kept. None
    # means instance/attachments (outside the web root); with several hosts, shared storage.
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ATTACHMENTS_DIR": None,
    # Redis shared by the app nodes (sessions, throttles, caches), e.g. redis://127.0.0.1:6379/0;
    # None: the database keeps them (one host, `make run`).
    "REDIS_URL": None,
}

# MAX_CONTENT_LENGTH, unless configured: one attachment plus this much for the form around it.
REQUEST_MARGIN_BYTES = 1024 * 1024


def load(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    if url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url := os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = url
    if key := os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = key
    app.config.from_prefixed_env("WEBAPP")
    app.config.update(overrides or {})
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        # Refuse bigger requests before reading them: no form carries more than one attachment.
        app.config["MAX_CONTENT_LENGTH"] = app.config["ATTACHMENT_MAX_BYTES"] + REQUEST_MARGIN_BYTES
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    _ensure_secret_key(app)


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _ensure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["PRODUCTION"]:
        raise RuntimeError(
            "SECRET_KEY is not set. In production give it through the SECRET_KEY environment "
            "variable or instance/config.py; refusing to start."
        )
    # A developer machine or `make run`: keep one generated key so sessions survive restarts.
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()
