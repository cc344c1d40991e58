"""Translations made in the app: interface strings (layered over the compiled catalogs), the
campaign's own words (contents, organizations, model types, report figures, rules: any catalogue
row), and each language's glossary.

A translator's work is a draft until a reviewer of the language, another person, approves it:
only approved text is served. Approving bumps the language's generation, which every process
compares with the one its cached catalog was built from.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from webapp.db import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.labels import Labelled


class ReviewState(Labelled, enum.StrEnum):
    """Where a translator's latest text stands: a draft, sent for review, or approved (served)."""

    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: lazy_pgettext("translation", "Draft"),
            cls.REVIEW: _l("Needs review"),
            cls.APPROVED: lazy_pgettext("translation", "Approved"),
        }


class Reviewed:
    """Columns of a translation that a second person approves: who wrote the text in force as
    a draft, who approved what is served, and whether the text came from a machine (never
    served until a person has reviewed it)."""

    state: Mapped[ReviewState] = mapped_column(
        str_enum(ReviewState, "review_state"), default=ReviewState.DRAFT
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_machine_drafted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Why a reviewer sent the text back to its translator.
    review_note: Mapped[str | None] = mapped_column(sa.String(500))
    translated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr
    def translated_by(cls):
        return relationship("User", foreign_keys=[cls.translated_by_id])

    @declared_attr
    def approved_by(cls):
        return relationship("User", foreign_keys=[cls.approved_by_id])

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}

    def __init__(self, **kwargs):
        kwargs.setdefault("state", ReviewState.DRAFT)
        super().__init__(**kwargs)


def message_key(msgid: str, context: str | None = None) -> str:
    """A short stable name for a catalog message, for URLs and the unique constraint
    (msgids can be paragraphs, too long for an index on every database)."""
    raw = f"{context or ''}\x04{msgid}".encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:20]


class InterfaceTranslation(Reviewed, db.Model):
    """A language's text for one interface string: the translator's latest (`strings`, with
    the Vietnamese it was made from) and the approved text served (`approved_strings`, with
    its Vietnamese), which stays in force while a newer draft waits for review."""

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
    approved_strings: Mapped[list[str] | None] = mapped_column(sa.JSON)
    approved_source_vi: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("language", "key"),)


class CatalogGeneration(db.Model):
    """One counter per language, bumped with every saved translation."""

    __tablename__ = "catalog_generations"

    language: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")


class WordTranslation(Reviewed, db.Model):
    """The campaign's own words in a language: one text of one catalogue row (a content's short
    name, an organization's name …), made from the Vietnamese `source_vi`; served once approved,
    outdated when the Vietnamese changes. Catalogues are named by kind, so a future catalogue
    needs no new table."""

    __tablename__ = "word_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # e.g. "content.short", "organization.name"
    row_id: Mapped[int]
    language: Mapped[str] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text)
    source_vi: Mapped[str] = mapped_column(sa.Text)
    approved_text: Mapped[str | None] = mapped_column(sa.Text)
    approved_source_vi: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("kind", "row_id", "language"),)


class GlossaryTerm(db.Model):
    """A campaign term and how it is said in a language, kept by the language's reviewers and
    shown to translators beside the strings, so one word is translated one way."""

    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(10))
    term_vi: Mapped[str] = mapped_column(sa.String(200))
    term: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("language", "term_vi"),)
