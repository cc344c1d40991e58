"""Every page a crawl reaches, as a visitor and as each demo account, at a desk's 1366 px (and
the first page of each URL pattern at a phone's 360 px) passes the layout checks of
tests/layout.py, and every link a person is shown answers them with something other than a
refusal. The data is the demo season and the current
year's (tests/scenario.py), so matrices, reports and queues have rows.

SQLite only (`drawing_only`): the pages are the same on PostgreSQL.
"""

from __future__ import annotations

import time

import pytest

from tests import scenario
from tests.browser.conftest import drawing_only
from tests.conftest import _wipe
from tests.crawl import DESK, PHONE, ROLES, crawl, revisit, sign_in
from tests.layout import vocabulary
from webapp.db import local_today
from webapp.extensions import db

pytestmark = [pytest.mark.browser, drawing_only]
SHOWN = 150  # failures listed in the assertion message; the count is always complete


@pytest.fixture(scope="module")
def lived_in(app) -> set[int]:
    """The demo data and this year's season (the app's year, tests/conftest.py:clock); yields
    the years with data: links to other years are checked but not crawled."""
    with app.app_context():
        year = local_today().year
        scenario.build(year)
        db.session.commit()
        db.session.remove()
    yield {scenario.DEMO_YEAR, year}
    _wipe(app)


@pytest.fixture(scope="module")
def crawls(app, browser, base_url, lived_in):
    """Each role crawled once (at the desk width, links checked), on first use; its signed-in
    page kept for the phone width."""
    vocab = vocabulary(tuple(app.config["LANGUAGES"]))
    done, contexts, started = {}, [], time.perf_counter()

    def get(role: str):
        if role not in done:
            context = browser.new_context(locale="vi-VN", base_url=base_url)
            contexts.append(context)
            page = context.new_page()
            sign_in(page, ROLES[role])
            done[role] = (page, crawl(page, role, base_url, vocab, years=lived_in))
        return done[role]

    get.vocab = vocab
    yield get
    for context in contexts:
        context.close()
    pages = sum(len(v) for _, result in done.values() for v in result.visits.values())
    print(f"\nlayout crawl: {pages} page visits, {time.perf_counter() - started:.0f} s")
    for role, (_, result) in done.items():
        times = ", ".join(f"{w} px {s:.1f} s" for w, s in result.seconds.items())
        print(f"  {role}: {len(result.urls)} pages, {len(result.links)} links; {times}")


@pytest.mark.parametrize("width", [DESK, PHONE])
# Under pytest-xdist both widths of a role go to one worker: the phone width revisits the pages
# the desk width's crawl found (`crawls` keeps them per worker).
@pytest.mark.parametrize(
    "role", [pytest.param(role, marks=pytest.mark.xdist_group(f"layout-{role}")) for role in ROLES]
)
def test_every_crawled_page_passes_the_layout_checks(crawls, role, width):
    page, result = crawls(role)
    if width not in result.visits:
        revisit(page, result, width, crawls.vocab, per_pattern=1)
    assert len(result.urls) > 5, f"{role}: the crawl reached only {result.urls}"
    failures = result.failures(width)
    summary = ", ".join(
        f"{check} {n}"
        for check, n in sorted(
            _count(line.split(" · ")[3] for line in failures).items(), key=lambda x: -x[1]
        )
    )
    more = [f"… and {len(failures) - SHOWN} more"] if failures[SHOWN:] else []
    assert failures == [], (
        f"{len(failures)} problems on {len(result.urls)} pages ({summary}):\n"
        + "\n".join(failures[:SHOWN] + more)
    )


def _count(items) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts
