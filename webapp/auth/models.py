"""User, Role, RoleAssignment, LoginThrottle and UserSession."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.campaign.models import MemberOrganization
from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.units.models import Unit


class Role(Labelled, enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    PUBLISHER = "publisher"
    TRANSLATOR = "translator"
    # Approves the translators' work in one language; never their own (DESIGN §6).
    TRANSLATION_REVIEWER = "translation_reviewer"
    VIEWER = "viewer"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.ADMIN: _l("Administrator"),
            cls.EDITOR: _l("Editor"),
            cls.REVIEWER: _l("Reviewer"),
            cls.PUBLISHER: _l("Publisher"),
            cls.TRANSLATOR: _l("Translator"),
            cls.TRANSLATION_REVIEWER: _l("Translation reviewer"),
            cls.VIEWER: _l("Viewer"),
        }


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    # The unit whose Front committee or organization the person works for; admins of that
    # unit's ancestors manage the account.
    home_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Bumped when the password changes or the account is deactivated: old sessions end.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The interface language the person chose; None follows the browser, then Vietnamese.
    language: Mapped[str | None] = mapped_column(sa.String(10))

    home_unit: Mapped[Unit] = relationship()
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="RoleAssignment.user_id",
        order_by="RoleAssignment.id",
    )

    __table_args__ = (sa.CheckConstraint("username = lower(username)", name="username_lower"),)

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if current_app else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"


class RoleAssignment(db.Model):
    """A role on a unit and its subtree, optionally narrowed to an organization or a language."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_organizations.id"))
    language: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship()
    organization: Mapped[MemberOrganization | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "role NOT IN ('translator', 'translation_reviewer') OR language IS NOT NULL",
            name="translator_has_language",
        ),
    )


class LoginThrottle(db.Model):
    """One sign-in throttle counter (webapp/auth/throttle.py): failures of an account, of an
    address or of an account from an address, or an address the account signed in from. Kept in
    the database only when no Redis is configured; forgotten after `expires_at`."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    # No attempt runs before this instant (None: at once).
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UserSession(db.Model):
    """A server-side session when no Redis is configured (webapp/auth/sessions): the browser's
    cookie holds a random id, this row its SHA-256 (a copy of the table signs nobody in)."""

    __tablename__ = "user_sessions"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # None while nobody is signed in (a sign-in form's CSRF token, a flash after sign-out).
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The earlier of the idle timeout and the absolute lifetime; expired rows are purged.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(64), default="")
