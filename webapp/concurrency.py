"""Concurrency: two people changing one row. Every versioned row (`version_id_col`) is saved
against the version its user saw; a save that finds another version raises `StaleVersion`,
and the view shows the conflict instead of overwriting what the other person saved.

What belongs here: the one stale error, the row lock with its version check, the flush that
turns SQLAlchemy's own version check into that error, reading the version a form carried, and
`saving()`, the one "save, or show the conflict" guard every capability's views use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from webapp.extensions import db
from webapp.forms import Form


class StaleVersion(Exception):
    """The row changed since the user loaded it; `current` holds what is saved now (None: it
    was deleted meanwhile, or two first saves met and the other one won).

    Not a `Refused`: nothing is wrong with what the user asked, only someone was first."""

    def __init__(self, current: Any):
        super().__init__("stale version")
        self.current = current


def take_write_lock() -> None:
    """SQLite has no row locks: take the database's one write lock now, before the reads that
    decide a write (BEGIN IMMEDIATE; waits up to busy_timeout for another writer to finish).
    A no-op on PostgreSQL, whose row locks (FOR UPDATE) do this per row.

    Why here and not for every transaction, nor for every POST: Python's sqlite3 (its default
    transaction control, which we keep) begins a transaction only right before the first
    INSERT/UPDATE/DELETE, so reads run outside any transaction and hold no snapshot. A GET
    therefore never waits for a writer nor makes one wait (WAL), and a transaction's first
    write, being its first statement, waits for the lock like BEGIN IMMEDIATE would. What was
    missing is the lock *before* the reads a write depends on (a list's entries before a
    submit; the last position before an add), and those reads all go through lock_current.
    Taking it for every POST would also hold the lock through password hashing at sign-in and
    serialise requests that only read; a plain BEGIN (deferred) for every transaction would
    pin a WAL snapshot at the first read, and the later write would fail at once with
    SQLITE_BUSY_SNAPSHOT whenever another writer committed in between, which no timeout cures.

    A transaction already begun has written (it holds the lock) or opened a savepoint around
    a write: leave it as it is."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_current(row, version: int | None = None) -> None:
    """Take the row lock (SELECT … FOR UPDATE on PostgreSQL; the write lock on SQLite, see
    take_write_lock), reload what others committed meanwhile, and refuse if the row is not at
    `version`, the one the user saw (StaleVersion(None): deleted meanwhile). Without
    `version`: lock and reload only."""
    take_write_lock()
    model = type(row)
    db.session.execute(sa.select(model.id).where(model.id == row.id).with_for_update())
    try:
        db.session.refresh(row)
    except InvalidRequestError:  # deleted meanwhile
        raise StaleVersion(None) from None
    if version is not None:
        check_version(row, version)


def check_version(row, version: int) -> None:
    """Refuse unless the row (already locked and fresh) is at the version the user saw."""
    if row.version != version:
        raise StaleVersion(row)


def flush_or_stale(obj) -> None:
    """Write now; a concurrent save that slipped past the lock (a write that took no lock
    first) is caught by the version column and reported like any stale save."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleVersion(obj) from None


def hidden_id(text: str | None) -> int:
    """A number from a hidden field; 0 (never a real id or version) when missing or garbled."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0


def version_of(form) -> int:
    """The version the user saw; 0 (never a real version) when missing or garbled."""
    return hidden_id(form.version.data)


class VersionForm(Form):
    """A confirmation that carries the version the user saw (delete, submit)."""

    version = HiddenField()


class Attempt:
    """What came of a save run under `saving()`: committed (`saved`), someone was first
    (`stale`, the StaleVersion) or the service refused (`refused`, the error)."""

    def __init__(self) -> None:
        self.stale: StaleVersion | None = None
        self.refused: Exception | None = None

    @property
    def saved(self) -> bool:
        return self.stale is None and self.refused is None


@contextmanager
def saving(*refusals: type[Exception], conflicts: tuple = ()) -> Iterator[Attempt]:
    """Save, or show the conflict: run the block (the service call), commit when it went
    through; when someone else was first, roll back and set `attempt.stale` instead of
    failing. `refusals` are the service errors the view answers itself (`attempt.refused`,
    rolled back too); `conflicts` are further errors that mean "someone was first" here
    (e.g. a unique key two first saves both claimed), reported as StaleVersion(None).

    The view then reloads what is saved now and answers as it does: the form kept as typed
    (`keep_typed`) with 409, or a word and the page as it stands."""
    attempt = Attempt()
    try:
        yield attempt
        db.session.commit()
    except StaleVersion as stale:
        db.session.rollback()
        attempt.stale = stale
    except (StaleDataError, *conflicts):  # a version check or a key met at commit
        db.session.rollback()
        attempt.stale = StaleVersion(None)
    except refusals as error:
        db.session.rollback()
        attempt.refused = error


def keep_typed(form, current, message: str | None = None, *, missing: str = "") -> None:
    """After a stale save: the form keeps what the user typed, now against the version saved
    meanwhile (so saving again keeps theirs), and says why atop the form."""
    saved = current is not None and getattr(current, "id", None) is not None
    form.version.data = str(current.version) if saved else missing
    if message:
        form.form_errors.append(message)
