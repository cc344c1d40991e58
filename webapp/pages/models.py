"""Page (a node of the tree), Revision (every save), PageTranslation (the page in another
language) and Attachment (a stored file)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import TreeNode, UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.i18n.models import Reviewed
from webapp.labels import Labelled
from webapp.units.models import Unit


class PageKind(Labelled, enum.StrEnum):
    SECTION = "section"  # a heading of the tree: "Kế hoạch", "Hướng dẫn", "Biểu mẫu", "Tin tức"
    PLAN = "plan"
    GUIDANCE = "guidance"
    FORM = "form"
    NEWS = "news"
    DOCUMENT = "document"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.SECTION: _l("Section"),
            cls.PLAN: _l("Plan"),
            cls.GUIDANCE: _l("Guidance"),
            cls.FORM: _l("Form"),
            cls.NEWS: _l("News"),
            cls.DOCUMENT: _l("Document"),
        }


class PageState(Labelled, enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: lazy_pgettext("page", "Draft"),
            cls.PUBLISHED: lazy_pgettext("page", "Published"),
            cls.ARCHIVED: lazy_pgettext("page", "Archived"),
        }


class Page(TreeNode, db.Model):
    """A node of the tree. What it says lives in its revisions; `current` is the latest."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pages.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[PageKind] = mapped_column(str_enum(PageKind, "page_kind"))
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    # The unit whose publishers manage the page (a province page, a district page …).
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    state: Mapped[PageState] = mapped_column(
        str_enum(PageState, "page_state"), default=PageState.DRAFT
    )
    current_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Folded (no case, no accents, đ→d) copies of the current title and text, for search.
    search_title: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    search_body: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    parent: Mapped[Page | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Page]] = relationship(
        back_populates="parent", order_by="(Page.sort_order, Page.id)"
    )
    unit: Mapped[Unit] = relationship()
    current: Mapped[Revision | None] = relationship(foreign_keys=[current_revision_id])
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="page",
        foreign_keys="Revision.page_id",
        order_by="Revision.number",
        cascade="all, delete-orphan",
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="page", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("parent_id", "slug"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("state", PageState.DRAFT)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<Page {self.id} {self.slug}>"

    @property
    def title(self) -> str:
        return self.current.title if self.current else self.slug

    @property
    def path(self) -> str:
        return "/".join(p.slug for p in reversed(self.ancestors()))


class Revision(db.Model):
    """One save of a page: its title and Markdown, and the sanitized HTML made from them once."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"))
    number: Mapped[int]
    language: Mapped[str] = mapped_column(sa.String(8), default="vi", server_default="vi")
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str | None] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # Rendered when saved: readers never wait for Markdown. Sanitized before it is stored.
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    note: Mapped[str | None] = mapped_column(sa.String(300))  # "restored from revision 3"
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    page: Mapped[Page] = relationship(back_populates="revisions", foreign_keys=[page_id])
    author = relationship("User")

    __table_args__ = (sa.UniqueConstraint("page_id", "language", "number"),)


ORIGINAL_LANGUAGE = "vi"


class TranslationState(Labelled, enum.StrEnum):
    """A translator writes a draft and sends it for review; a reviewer of the language (another
    person) approves it, which publishes it to readers."""

    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.DRAFT: lazy_pgettext("translation", "Draft"),
            cls.REVIEW: _l("Needs review"),
            cls.PUBLISHED: lazy_pgettext("translation", "Published"),
        }


class PageTranslation(db.Model):
    """A page in another language than Vietnamese, and the revision of the Vietnamese original
    it was made from: when the original's text changes after that, the translation is outdated."""

    __tablename__ = "page_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str | None] = mapped_column(sa.String(500))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # Rendered and sanitized when saved, by the same renderer as the original's revisions.
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    search_title: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    search_body: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    source_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("revisions.id", ondelete="SET NULL")
    )
    state: Mapped[TranslationState] = mapped_column(
        str_enum(TranslationState, "translation_state"), default=TranslationState.DRAFT
    )
    translated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    review_note: Mapped[str | None] = mapped_column(sa.String(500))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    page: Mapped[Page] = relationship()
    source: Mapped[Revision | None] = relationship()
    translated_by = relationship("User", foreign_keys=[translated_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("page_id", "language"),
        sa.CheckConstraint(f"language <> '{ORIGINAL_LANGUAGE}'", name="not_the_original"),
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("state", TranslationState.DRAFT)
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        return f"<PageTranslation {self.page_id} {self.language}>"

    @property
    def is_published(self) -> bool:
        return self.id is not None and self.state == TranslationState.PUBLISHED

    @property
    def outdated(self) -> bool:
        """The original's title, summary or text changed since the revision translated."""
        current = self.page.current
        if self.id is None or current is None or self.source_revision_id == current.id:
            return False
        source = self.source
        return source is None or _text(source) != _text(current)


def _text(revision: Revision) -> tuple:
    return (revision.title, revision.summary or None, revision.body or "")


class Attachment(db.Model):
    """A file on a page, stored outside the web root under a generated name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(255))  # cleaned, for downloads only
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    search_title: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    page: Mapped[Page] = relationship(back_populates="attachments")
    uploaded_by = relationship("User")

    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_not_negative"),)


class Recording(Reviewed, db.Model):
    """A guidance page, or one of the campaign's contents, read aloud in a language: often how
    Mông and Dao readers are best reached, and possible before any written translation exists.
    Uploaded by a translator of the language (`translated_by`), played to readers once a
    reviewer of the language, another person, approved it. The file is kept like an
    attachment's (files.py). Exactly one subject: a page or a content."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True
    )
    content_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(10))
    stored_name: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    seconds: Mapped[int]  # the duration, rounded up
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    page: Mapped[Page | None] = relationship()
    content = relationship("Content")

    __table_args__ = (
        sa.CheckConstraint("size > 0 AND seconds > 0", name="positive"),
        sa.CheckConstraint("(page_id IS NULL) <> (content_id IS NULL)", name="one_subject"),
    )
