"""Redis, when the configuration names one (REDIS_URL): the store every app node shares for
sessions, throttles and caches. Without it (`make run`, one host) those fall back to the
database, so the embedded demo needs nothing more than SQLite; a cache of bytes (`cached`,
`keep`) falls back to this process's memory, bounded.

What belongs here: the connection and nothing that knows what is kept in it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    import redis

_KEY = "webapp.redis"
_MEMORY = "webapp.kv.memory"
# In-process cache without Redis: what one worker of `make run` keeps at most.
MEMORY_MAX_BYTES = 32 * 1024 * 1024


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    client = None
    if url:
        import redis  # only a deployment with Redis pays for the client

        # One client per app: it keeps a connection pool that every thread of the process shares.
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    app.extensions[_KEY] = client
    app.extensions[_MEMORY] = _Memory(MEMORY_MAX_BYTES)


def client() -> redis.Redis | None:
    """The shared Redis of this app, or None when it runs without one."""
    return current_app.extensions.get(_KEY)


def cached(key: str) -> bytes | None:
    """Bytes kept under key by `keep`, from Redis or else this process's memory."""
    shared = client()
    if shared is not None:
        return shared.get(key)
    return current_app.extensions[_MEMORY].get(key)


def keep(values: dict[str, bytes], seconds: int) -> None:
    """Keep each value under its key for a while (Redis), or until memory runs short."""
    shared = client()
    if shared is not None:
        with shared.pipeline(transaction=False) as pipe:
            for key, value in values.items():
                pipe.set(key, value, ex=seconds)
            pipe.execute()
        return
    memory = current_app.extensions[_MEMORY]
    for key, value in values.items():
        memory.put(key, value)


def forget_memory() -> None:
    """Empty this process's cache (a database wiped by a test counts its generations again
    from 0)."""
    current_app.extensions[_MEMORY] = _Memory(MEMORY_MAX_BYTES)


def forget(prefix: str) -> int:
    """Drop every cached key that starts with prefix, in Redis and this process; how many."""
    forget_memory()
    shared = client()
    if shared is None:
        return 0
    keys = list(shared.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        shared.delete(*keys[start : start + 1000])
    return len(keys)


class _Memory:
    """Least recently used first out, bounded by the bytes kept; shared by a worker's threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return
        with self.lock:
            old = self.items.pop(key, None)
            self.size += len(value) - (len(old) if old is not None else 0)
            self.items[key] = value
            while self.size > self.max_bytes:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped)
