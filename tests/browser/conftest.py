"""Browser fixtures: the app served for real and Chromium driven by Playwright (the demo data,
`seeded`, comes from tests/conftest.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DB, unavailable
from tests.live import CHROMIUM, chromium, serve
from webapp.auth.models import User
from webapp.campaign.models import MemberOrganization
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.registrations.models import ListState, RegistrationList
from webapp.review import services as review
from webapp.units.models import Unit

DEMO_YEAR = 2017  # the demo season
ACCOUNTS = {  # the demo accounts of the README, by what they do
    "admin": ("admin", "admin-bac-kan"),
    "editor": ("editor.pacnam", "edit-bang-thanh"),
    "reviewer": ("reviewer.pacnam", "review-pac-nam"),
    "publisher": ("publisher.backan", "dang-bai-bac-kan"),
    "translator": ("translator.tay", "dich-tieng-tay"),
    "language reviewer": ("reviewer.tay", "duyet-tieng-tay"),
}
# Checks of what Chromium draws and fetches (page weight, accessibility, layout) run on SQLite
# only: the pages are the same markup on PostgreSQL, where the flows run again for what the
# database does (locks, constraints, ordering); twice the same drawing would double the
# slowest tests for nothing.
drawing_only = pytest.mark.skipif(
    TEST_DB != "sqlite", reason="what Chromium draws does not depend on the database"
)
# Modules whose tests pytest-xdist may spread over workers: a few long tests each, so the
# spread is worth loading their demo data once more.
SPREAD = {"test_pages.py"}


def pytest_collection_modifyitems(items) -> None:
    """Under pytest-xdist (`--dist loadgroup`), keep each other browser module on one worker: its
    tests share module fixtures (the demo data, a crawl) that each worker would build again."""
    for item in items:  # every item of the session: this hook is not limited to tests/browser
        module = item.path.name
        if item.path.parent.name != "browser" or module in SPREAD:
            continue
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(module))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def base_url(app):
    with serve(app) as url:
        yield url


@pytest.fixture
def new_page(browser, base_url, seeded):
    """Pages in fresh contexts (empty cache, no cookies), with or without JavaScript."""
    contexts = []

    def make(
        *, javascript: bool = True, width: int = 360, locale: str = "vi-VN", storage_state=None
    ):
        # A phone set to Vietnamese, as our users' are: its Accept-Language picks the language
        # on a first visit. `storage_state`: cookies to start with (a signed-in account's).
        context = browser.new_context(
            locale=locale,
            java_script_enabled=javascript,
            viewport={"width": width, "height": 740},
            base_url=base_url,
            storage_state=storage_state,
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def signed_in(browser, base_url, seeded):
    """An account's cookies after it signed in once, for fresh contexts that start signed in
    (`new_page(storage_state=signed_in("editor"))`): signing in for each test was most of a
    module's time (signing in itself is tested in test_flows)."""
    states = {}

    def state(who: str):
        if who not in states:
            context = browser.new_context(locale="vi-VN", base_url=base_url)
            sign_in(context.new_page(), *ACCOUNTS[who])
            states[who] = context.storage_state()
            context.close()
        return states[who]

    return state


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def main_menu(page):
    """The main menu, opened first where it is folded away (a <details> on phones)."""
    folded = page.locator("details.fold-menu:not([open]) > summary")
    if folded.is_visible():
        folded.click()
    return page.get_by_role("navigation", name="Menu chính")


def language_menu(page):
    """The language choice, opened first (it is always folded into a <details>)."""
    folded = page.locator("details.fold-langs:not([open]) > summary")
    if folded.is_visible():
        folded.click()
    return page.locator("nav.langs")


def demo_user(username: str) -> User:
    return db.session.scalar(sa.select(User).filter_by(username=username))


def approve_demo_list(organization: str) -> RegistrationList:
    """The demo 2017 list of Bằng Thành of the organization, sent if it was a draft, its
    entries approved by the district (the review itself is tested in test_review_flows).
    Inside an app context; the caller commits."""
    editor, reviewer = demo_user("editor.pacnam"), demo_user("reviewer.pacnam")
    commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
    lead = db.session.scalar(sa.select(MemberOrganization).filter_by(code=organization))
    registration_list = db.session.scalar(
        sa.select(RegistrationList).filter_by(
            unit_id=commune.id, organization_id=lead.id, year=DEMO_YEAR
        )
    )
    if registration_list.state == ListState.DRAFT:
        registrations.submit_list(editor, registration_list)
    review.approve_all(
        reviewer, registration_list, {e.id: e.version for e in registration_list.entries}
    )
    return registration_list
