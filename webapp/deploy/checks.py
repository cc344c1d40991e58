"""What production refuses at start-up beyond the configuration itself (config.py checks the
secret key and the database): demo accounts that still have the README's passwords."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from webapp.auth.models import User
from webapp.config import UnsafeProduction
from webapp.extensions import db
from webapp.seed.loader import DEMO_ACCOUNTS

# Password hashes already found not to be the README's (a digest of account and hash each):
# scrypt costs ~0.14 s per account, and a hash, salted, is only ever checked once.
CHECKED_FILE = "checked_passwords"


def _digest(user: User) -> str:
    return hashlib.sha256(f"{user.username}\0{user.password_hash}".encode()).hexdigest()


def demo_accounts_with_readme_passwords(checked: set[str] | None = None) -> list[str]:
    """The demo accounts whose password is still the one the README prints; the digests of
    those found safe are added to `checked` (and those already in it are not checked again)."""
    checked = set() if checked is None else checked
    readme = {account.username: account.password for account in DEMO_ACCOUNTS}
    try:
        users = db.session.scalars(sa.select(User).where(User.username.in_(readme))).all()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return []  # no tables yet: `flask db upgrade` has not run
    found = []
    for user in users:
        if _digest(user) in checked:
            continue
        if user.check_password(readme[user.username]):
            found.append(user.username)
        else:
            checked.add(_digest(user))
    return sorted(found)


def refuse_demo_passwords(app: Flask) -> None:
    path = Path(app.instance_path) / CHECKED_FILE
    checked = set(path.read_text().split()) if path.is_file() else set()
    known = len(checked)
    with app.app_context():
        found = demo_accounts_with_readme_passwords(checked)
        db.session.remove()
        if found:
            db.engine.dispose()  # the app is not going to serve
    if len(checked) > known:
        with contextlib.suppress(OSError):  # a read-only instance folder checks every time
            descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write("\n".join(sorted(checked)))
    if found:
        raise UnsafeProduction(
            f"Demo accounts still have the README's passwords: {', '.join(found)}. Change them "
            "(`flask set-password USERNAME`) or deactivate them; refusing to start."
        )
