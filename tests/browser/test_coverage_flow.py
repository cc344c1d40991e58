"""The coverage flow in Chromium, with JavaScript on and off, on a phone and at a desk: the
district reviewer opens the coverage of Pác Nặm for the demo season, sees the gaps marked,
drills down from the district to a commune and to the entries behind a cell, opens the gap
list and downloads it; the workbook holds the rows the page shows, and the pages keep to
their weight budgets."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.browser.conftest import main_menu, sign_in
from tests.live import NetworkMeter
from webapp import policy
from webapp.auth.models import User
from webapp.extensions import db
from webapp.policy import Action
from webapp.registrations.models import ListState, RegistrationList
from webapp.review import services as review
from webapp.units.models import Unit
from webapp.units.queries import subtree_ids

pytestmark = pytest.mark.browser

YEAR = 2017
FIRST_LOAD_BUDGET = 40 * 1024
REPEAT_VIEW_BUDGET = 15 * 1024


@pytest.fixture(scope="module")
def district(app, seeded) -> tuple[int, str]:
    """Pác Nặm with its reviewer's decisions made: the demo season leaves its lists submitted,
    and coverage counts approved entries only. Approved through the review service, as the
    reviewer would on the review pages."""
    with app.app_context():
        reviewer = db.session.scalar(sa.select(User).filter_by(username="reviewer.pacnam"))
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "060"))
        lists = db.session.scalars(
            sa.select(RegistrationList).where(
                RegistrationList.year == YEAR,
                RegistrationList.state == ListState.SUBMITTED,
                RegistrationList.unit_id.in_(subtree_ids([unit.id])),
            )
        ).all()
        approved = 0
        for registration_list in lists:
            if not policy.can(reviewer, Action.LIST_APPROVE, registration_list):
                continue  # the district's own lists go to the province
            seen = {e.id: e.version for e in registration_list.entries}
            approved += review.approve_all(reviewer, registration_list, seen)[0]
        db.session.commit()
        assert approved > 0
        result = unit.id, unit.name
        db.session.remove()
        return result


def _weights(page, path: str) -> tuple[int, int]:
    """Bytes over the wire for a first load (empty cache) and a repeat view of `path`."""
    meter = NetworkMeter(page)
    meter.clear_cache()
    meter.reset()
    page.goto(path, wait_until="load")
    page.wait_for_timeout(100)
    first = meter.total
    meter.reset()
    page.goto(path, wait_until="load")
    page.wait_for_timeout(100)
    return first, meter.total


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


@pytest.mark.parametrize("width", [360, 1280], ids=["phone", "desk"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_reviewer_drills_down_and_downloads_the_gap_list(new_page, district, javascript, width):
    district_id, district_name = district
    page = new_page(javascript=javascript, width=width)
    sign_in(page, "reviewer.pacnam", "review-pac-nam")

    # The menu opens this year's coverage of the reviewer's district; the season is 2017.
    main_menu(page).get_by_role("link", name="Mức độ bao phủ").click()
    page.wait_for_url(f"**/coverage/*/{district_id}")
    page.locator("nav.years").get_by_role("link", name=str(YEAR), exact=True).click()
    page.wait_for_url(f"**/coverage/{YEAR}/{district_id}")
    assert district_name in _text(page.locator("h1"))
    gaps = page.locator("table.matrix td.gap")
    assert gaps.count() > 0
    colour = gaps.first.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted, not plain
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Drill down: a commune with approved entries, its card, the entries behind a cell.
    row = page.locator("table.matrix tbody tr", has=page.locator("td a")).first
    commune_name = _text(row.locator("th"))
    row.locator("th a").click()
    page.wait_for_url(re.compile(rf"/coverage/{YEAR}/\d+$"))
    assert commune_name in _text(page.locator("h1"))
    card = page.locator("section.card")
    assert card.locator("li.gap").count() > 0  # the card says what is missing
    card.locator("li.ok a").first.click()
    page.wait_for_url(re.compile(rf"/coverage/{YEAR}/\d+/entries\?"))
    assert page.locator("main a[href*='/registrations/entries/']").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Back to the district through the breadcrumb, then its gap list.
    page.go_back()
    page.locator("nav.crumbs").get_by_role("link", name=district_name).click()
    page.wait_for_url(f"**/coverage/{YEAR}/{district_id}")
    page.locator("nav.tabs").get_by_role("link", name="Danh sách còn thiếu").click()
    page.wait_for_url(f"**/coverage/{YEAR}/{district_id}/gaps")
    shown = []
    for block in page.locator("section.gap-block:has(h3 a)").all():  # per commune
        commune = _text(block.locator("h3"))
        shown += [(commune, _text(item)) for item in block.locator("li").all()]
    assert shown, "the gap list names no commune"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải tệp Excel (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename == f"Còn thiếu {YEAR} - {district_name}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    by_commune = workbook.worksheets[0]
    rows = [r for r in by_commune.iter_rows(min_row=4, values_only=True) if any(r)]
    assert sorted((commune, gap) for _, commune, _, gap in rows) == sorted(shown)
    assert {parent for parent, *_ in rows} == {district_name}


def test_coverage_pages_keep_to_their_weight_budgets(new_page, district):
    district_id, _ = district
    page = new_page()
    sign_in(page, "reviewer.pacnam", "review-pac-nam")
    results = {}
    for name, path in [
        ("matrix", f"/coverage/{YEAR}/{district_id}"),
        ("organization rules", f"/coverage/{YEAR}/{district_id}/organizations"),
        ("gap list", f"/coverage/{YEAR}/{district_id}/gaps"),
    ]:
        results[name] = _weights(page, path)
    print(
        "\n"
        + "\n".join(f"{n:<20} first {f:>6} B  repeat {r:>6} B" for n, (f, r) in results.items())
    )
    assert all(f <= FIRST_LOAD_BUDGET and r <= REPEAT_VIEW_BUDGET for f, r in results.values()), (
        results
    )
