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
from sqlalchemy.engine import make_url

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_DATABASE_URI": "sqlite:///webapp.db",  # relative: inside instance/
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Production refuses to start without a long SECRET_KEY given by the operator, on SQLite,
    # or while a demo account keeps the README's password (webapp/deploy/checks.py).
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
    # The languages file (names, BCP 47 tags, scripts, fallbacks); None: the one shipped in
    # webapp/seed/data. A province's own copy changes tags and script names without code.
    "LANGUAGES_FILE": None,
    "DEFAULT_LANGUAGE": "vi",
    # A language is offered as ready once this share (%) of the strings public readers see is
    # translated; below it the switcher lists it marked "not yet translated" ("mark") or leaves
    # it out ("hide"; its link still works).
    "LANGUAGE_READY_PERCENT": 100,
    "UNREADY_LANGUAGES": "mark",
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
    # Opinions of the people sent without an account, per sender's address and hour.
    "OPINIONS_PER_ADDRESS_HOUR": 5,
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
    # Photos of effective models (webapp/photos.py): the largest upload accepted, and where the
    # resized widths are kept; None means a "photos" folder inside the attachments' folder.
    "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "PHOTOS_DIR": None,
    # Redis shared by the app nodes (sessions, throttles, caches), e.g. redis://127.0.0.1:6379/0;
    # None: the database keeps them (one host, `make run`).
    "REDIS_URL": None,
    # Exports of a scope this large (communes in it) become background jobs (webapp/jobs): a
    # national aggregated list took 17 s and 298 MiB inside a request. A province (about 100
    # communes) and anything below still download at once.
    "EXPORT_JOB_MIN_COMMUNES": 500,
    # How long a job's file is kept for download, and the longest a worker may take on one.
    "EXPORT_JOB_KEEP_DAYS": 7,
    "EXPORT_JOB_TIMEOUT_SECONDS": 600,
    # Where the jobs' files are kept; None means an "exports" folder beside the attachments.
    "EXPORTS_DIR": None,
    # PostgreSQL: pick likely-duplicate names with pg_trgm in SQL (webapp/coverage/overlaps.py)
    # instead of reading the names and comparing them in Python. Same results; off because on
    # the national bench (bench/national.py) it was slower: folding in SQL costs more than
    # Python's comparison within a commune (province 1.7 s vs 0.27 s).
    "OVERLAP_NAMES_IN_SQL": False,
}

# The shortest SECRET_KEY production accepts: 32 characters (`secrets.token_urlsafe(32)` gives 43).
SECRET_KEY_MIN_LENGTH = 32

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
    _private_instance(app)
    _ensure_secret_key(app)
    if app.config["PRODUCTION"]:
        refuse_unsafe_production(app.config)


class UnsafeProduction(RuntimeError):
    """Production settings that must not serve anyone; the message says what to change."""


def refuse_unsafe_production(config: dict[str, Any]) -> None:
    """Production needs an operator's long secret key and a server database (several nodes
    share it; SQLite is one file on one host)."""
    key = config.get("SECRET_KEY") or ""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise UnsafeProduction(
            f"SECRET_KEY has {len(key)} characters; production needs at least "
            f"{SECRET_KEY_MIN_LENGTH}. Make one with `python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'` and give it as SECRET_KEY; refusing to start."
        )
    if make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        raise UnsafeProduction(
            "The database is SQLite; production needs PostgreSQL: set DATABASE_URL="
            "postgresql://user:password@host:5432/dbname; refusing to start."
        )


def _private_instance(app: Flask) -> None:
    """instance/ holds the database, the secret key and the attachments: readable by the app's
    user only (0700), and a SQLite database file is made 0600 before SQLite creates it (its
    -wal and -shm files take the database file's mode)."""
    instance = Path(app.instance_path)
    if not instance.exists():
        instance.mkdir(mode=0o700, parents=True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return
    path = Path(name) if Path(name).is_absolute() else instance / name
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


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
        raise UnsafeProduction(
            "SECRET_KEY is not set. In production give it through the SECRET_KEY environment "
            "variable (or instance/config.py); refusing to start."
        )
    # A developer machine or `make run`: keep one generated key so sessions survive restarts.
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
    app.config["SECRET_KEY"] = path.read_text().strip()
