"""Where server-side sessions are kept: Redis when the app has one (every node sees the same
sessions), else the database's `user_sessions` table. Both keep, per session, the serialized
data and what a person needs to recognise it (created, last seen, browser, address), under the
SHA-256 of the cookie's random id, and can list and delete the sessions of one user.

Reads and writes made for the request's own session use a connection of their own, outside the
request's transaction (the session is saved after the view, whatever it committed); changes a
person asks for (ending sessions) go through db.session and are committed by the view."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from webapp import kv
from webapp.auth.models import UserSession
from webapp.db import utcnow
from webapp.extensions import db, side_engine


def key_of(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Record:
    key: str
    user_id: int | None
    data: str
    created_at: datetime
    last_seen_at: datetime
    user_agent: str = ""
    address: str = ""

    @property
    def expires_at(self) -> datetime:
        idle, lifetime = limits()
        return min(self.last_seen_at + idle, self.created_at + lifetime)

    def is_live(self, now: datetime) -> bool:
        return now < self.expires_at

    def seen(self, now: datetime, **changes) -> Record:
        return replace(self, last_seen_at=now, **changes)


def limits() -> tuple[timedelta, timedelta]:
    """The idle timeout and the absolute lifetime of a session."""
    config = current_app.config
    return (
        timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
    )


class DatabaseStore:
    def load(self, key: str) -> Record | None:
        with side_engine().connect() as conn:
            row = conn.execute(sa.select(UserSession.__table__).where(UserSession.key == key))
            found = row.mappings().first()
        if found is None:
            return None
        return Record(**{f: found[f] for f in Record.__dataclass_fields__})

    def save(self, record: Record, *, new: bool) -> None:
        table = UserSession.__table__
        values = asdict(record) | {"expires_at": record.expires_at}
        # The view is done, and what it left uncommitted is rolled back at teardown anyway: end
        # its transaction now. On SQLite it may hold the one writer lock (a refused submit
        # took it and returned), and this write, on a connection of its own, would wait on it.
        db.session.rollback()
        with side_engine().begin() as conn:
            if new:
                # New sessions are rare next to requests: the moment to drop the expired ones.
                conn.execute(table.delete().where(table.c.expires_at < utcnow()))
                conn.execute(table.insert().values(values))
            else:
                conn.execute(table.update().where(table.c.key == record.key).values(values))

    def delete(self, key: str) -> None:
        with side_engine().begin() as conn:
            conn.execute(UserSession.__table__.delete().where(UserSession.key == key))

    def for_user(self, user_id: int) -> list[Record]:
        rows = db.session.execute(
            sa.select(UserSession.__table__).where(
                UserSession.user_id == user_id, UserSession.expires_at > utcnow()
            )
        ).mappings()
        return [Record(**{f: row[f] for f in Record.__dataclass_fields__}) for row in rows]

    def delete_for_user(self, user_id: int, keys: list[str]) -> None:
        db.session.execute(
            sa.delete(UserSession).where(UserSession.user_id == user_id, UserSession.key.in_(keys))
        )


class RedisStore:
    """`session:<key>` holds the record (expiring with it); `session-user:<id>` the keys of a
    user's sessions, so they can be listed and ended (stale keys are dropped when listed)."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def _name(key: str) -> str:
        return f"session:{key}"

    @staticmethod
    def _index(user_id: int) -> str:
        return f"session-user:{user_id}"

    @staticmethod
    def _record(raw: bytes | None) -> Record | None:
        if raw is None:
            return None
        fields = json.loads(raw)
        for name in ("created_at", "last_seen_at"):
            fields[name] = datetime.fromisoformat(fields[name])
        return Record(**fields)

    def load(self, key: str) -> Record | None:
        return self._record(self.client.get(self._name(key)))

    def save(self, record: Record, *, new: bool) -> None:
        fields = asdict(record)
        for name in ("created_at", "last_seen_at"):
            fields[name] = fields[name].isoformat()
        ttl = max(1, int((record.expires_at - utcnow()).total_seconds()))
        pipe = self.client.pipeline()
        # An update never brings back a session ended meanwhile (signed out on another node,
        # ended by an admin) while this request was running.
        pipe.set(self._name(record.key), json.dumps(fields), ex=ttl, nx=new, xx=not new)
        if record.user_id is not None:
            # No session outlives its lifetime: nor does the index past its last session's save.
            _idle, lifetime = limits()
            pipe.sadd(self._index(record.user_id), record.key)
            pipe.expire(self._index(record.user_id), int(lifetime.total_seconds()))
        pipe.execute()

    def delete(self, key: str) -> None:
        record = self.load(key)
        pipe = self.client.pipeline()
        pipe.delete(self._name(key))
        if record is not None and record.user_id is not None:
            pipe.srem(self._index(record.user_id), key)
        pipe.execute()

    def for_user(self, user_id: int) -> list[Record]:
        keys = sorted(k.decode() for k in self.client.smembers(self._index(user_id)))
        if not keys:
            return []
        found = [self._record(raw) for raw in self.client.mget([self._name(k) for k in keys])]
        if stale := [k for k, record in zip(keys, found, strict=True) if record is None]:
            self.client.srem(self._index(user_id), *stale)
        now = utcnow()
        return [r for r in found if r is not None and r.user_id == user_id and r.is_live(now)]

    def delete_for_user(self, user_id: int, keys: list[str]) -> None:
        if keys:
            self.client.delete(*(self._name(k) for k in keys))
            self.client.srem(self._index(user_id), *keys)


def store() -> DatabaseStore | RedisStore:
    client = kv.client()
    return RedisStore(client) if client is not None else DatabaseStore()
