"""Browser fixtures: the app served for real, Bắc Kạn seeded, and Chromium driven by Playwright."""

from __future__ import annotations

import pytest

from tests.conftest import _wipe, unavailable
from tests.live import CHROMIUM, chromium, serve
from webapp.extensions import db
from webapp.seed import demo_season, guidance, loader


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


@pytest.fixture(scope="module")
def seeded(app):
    """Bắc Kạn, the campaign, the demo accounts, their 2017 season and the guidance pages,
    once per module."""
    with app.app_context():
        loader.load_units()
        loader.load_campaign()
        loader.load_demo_accounts()
        demo_season.load_demo_season()
        guidance.load_guidance()
        db.session.commit()
        db.session.remove()
    yield
    _wipe(app)


@pytest.fixture
def new_page(browser, base_url, seeded):
    """Pages in fresh contexts (empty cache, no cookies), with or without JavaScript."""
    contexts = []

    def make(*, javascript: bool = True, width: int = 360, locale: str = "vi-VN"):
        # A phone set to Vietnamese, as our users' are: its Accept-Language picks the language
        # on a first visit.
        context = browser.new_context(
            locale=locale,
            java_script_enabled=javascript,
            viewport={"width": width, "height": 740},
            base_url=base_url,
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


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
