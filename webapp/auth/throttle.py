"""Sign-in throttling per account and per client address, kept in the database so that every
process and host behind the proxy sees the same counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from webapp.auth.models import LoginFailure
from webapp.db import utcnow
from webapp.extensions import db


@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_account: int
    per_address: int

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            window=timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"]),
            per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
            per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        )


def _retry_after(failures: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` failures remain inside the window (0: not blocked)."""
    if len(failures) < limit:
        return 0
    # The oldest failure that keeps the count at the limit must leave the window.
    blocking = sorted(failures)[len(failures) - limit]
    return max(1, math.ceil((blocking + window - now).total_seconds()))


def seconds_blocked(username: str, address: str, limits: Limits) -> int:
    now = utcnow()
    since = now - limits.window

    def times(column, value) -> list[datetime]:
        return list(
            db.session.scalars(
                sa.select(LoginFailure.occurred_at).where(
                    column == value, LoginFailure.occurred_at > since
                )
            )
        )

    return max(
        _retry_after(
            times(LoginFailure.username, username), limits.per_account, limits.window, now
        ),
        _retry_after(times(LoginFailure.address, address), limits.per_address, limits.window, now),
    )


def record_failure(username: str, address: str, limits: Limits) -> None:
    now = utcnow()
    db.session.execute(
        sa.delete(LoginFailure).where(LoginFailure.occurred_at <= now - limits.window)
    )
    db.session.add(LoginFailure(username=username, address=address, occurred_at=now))
    db.session.flush()


def clear_account(username: str) -> None:
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == username))
