"""Interface translations saved in the app, layered over the compiled catalogs.

A translator's work takes effect at once: each save is a row here and bumps the language's
generation, which every process compares with the one its cached catalog was built from.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import UTCDateTime, utcnow
from webapp.extensions import db


def message_key(msgid: str, context: str | None = None) -> str:
    """A short stable name for a catalog message, for URLs and the unique constraint
    (msgids can be paragraphs, too long for an index on every database)."""
    raw = f"{context or ''}\x04{msgid}".encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:20]


class InterfaceTranslation(db.Model):
    __tablename__ = "interface_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(10))
    key: Mapped[str] = mapped_column(sa.String(20))
    context: Mapped[str | None] = mapped_column(sa.String(200))
    msgid: Mapped[str] = mapped_column(sa.Text)
    msgid_plural: Mapped[str | None] = mapped_column(sa.Text)
    # One string, or one per plural form of the language.
    strings: Mapped[list[str]] = mapped_column(sa.JSON)
    # The Vietnamese text the translation was made from: when it changes, the translation is
    # shown to translators as "changed".
    source_vi: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    translated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    translated_by = relationship("User")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.UniqueConstraint("language", "key"),)


class CatalogGeneration(db.Model):
    """One counter per language, bumped with every saved translation."""

    __tablename__ = "catalog_generations"

    language: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
