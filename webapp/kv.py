"""Redis, when the configuration names one (REDIS_URL): the store every app node shares for
sessions, throttles and caches. Without it (`make run`, one host) those fall back to the
database, so the embedded demo needs nothing more than SQLite.

What belongs here: the connection and nothing that knows what is kept in it."""

from __future__ import annotations

import redis
from flask import Flask, current_app

_KEY = "webapp.redis"


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    # One client per app: it keeps a connection pool that every thread of the process shares.
    app.extensions[_KEY] = (
        redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5) if url else None
    )


def client() -> redis.Redis | None:
    """The shared Redis of this app, or None when it runs without one."""
    return current_app.extensions.get(_KEY)
