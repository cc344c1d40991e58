"""The SessionInterface that keeps Flask's session on the server (store.py): the cookie
carries a random id and nothing else."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SessionInterface
from flask.sessions import session_json_serializer as serializer
from werkzeug.wrappers import Response

from webapp.auth.sessions.store import Record, key_of, store
from webapp.db import utcnow

# Last seen (and the idle timeout with it) is written at most this often for a session.
TOUCH_EVERY = timedelta(minutes=1)
_MAX_ID_LENGTH = 100


class ServerSession(SecureCookieSession):
    """The session's data, with the stored record it came from (None: not stored yet)."""

    def __init__(
        self,
        initial=None,
        record: Record | None = None,
        had_cookie: bool = False,
        skipped: bool = False,
    ):
        super().__init__(initial)
        self.record = record
        self.had_cookie = had_cookie
        self.renew = False
        self.skipped = skipped  # a static file: the store is neither read nor written

    def regenerate(self) -> None:
        """Move the data to a new id at the end of the request and delete the old record:
        whoever knew the old id (a planted or copied cookie) holds nothing."""
        self.renew = True
        self.modified = True


# Flask-Login's bookkeeping, meaningless without a signed-in user (it marks a visitor's session
# "not fresh" when it protects it): alone, it is not worth a session.
_BOOKKEEPING = frozenset({"_fresh", "_id"})


def _worth_keeping(data) -> bool:
    return any(key not in _BOOKKEEPING for key in data)


def _user_id(data) -> int | None:
    """Flask-Login keeps "<id>.<session version>" (webapp/auth/sessions/__init__.py)."""
    raw, _, _version = str(data.get("_user_id", "")).partition(".")
    return int(raw) if raw.isdigit() else None


class ServerSessionInterface(SessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure whenever the request came over HTTPS, even if the configuration forgot."""
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if app.static_url_path and request.path.startswith(app.static_url_path + "/"):
            return ServerSession(skipped=True)
        session_id = request.cookies.get(self.get_cookie_name(app))
        if not session_id or len(session_id) > _MAX_ID_LENGTH:
            return ServerSession(had_cookie=bool(session_id))
        record = store().load(key_of(session_id))
        if record is None or not record.is_live(utcnow()):
            return ServerSession(had_cookie=True)
        try:
            data = serializer.loads(record.data)
        except ValueError:
            data = {}
        return ServerSession(data, record=record, had_cookie=True)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        if session.skipped:
            return
        if session.accessed:
            response.vary.add("Cookie")
        kept = store()
        keep = _worth_keeping(session)
        if session.record is not None and (session.renew or not keep):
            kept.delete(session.record.key)
            session.record = None
        if not keep:
            # Nothing to keep: no record, no cookie (a visitor reading public pages gets none).
            if session.had_cookie:
                response.delete_cookie(
                    self.get_cookie_name(app),
                    domain=self.get_cookie_domain(app),
                    path=self.get_cookie_path(app),
                    secure=self.get_cookie_secure(app),
                    httponly=self.get_cookie_httponly(app),
                    samesite=self.get_cookie_samesite(app),
                )
            return
        now = utcnow()
        seen = {
            "data": serializer.dumps(dict(session)),
            "user_id": _user_id(session),
            "address": (request.remote_addr or "")[:64],
        }
        if session.record is None:
            session_id = secrets.token_urlsafe(32)
            kept.save(
                Record(
                    key=key_of(session_id),
                    created_at=now,
                    last_seen_at=now,
                    # The browser that signed in: how its owner recognises the session.
                    user_agent=request.user_agent.string[:200],
                    **seen,
                ),
                new=True,
            )
            response.set_cookie(
                self.get_cookie_name(app),
                session_id,
                expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app),
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
            )
            response.vary.add("Cookie")
        elif session.modified or now - session.record.last_seen_at >= TOUCH_EVERY:
            kept.save(session.record.seen(now, **seen), new=False)
