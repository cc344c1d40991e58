"""Crawl every page a person can reach by following same-site links from the home page, as a
visitor and as each demo account, running the layout checks (tests/layout.py) on each; shared
by tests/browser/test_layout.py and bench/shots.py.

A role is crawled once, at the desk width, where each link it is shown is also fetched once
(the answer cached for the role) to find links that lead to a refusal; the phone width then
revisits the same pages (in the suite, the first of each URL pattern). Links that only page
through a list, downloads and the language switch are not crawled, nor years without data
(the caller names the years), and each URL pattern (numbers and language codes replaced) is
visited at most PER_PATTERN times, so a unit tree does not become a thousand unit pages.
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from tests.layout import Vocabulary, check_page
from webapp.i18n.languages import all_languages
from webapp.seed.loader import DEMO_ACCOUNTS

VISITOR = "visitor"
# Role name → (username, password); the visitor signs in as nobody.
ROLES: dict[str, tuple[str, str] | None] = {VISITOR: None} | {
    account.username: (account.username, account.password) for account in DEMO_ACCOUNTS
}
DESK, PHONE = 1366, 360
PER_PATTERN = 2
# Links fetched per URL pattern and role: a province's matrix links to every commune, a year
# menu to every year; a sample of them answers for the rest.
LINKS_PER_PATTERN = 3
# Query keys that only page, sort or say where to go back to: such links are not crawled.
PAGING = frozenset({"page", "after", "before", "sort", "order", "next"})
# Files and switches, not pages: never crawled. Language links are not fetched either (they
# set a cookie and redirect back, for everyone).
NOT_PAGES = re.compile(r"\.(xlsx|docx|csv|pdf|po|zip)$|^/files/|^/language/|^/static/|/logout")
NOT_FETCHED = re.compile(r"^/language/|^/static/|/logout")
# A link answering with one of these is a dead end for the person shown it.
DEAD_END = (403, 404)
_DIGIT = re.compile(r"\d")
_LANGUAGE_CODES = frozenset(all_languages())
_YEAR = re.compile(r"(?<![\d])(?:19|20)\d\d(?![\d])")


@dataclass
class Visit:
    url: str
    status: int
    problems: list[tuple[str, str]]
    links: list[str] = field(default_factory=list)


@dataclass
class Crawl:
    role: str
    visits: dict[int, list[Visit]] = field(default_factory=dict)  # width → visits
    links: dict[str, int] = field(default_factory=dict)  # link → status, for this role
    seconds: dict[int, float] = field(default_factory=dict)

    @property
    def urls(self) -> list[str]:
        return [visit.url for visit in self.visits[DESK]]

    def failures(self, width: int) -> list[str]:
        """'role · width · URL · check · detail' for every problem at the width."""
        lines = []
        for visit in self.visits.get(width, []):
            problems = list(visit.problems)
            if width == DESK:
                problems += [
                    (f"link answers {self.links[link]}", link)
                    for link in dict.fromkeys(visit.links)
                    if self.links.get(link, 200) in DEAD_END or self.links.get(link, 200) >= 500
                ]
            if visit.status >= 400:
                problems.append(("page status", str(visit.status)))
            lines += [f"{self.role} · {width} · {visit.url} · {c} · {d}" for c, d in problems]
        return lines


def pattern(url: str) -> str:
    """Pages counted together for PER_PATTERN, links sampled together for LINKS_PER_PATTERN:
    the path with each part that holds a number (ids, years, message keys) or is a language
    code replaced, whatever the query."""
    return "/".join(
        "#" if _DIGIT.search(part) else "~" if part in _LANGUAGE_CODES else part
        for part in url.split("?")[0].split("/")
    )


def link_key(url: str) -> str:
    """Links fetched once for all: the same path (the query only chooses what a page shows,
    not whether the person may see it)."""
    return url.split("?")[0]


def years_in(url: str) -> set[int]:
    return {int(y) for y in _YEAR.findall(url)}


def local(href: str, base_url: str) -> str | None:
    """The path and query of a same-site link (no fragment), or None."""
    if not href.startswith(base_url + "/"):
        return None
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawlable(url: str, years: set[int] | None = None) -> bool:
    parts = urlsplit(url)
    if NOT_PAGES.search(parts.path):
        return False
    if years is not None and not years_in(url) <= years:
        return False
    keys = {key for key, _ in parse_qsl(parts.query)}
    return not keys or not keys <= PAGING


def sign_in(page, credentials: tuple[str, str] | None) -> None:
    """Through the login form, as a person would."""
    if credentials is None:
        return
    page.goto("/login", wait_until="domcontentloaded")
    page.fill("#username", credentials[0])
    page.fill("#password", credentials[1])
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _open(page, url: str) -> tuple[int, int]:
    """Go to the page: the status of the URL itself (before redirects) and of the page shown."""
    response = page.goto(url, wait_until="domcontentloaded")
    if response is None:
        return 0, 0
    request = response.request
    while request.redirected_from is not None:
        request = request.redirected_from
    first = response if request is response.request else request.response()
    return (first.status if first else response.status), response.status


def crawl(
    page,
    role: str,
    base_url: str,
    vocab: Vocabulary,
    *,
    years: set[int] | None = None,
    check_links: bool = True,
    per_pattern: int = PER_PATTERN,
    links_per_pattern: int = LINKS_PER_PATTERN,
    on_visit: Callable[[Visit], None] | None = None,
) -> Crawl:
    """Breadth first from the home page at the desk width, in a signed-in page; only pages of
    `years` (None: any) are visited, though links to others are checked."""
    page.set_viewport_size({"width": DESK, "height": 768})
    result = Crawl(role)
    visits: list[Visit] = []
    started = time.perf_counter()
    queue, queued, per = deque(["/"]), {"/"}, Counter({pattern("/"): 1})
    statuses: dict[str, int] = {}  # link_key → status
    checked: dict[str, int] = Counter()  # pattern → link keys fetched
    while queue:
        url = queue.popleft()
        first, status = _open(page, url)
        result.links[url] = first
        landed = local(page.url, base_url) or url
        if status in DEAD_END or (landed != url and landed in queued):
            continue  # a refusal (reported on the pages linking here) or a page seen already
        queued.add(landed)
        problems, hrefs = check_page(page, vocab)
        links = [link for href in hrefs if (link := local(href, base_url))]
        visit = Visit(url, status, problems, links)
        visits.append(visit)
        if on_visit:
            on_visit(visit)
        for link in links:
            if link in queued or NOT_FETCHED.search(link):
                continue
            key = pattern(link)
            if crawlable(link, years) and per[key] < per_pattern:
                per[key] += 1
                queued.add(link)
                queue.append(link)
            elif check_links and link not in result.links:
                same = link_key(link)
                if same not in statuses and checked[pattern(link)] < links_per_pattern:
                    checked[pattern(link)] += 1
                    statuses[same] = _status(page, base_url + link)
                if same in statuses:
                    result.links[link] = statuses[same]
    result.visits[DESK] = visits
    result.seconds[DESK] = time.perf_counter() - started
    return result


def _status(page, url: str) -> int:
    """The link's own answer (redirects not followed), with the role's cookies."""
    response = page.context.request.head(url, max_redirects=0)
    try:
        return response.status
    finally:
        response.dispose()


def revisit(
    page,
    result: Crawl,
    width: int,
    vocab: Vocabulary,
    *,
    per_pattern: int | None = None,
    on_visit: Callable[[Visit], None] | None = None,
) -> list[Visit]:
    """The crawled pages again at another width, the checks only: all of them, or the first
    `per_pattern` of each URL pattern (the same template with other data was checked at the
    desk width)."""
    page.set_viewport_size({"width": width, "height": 740 if width < 700 else 768})
    started = time.perf_counter()
    visits = []
    per: Counter[str] = Counter()
    for url in result.urls:
        if per_pattern is not None and per[pattern(url)] >= per_pattern:
            continue
        per[pattern(url)] += 1
        _first, status = _open(page, url)
        problems, _links = check_page(page, vocab)
        visit = Visit(url, status, problems)
        visits.append(visit)
        if on_visit:
            on_visit(visit)
    result.visits[width] = visits
    result.seconds[width] = time.perf_counter() - started
    return visits
