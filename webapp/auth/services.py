"""Authentication and password operations; callers commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from webapp import policy
from webapp.audit.services import record
from webapp.auth import sessions, throttle
from webapp.auth.models import User
from webapp.db import utcnow
from webapp.extensions import db
from webapp.policy import Action

# Letters and digits that cannot be mistaken for each other when read out over the phone.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class SignIn:
    user: User | None = None
    retry_after: int = 0  # seconds, when throttled


@cache
def _dummy_hash() -> str:
    return generate_password_hash(
        secrets.token_hex(8), method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def normalize_username(username: str) -> str:
    return username.strip().lower()


def authenticate(username: str, password: str, address: str, limits: throttle.Limits) -> SignIn:
    """Check the password unless the throttle refuses the attempt (webapp/auth/throttle.py)."""
    username = normalize_username(username)
    attempt = throttle.reserve(username, address, limits)
    if attempt.wait:
        return SignIn(retry_after=attempt.wait)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        # Spend the same time as a real check, so timing does not tell which accounts exist.
        check_password_hash(_dummy_hash(), password)
    if user is None or not user.is_active or not user.check_password(password):
        return SignIn()  # the reserved attempt stays counted as a failure
    throttle.succeeded(attempt, limits)
    user.last_login_at = utcnow()
    return SignIn(user=user)


def check_own_password(user: User, password: str, address: str, limits: throttle.Limits) -> SignIn:
    """The current-password check of a password change, throttled like a sign-in (a stolen
    session must not become a way to guess the password)."""
    attempt = throttle.reserve(user.username, address, limits)
    if attempt.wait:
        return SignIn(retry_after=attempt.wait)
    if not user.check_password(password):
        return SignIn()
    throttle.succeeded(attempt, limits)
    return SignIn(user=user)


def unlock(actor: User, target: User) -> None:
    """Clear the sign-in throttle of the account (someone's guesses slowed its owner)."""
    policy.ensure(actor, Action.USER_UNLOCK, target)
    throttle.unlock(target.username)
    record(actor, "user.unlocked", target, unit_id=target.home_unit_id)


def change_own_password(user: User, new_password: str) -> None:
    policy.ensure(user, Action.ACCOUNT_CHANGE_PASSWORD, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.session_version += 1
    sessions.end_all(user)
    record(user, "user.password_changed", user, unit_id=user.home_unit_id)


def temporary_password() -> str:
    return "-".join(
        "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3)
    )


def reset_password(actor: User, target: User) -> str:
    """Give the account a new temporary password, to be changed at the next sign-in."""
    policy.ensure(actor, Action.USER_RESET_PASSWORD, target)
    password = temporary_password()
    target.set_password(password)
    target.must_change_password = True
    target.session_version += 1
    sessions.end_all(target)
    record(actor, "user.password_reset", target, unit_id=target.home_unit_id)
    return password
