"""Finding pages: by their address, the published tree, the latest guidance, an editor's pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.extensions import db
from webapp.pages.models import Page, PageKind, PageState
from webapp.policy import Action


def resolve(path: str) -> Page | None:
    """The page at a slug path such as "ke-hoach/ke-hoach-129"."""
    page = None
    for slug in [s for s in path.strip("/").split("/") if s]:
        parent = Page.parent_id.is_(None) if page is None else Page.parent_id == page.id
        page = db.session.scalar(sa.select(Page).where(parent, Page.slug == slug))
        if page is None:
            return None
    return page


def published_children(page: Page | None) -> list[Page]:
    parent = Page.parent_id.is_(None) if page is None else Page.parent_id == page.id
    return list(
        db.session.scalars(
            sa.select(Page)
            .where(parent, Page.state == PageState.PUBLISHED)
            .options(selectinload(Page.current))
            .order_by(Page.sort_order, Page.id)
        )
    )


def latest(limit: int = 5) -> list[Page]:
    """The newest published guidance, plans, forms and news (not sections)."""
    return list(
        db.session.scalars(
            sa.select(Page)
            .where(Page.state == PageState.PUBLISHED, Page.kind != PageKind.SECTION)
            .options(selectinload(Page.current))
            .order_by(Page.published_at.desc(), Page.id.desc())
            .limit(limit)
        )
    )


def editable_by(user) -> list[Page]:
    """The pages the user may edit or publish, by section."""
    return list(
        db.session.scalars(
            policy.visible(user, Action.PAGE_PUBLISH, sa.select(Page))
            .options(selectinload(Page.current))
            .order_by(Page.parent_id.nullsfirst(), Page.sort_order, Page.id)
        )
    )
