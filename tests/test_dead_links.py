"""No dead ends: every link a demo account sees on the pages it works on opens for it.

Breadcrumbs and cross-links to unit pages (a province's registrations, a district's coverage,
the roll-up) were shown to commune and district committees who then met a 403. Here each demo
account opens its pages (the menu's, and those of its own units in the demo season), and every
same-site link on them is requested once: none may answer 403.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.registrations.models import RegistrationList
from webapp.seed import loader
from webapp.units.models import Unit
from webapp.units.queries import active_on

SEASON = 2017
# How many links of one kind a page contributes (see `sampled`).
PER_KIND = 8
# The pages every role starts from: home and the menu's indexes (which lead to this year's
# page of the reader's own unit). Those a role may not open are skipped: not its pages.
INDEXES = (
    "/",
    "/registrations",
    "/reports",
    "/coverage",
    "/commendations/evaluations",
    "/commendations/nominations",
    "/commendations/queue",
    "/review",
    "/units",
)
# The pages of a unit a committee works on, for the demo season.
UNIT_PAGES = (
    "/registrations/{year}/{unit}",
    "/reports/{year}/{unit}",
    "/reports/{year}/{unit}/rollup",
    "/reports/{year}/{unit}/completeness",
    "/coverage/{year}/{unit}",
    "/commendations/evaluations/{year}/{unit}",
    "/commendations/nominations/{year}/{unit}",
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def same_site_links(page_url: str, html: str) -> list[str]:
    """The page's `<a href>` targets on this site, static files and language switches left
    out. Who may open a page depends on its path, and of the query only on an organization:
    other parameters (filters, periods, where to return) are dropped, so that a matrix of
    filtered links to one unit is asked once."""
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        url = urlsplit(urljoin(page_url, href))
        if url.scheme not in ("http", "") or url.netloc not in ("", "localhost"):
            continue
        if url.path.startswith(("/static/", "/language/")):
            continue
        kept = [p for p in url.query.split("&") if p.startswith("organization_id=")]
        links.append(url.path + (f"?{kept[0]}" if kept else ""))
    return links


def sampled(links: list[str], per_kind: int = PER_KIND) -> list[str]:
    """The first `per_kind` links of each kind (the path with its numbers masked) in page
    order: breadcrumbs come first, and the rows of a long table (a province's 120 communes)
    are links of one kind judged by one rule."""
    seen: Counter[str] = Counter()
    kept = []
    for link in dict.fromkeys(links):
        kind = re.sub(r"\d+", "N", link)
        seen[kind] += 1
        if seen[kind] <= per_kind:
            kept.append(link)
    return kept


def _work_pages(account: loader.DemoAccount) -> list[str]:
    """The account's own units' pages in the demo season, and its first list there."""
    units = db.session.scalars(
        sa.select(Unit).where(
            Unit.code.in_(account.unit_codes), active_on(loader.FIRST_STRUCTURE_DAY)
        )
    ).all()
    pages = [p.format(year=SEASON, unit=u.id) for u in units for p in UNIT_PAGES]
    first_list = db.session.scalar(
        sa.select(RegistrationList)
        .where(RegistrationList.unit_id.in_([u.id for u in units]))
        .where(RegistrationList.year == SEASON)
        .order_by(RegistrationList.id)
    )
    if first_list is not None:
        pages.append(f"/registrations/lists/{first_list.id}")
        if first_list.entries:
            pages.append(f"/registrations/entries/{first_list.entries[0].id}")
            pages.append(f"/history/lists/{first_list.id}")
    return pages


@pytest.mark.parametrize("account", loader.DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_no_link_a_demo_account_sees_answers_403(app, seeded, account):
    client = app.test_client()
    response = client.post(
        "/login", data={"username": account.username, "password": account.password}
    )
    assert response.status_code == 303
    with app.app_context():
        starts = [*INDEXES, *_work_pages(account)]

    links: dict[str, str] = {}  # link → the first page it was seen on
    for start in starts:
        response = client.get(start, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.request.path
        if response.request.query_string:
            page += f"?{response.request.query_string.decode()}"
        for link in sampled(
            same_site_links(f"http://localhost{page}", response.get_data(as_text=True))
        ):
            links.setdefault(link, page)

    dead = [
        f"{account.username} on {page}: {link} answers 403"
        for link, page in links.items()
        if client.get(link).status_code == 403
    ]
    assert not dead, "\n".join(dead)
    assert len(links) > 20  # the crawl did reach the account's pages
