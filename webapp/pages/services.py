"""Changes to guidance pages; callers commit.

Every save is a new revision whose HTML is rendered from Markdown and sanitized once, when it
is saved; readers get the stored HTML. Pages carry a version, so a stale save is refused.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from html import unescape

import nh3
import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import check_version
from webapp.db import utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.pages.models import Page, PageKind, PageState, Revision
from webapp.policy import Action
from webapp.text import fold
from webapp.units.models import Unit

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


class PageError(Refused):
    """A change that cannot be made; the message is shown next to `field` if any."""


def sanitize(html: str) -> str:
    """Only harmless tags and attributes, only http(s)/mailto/relative links, no scripts,
    event handlers or javascript: URLs; links to elsewhere do not pass the referrer."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


@functools.cache
def _markdown():
    """CommonMark plus tables; raw HTML in the Markdown is not passed through at all. Made
    when a publisher first saves or previews: readers get the stored HTML."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(markdown: str) -> str:
    # Headings start at h2: the page title is the h1.
    html = _markdown().render(markdown or "")
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return sanitize(html)


def plain_text(html: str) -> str:
    return unescape(nh3.clean(html, tags=set()))


# Addresses the editors' screens use under /pages/, and ids: no page may take them.
RESERVED_SLUGS = {"manage", "new"}


def slugify(text: str) -> str:
    slug = _SLUG_JUNK.sub("-", fold(text)).strip("-")[:120] or "trang"
    return f"trang-{slug}" if slug in RESERVED_SLUGS or slug.isdigit() else slug


@dataclass
class PageValues:
    title: str
    body: str
    summary: str | None = None


def _index(page: Page) -> None:
    """The folded copies search reads."""
    current = page.current
    page.search_title = fold(current.title) if current else ""
    page.search_body = fold(plain_text(current.body_html)) if current else ""


def _add_revision(actor, page: Page, values: PageValues, note: str | None = None) -> Revision:
    number = 1 + max((r.number for r in page.revisions), default=0)
    revision = Revision(
        page=page,
        number=number,
        title=values.title,
        summary=values.summary or None,
        body=values.body or "",
        body_html=render(values.body),
        note=note,
        author_id=getattr(actor, "id", None),
    )
    db.session.add(revision)
    db.session.flush()
    page.current = revision
    page.updated_at = utcnow()
    _index(page)
    return revision


def _unique_slug(parent: Page | None, slug: str, page: Page | None = None) -> None:
    clash = db.session.scalar(
        sa.select(Page.id).where(
            Page.slug == slug,
            Page.parent_id.is_(None) if parent is None else Page.parent_id == parent.id,
            Page.id != (page.id if page is not None and page.id else 0),
        )
    )
    if clash:
        raise PageError(_("Another page here already has this address."), "slug")


def create_page(
    actor,
    *,
    unit: Unit,
    parent: Page | None,
    kind: PageKind,
    values: PageValues,
    slug: str | None = None,
) -> Page:
    slug = slugify(slug or values.title)
    page = Page(unit=unit, kind=kind, slug=slug)  # joins its parent once checked
    policy.ensure(actor, Action.PAGE_EDIT, page)
    if parent is not None and not unit.is_within(parent.unit) and parent.unit != unit:
        raise PageError(_("A page belongs to the unit of its section or one below it."), "unit_id")
    if parent is None and unit.parent is not None:
        raise PageError(
            _("Only the top unit's pages stand at the top of the site: choose a section."),
            "parent_id",
        )
    _unique_slug(parent, slug)
    sort_after = [c.sort_order for c in parent.children] if parent is not None else []
    page.sort_order = 1 + max(sort_after, default=0)
    page.parent = parent
    db.session.add(page)
    db.session.flush()
    _add_revision(actor, page, values)
    record(actor, "page.created", page, unit_id=unit.id, title=values.title)
    return page


def save(actor, page: Page, version: int, values: PageValues) -> Revision:
    """A new revision from what the publisher wrote, unless someone saved meanwhile."""
    check_version(page, version)
    policy.ensure(actor, Action.PAGE_EDIT, page)
    current = page.current
    if current and (current.title, current.body, current.summary) == (
        values.title,
        values.body or "",
        values.summary or None,
    ):
        return current  # nothing changed: no empty revision
    revision = _add_revision(actor, page, values)
    db.session.flush()
    record(actor, "page.saved", page, unit_id=page.unit_id, revision=revision.number)
    return revision


def restore(actor, page: Page, version: int, revision: Revision) -> Revision:
    """Bring back an old revision's text as a new revision; history is never rewritten."""
    check_version(page, version)
    policy.ensure(actor, Action.PAGE_EDIT, page)
    restored = _add_revision(
        actor,
        page,
        PageValues(revision.title, revision.body, revision.summary),
        note=f"restored:{revision.number}",
    )
    record(
        actor,
        "page.restored",
        page,
        unit_id=page.unit_id,
        revision=restored.number,
        source=revision.number,
    )
    return restored


def set_state(actor, page: Page, version: int, state: PageState) -> Page:
    check_version(page, version)
    policy.ensure(actor, Action.PAGE_PUBLISH, page)
    if page.state == state:
        return page
    page.state = state
    if state == PageState.PUBLISHED and page.published_at is None:
        page.published_at = utcnow()
    db.session.flush()
    record(actor, f"page.{state}", page, unit_id=page.unit_id)
    return page


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff(older: Revision, newer: Revision) -> list[DiffLine]:
    """A readable line diff of two revisions' Markdown (title first)."""
    before = [f"# {older.title}", *(older.body or "").splitlines()]
    after = [f"# {newer.title}", *(newer.body or "").splitlines()]
    # Whole lines only (no character hints): fast even for long rewrites.
    lines = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", text) for text in before[i1:i2])
            continue
        lines.extend(DiffLine("removed", text) for text in before[i1:i2])
        lines.extend(DiffLine("added", text) for text in after[j1:j2])
    return lines
