"""Loading the signed-in user from the session cookie."""

from __future__ import annotations

from webapp.auth.models import User
from webapp.extensions import db, login_manager


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


def init_app() -> None:
    """Let the login manager load the signed-in user through this module."""
    login_manager.user_loader(load_user)
