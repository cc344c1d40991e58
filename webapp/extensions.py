"""Flask extensions, created unbound here and bound to the app in create_app()."""

import sqlite3
import threading
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_compress import Compress
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from webapp.db import Base

db = SQLAlchemy(model_class=Base)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
htmx = HTMX()
compress = Compress()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, write-ahead log so readers don't block the writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def init_app(app: Flask, migrations: Path) -> None:
    """Bind the extensions; auth registers the login manager's user loader itself."""
    db.init_app(app)
    if click.get_current_context(silent=True) is not None:
        _init_migrate(app, migrations)  # a `flask` command: `flask db …` is one of them
    else:
        # Serving: Alembic (under Flask-Migrate) is loaded only if something migrates.
        app.extensions["migrate"] = _LazyMigrate(app, migrations)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    # The session stores plain strings: translate the lazy message when it is flashed.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"


def _init_migrate(app: Flask, migrations: Path):
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(migrations), render_as_batch=True, compare_type=True)
    return app.extensions["migrate"]


class _LazyMigrate:
    """Flask-Migrate's configuration of the app, made when first asked (flask_migrate.upgrade()
    in a test or a bench): Alembic costs a server ~0.1 s of start and memory in every worker."""

    def __init__(self, app: Flask, migrations: Path) -> None:
        self._app, self._migrations, self._real = app, migrations, None

    def __getattr__(self, name: str):
        if self._real is None:
            self._real = _init_migrate(self._app, self._migrations)
        return getattr(self._real, name)


_SIDE = "webapp.side_engine"
_side_lock = threading.Lock()


def side_engine() -> Engine:
    """The database with a connection pool of its own, for the short transactions that commit
    apart from the request's (server-side sessions, sign-in throttling).

    A request keeps its connection (db.session) until it ends. Taking a second one from the
    same pool deadlocks under load: 40 parallel sign-ins each held one connection and waited
    for another until the pool timed out. A connection of this pool is held for one short
    transaction and given back, so whoever waits for one gets it."""
    engine = current_app.extensions.get(_SIDE)
    if engine is None:
        with _side_lock:
            engine = current_app.extensions.get(_SIDE)
            if engine is None:
                main = db.engine
                # An in-memory SQLite database exists only on its one connection.
                in_memory = isinstance(main.pool, StaticPool)
                engine = (
                    main
                    if in_memory
                    else sa.create_engine(
                        main.url, **current_app.config["SQLALCHEMY_ENGINE_OPTIONS"]
                    )
                )
                current_app.extensions[_SIDE] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection of the current app (its database and the side pool), for
    an app that is done: a process about to exit, or a test's own app."""
    if (side := current_app.extensions.pop(_SIDE, None)) is not None and side is not db.engine:
        side.dispose()
    db.engine.dispose()
