"""What production refuses at start-up beyond the configuration itself (config.py checks the
secret key and the database): demo accounts that still have the README's passwords."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from webapp.auth.models import User
from webapp.config import UnsafeProduction
from webapp.extensions import db
from webapp.seed.loader import DEMO_ACCOUNTS


def demo_accounts_with_readme_passwords() -> list[str]:
    """The demo accounts whose password is still the one the README prints."""
    readme = {account.username: account.password for account in DEMO_ACCOUNTS}
    try:
        users = db.session.scalars(sa.select(User).where(User.username.in_(readme))).all()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return []  # no tables yet: `flask db upgrade` has not run
    return sorted(user.username for user in users if user.check_password(readme[user.username]))


def refuse_demo_passwords(app: Flask) -> None:
    with app.app_context():
        found = demo_accounts_with_readme_passwords()
        db.session.remove()
        if found:
            db.engine.dispose()  # the app is not going to serve
    if found:
        raise UnsafeProduction(
            f"Demo accounts still have the README's passwords: {', '.join(found)}. Change them "
            "(`flask set-password USERNAME`) or deactivate them; refusing to start."
        )
