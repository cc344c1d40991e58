"""Server-side sessions: who is signed in, on which browsers, and ending those sessions.

The cookie carries only a random id; the session's data lives on the server, in Redis when
REDIS_URL is configured (shared by every app node) and otherwise in the database
(`user_sessions`, for `make run`). A session ends after SESSION_IDLE_MINUTES without a request
and SESSION_LIFETIME_HOURS after it began, at sign-out, or when ended from the sessions page
(by its owner) or the user's admin page. Signing in (and changing the password) moves the
session to a new id with a new CSRF token, so a planted or copied cookie holds nothing.

Why our own SessionInterface rather than Flask-Session 0.8: Flask-Session's SQLAlchemy backend
creates its table itself (outside Alembic) and neither backend keeps an index of a user's
sessions, which listing and ending them needs; the two small stores here (store.py) give both
backends the same interface in about 150 lines.

The user id in the session stays "<id>.<session_version>" (Flask-Login's `_user_id`): a changed
password or a deactivation also ends any session a store could not reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, g, request, session
from flask_login import current_user, login_user, logout_user

from webapp.auth.models import User
from webapp.auth.sessions.interface import ServerSession, ServerSessionInterface
from webapp.auth.sessions.store import store
from webapp.extensions import db, login_manager

__all__ = ["ServerSession", "begin", "end", "end_all", "init_app", "load_user", "of_user"]


@dataclass(frozen=True)
class ActiveSession:
    """What a person needs to recognise one of their sessions."""

    key: str
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    address: str
    is_current: bool

    @property
    def device(self) -> str:
        return describe(self.user_agent)


# Checked in order: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Opera", "Opera"),
    ("Coc Coc", "Cốc Cốc"),
    ("Firefox", "Firefox"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe(user_agent: str) -> str:
    """ "Firefox, Windows": enough to recognise one's own browsers in the list; the full string
    is shown beside it."""
    found = [
        next((name for token, name in known if token in user_agent), "")
        for known in (_BROWSERS, _SYSTEMS)
    ]
    return ", ".join(part for part in found if part) or (user_agent[:40] or "?")


def load_user(session_id: str) -> User | None:
    """The session holds "<id>.<session_version>": a changed password or a deactivated account
    ends every older session."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def begin(user: User) -> None:
    """Sign `user` in on a new session id with a new CSRF token (at sign-in and at a password
    change): the old id, and a token read before, are worth nothing."""
    session.regenerate()
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    login_user(user)


def end() -> None:
    """Sign out: the stored session is deleted, a copied cookie opens nothing."""
    logout_user()
    session.clear()
    session.regenerate()


def current_key() -> str | None:
    record = getattr(session, "record", None)
    return record.key if record is not None else None


def of_user(user: User) -> list[ActiveSession]:
    """The user's live sessions, the current one first, then the most recently seen."""
    current = current_key() if request else None
    found = [
        ActiveSession(
            key=r.key,
            created_at=r.created_at,
            last_seen_at=r.last_seen_at,
            user_agent=r.user_agent,
            address=r.address,
            is_current=r.key == current,
        )
        for r in store().for_user(user.id)
    ]
    return sorted(found, key=lambda s: (not s.is_current, -s.last_seen_at.timestamp()))


def end_all(user: User, *, keep: str | None = None, only: str | None = None) -> int:
    """End the user's sessions (all of them, all but `keep`, or just `only`); how many ended.
    In the database the deletion joins the caller's transaction; Redis deletes at once."""
    keys = [
        r.key
        for r in store().for_user(user.id)
        if r.key != keep and (only is None or r.key == only)
    ]
    store().delete_for_user(user.id, keys)
    return len(keys)


def _no_store_when_signed_in(response):
    """A signed-in page stays out of every cache (a shared office PC's back button, a proxy)."""
    if request.endpoint != "static" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers.pop("Expires", None)  # a file's Expires (send_file) would contradict it
    return response


def init_app(app: Flask) -> None:
    """Keep sessions on the server and let the login manager load the user through here."""
    app.session_interface = ServerSessionInterface()
    login_manager.user_loader(load_user)
    app.after_request(_no_store_when_signed_in)
