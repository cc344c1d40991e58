"""What a new password must be: long enough, no control characters, not the username and not
one of the 30,000 most common passwords (the list zxcvbn ships, from Xato's corpus of leaked
passwords; see pyproject.toml). One function, used by the password change form and by
`flask create-admin`; the temporary passwords an admin issues are random and pass it."""

from __future__ import annotations

import unicodedata
from functools import cache

from flask import current_app
from flask_babel import gettext as _


@cache
def _common() -> frozenset[str]:
    # Imported on first use: the list is a 30,000-word module, needed only when a password is set.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Among the most common passwords, ignoring case and surrounding spaces."""
    return password.strip().lower() in _common()


def problem(password: str, username: str | None = None) -> str | None:
    """Why `password` may not be used (a translated sentence), or None if it may."""
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in password):
        return _("The password must not contain control characters (tabs, line breaks, NUL).")
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(min)d characters.", min=minimum)
    if username and password.strip().lower() == username.strip().lower():
        return _("The password must not be the username.")
    if is_common(password):
        return _("This password is one of the most common ones and is easily guessed.")
    return None
