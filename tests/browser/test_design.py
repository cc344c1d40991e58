"""The design system measured in Chromium: a phone header that leaves the screen to the content,
its menu and language choice reachable without JavaScript, data tables whose header cells sit
over their columns and whose cells never wrap one letter per line, no sideways page scroll at
360 px, and dates that never split across lines. A failure names the page, role and width."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import drawing_only, sign_in
from webapp.auth.models import User
from webapp.campaign.models import MemberOrganization
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.registrations.models import ListState, RegistrationList
from webapp.review import services as review
from webapp.units.models import Unit

pytestmark = [pytest.mark.browser, drawing_only]

YEAR = 2017  # the demo season
WIDTHS = (360, 1366)
HEADER_LIMIT = 0.20 * 740  # the header may take a fifth of a 740 px phone screen
ACCOUNTS = {
    "province": ("admin", "admin-bac-kan"),
    "district": ("reviewer.pacnam", "review-pac-nam"),
    "commune": ("editor.pacnam", "edit-bang-thanh"),
}


@pytest.fixture(scope="module")
def units(app, seeded):
    """Unit ids of the demo season, and one approved list so that a commune has reports due."""
    with app.app_context():
        ids = {
            code: db.session.scalar(sa.select(Unit.id).where(Unit.code == code))
            for code in ("06", "060", "01858")
        }
        editor = db.session.scalar(sa.select(User).filter_by(username="editor.pacnam"))
        reviewer = db.session.scalar(sa.select(User).filter_by(username="reviewer.pacnam"))
        farmers = db.session.scalar(sa.select(MemberOrganization).filter_by(code="nong_dan"))
        registration_list = db.session.scalar(
            sa.select(RegistrationList).filter_by(
                unit_id=ids["01858"], organization_id=farmers.id, year=YEAR
            )
        )
        if registration_list.state == ListState.DRAFT:
            registrations.submit_list(editor, registration_list)
        review.approve_all(
            reviewer, registration_list, {e.id: e.version for e in registration_list.entries}
        )
        db.session.commit()
        return {"province": ids["06"], "district": ids["060"], "commune": ids["01858"]}


def _table_pages(units) -> list[tuple[str, str]]:
    """(role, path) of the pages whose data tables people read most."""
    district, province = units["district"], units["province"]
    return [
        ("district", f"/coverage/{YEAR}/{district}?submitted=1"),
        ("district", f"/coverage/{YEAR}/{district}/organizations?submitted=1"),
        ("district", f"/coverage/{YEAR}/{district}/summary?submitted=1"),
        ("district", f"/registrations/{YEAR}/{district}"),
        ("province", f"/reports/{YEAR}/{province}/rollup?period=half_year"),
        ("province", f"/reports/{YEAR}/{province}/completeness?period=half_year"),
    ]


def _signed_in(new_page, role: str | None, width: int, javascript: bool = True):
    page = new_page(width=width, javascript=javascript)
    if role:
        sign_in(page, *ACCOUNTS[role])
    return page


# Each table: for every header cell of the first header row, its x-range and the x-range of the
# cells it heads in the first body row whose cells span one column each.
MISALIGNED_JS = """() => {
  const bad = [];
  document.querySelectorAll('main table').forEach((table, t) => {
    const head = table.tHead && table.tHead.rows[0];
    const body = [...table.tBodies].flatMap(b => [...b.rows])
      .find(r => [...r.cells].every(c => c.colSpan === 1));
    if (!head || !body) return;
    let column = 0;
    for (const th of head.cells) {
      const cells = [...body.cells].slice(column, column + th.colSpan);
      column += th.colSpan;
      if (!cells.length) {
        bad.push(`table ${t}: "${th.textContent.trim()}" heads no column`);
        continue;
      }
      const h = th.getBoundingClientRect();
      const left = cells[0].getBoundingClientRect().left;
      const right = cells[cells.length - 1].getBoundingClientRect().right;
      if (Math.abs(h.left - left) > 1.5 || Math.abs(h.right - right) > 1.5)
        bad.push(`table ${t}: "${th.textContent.trim()}" spans ${h.left}-${h.right}, ` +
                 `its column ${left}-${right}`);
    }
  });
  return bad;
}"""

# Cells squeezed until words break: narrower than 30 px with a word or more of text, or their
# text on more lines than it has words (one letter a line).
SQUEEZED_JS = """() => [...document.querySelectorAll('main td, main th')].flatMap(cell => {
  const text = cell.textContent.trim();
  const box = cell.getBoundingClientRect();
  if (!text || !box.width || !box.height) return [];
  if (text.length >= 6 && box.width < 30)
    return [`"${text.slice(0, 30)}" is ${Math.round(box.width)} px wide`];
  const tops = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width) tops.push(r.top);
  }
  tops.sort((a, b) => a - b);
  const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length;
  const words = text.split(/\\s+/).length;
  return lines > words ? [`"${text.slice(0, 30)}" takes ${lines} lines for ${words} words`] : [];
})"""

# Every date written 20/06/2026 in the page: the lines its text takes.
SPLIT_DATES_JS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\\d{2}\\/\\d{2}\\/\\d{4}/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      found.push([m[0], tops.size]);
    }
  }
  return found;
}"""


def _header_height(page) -> float:
    return page.evaluate("document.querySelector('header').getBoundingClientRect().height")


@pytest.mark.parametrize("role", [None, "commune", "province"], ids=["visitor", "editor", "admin"])
def test_header_leaves_the_phone_screen_to_the_content(new_page, units, role):
    for width in WIDTHS:
        page = _signed_in(new_page, role, width)
        page.goto("/")
        height = _header_height(page)
        assert height <= HEADER_LIMIT, f"home as {role or 'visitor'} at {width} px: {height} px"


def test_menu_and_languages_fold_and_open_without_javascript(new_page, units):
    # A visitor: a signed-in user's language choice would outlive this test.
    page = _signed_in(new_page, None, 360, javascript=False)
    page.goto("/")
    menu = page.locator("details.fold-menu")
    assert not menu.get_by_role("link", name="Hướng dẫn").is_visible()
    menu.locator("summary").click()
    menu.get_by_role("link", name="Hướng dẫn").click()
    page.wait_for_url("**/pages**")
    assert page.locator("h1").is_visible()

    languages = page.locator("details.fold-langs")
    assert not languages.get_by_role("link", name="English").is_visible()
    languages.locator("summary").click()
    languages.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_table_headers_sit_over_their_columns(new_page, units):
    failures = _table_failures(new_page, units, MISALIGNED_JS)
    assert not failures, "\n".join(failures)


def test_tables_read_without_squeezing_or_sideways_scroll(new_page, units):
    failures = _table_failures(new_page, units, SQUEEZED_JS + SIDEWAYS_JS)
    assert not failures, "\n".join(failures)


# Appended to a check's list: the page itself must not scroll sideways.
SIDEWAYS_JS = """.concat((() => {
  const scroll = document.documentElement.scrollWidth - innerWidth;
  return scroll > 0 ? [`scrolls ${scroll} px sideways`] : [];
})())"""


def _table_failures(new_page, units, script: str) -> list[str]:
    """The script's findings on every page with tables, as each role, at both widths."""
    failures = []
    for width in WIDTHS:
        pages = {}
        for role, path in _table_pages(units):
            page = pages.get(role) or pages.setdefault(role, _signed_in(new_page, role, width))
            page.goto(path)
            assert page.locator("main table").count(), f"{path} shows no table"
            failures += [f"{path} as {role} at {width} px: {bad}" for bad in page.evaluate(script)]
    return failures


def test_report_dates_and_buttons_keep_whole_on_a_phone(new_page, units):
    page = _signed_in(new_page, "commune", 360)
    page.goto(f"/reports/{YEAR}/{units['commune']}")
    dates = page.evaluate(SPLIT_DATES_JS)
    assert dates, "the commune's reports show no due date"
    assert all(lines == 1 for _, lines in dates), dates
    button = page.locator("main table").get_by_role("button", name="Bắt đầu báo cáo").first
    box = button.bounding_box()
    line = button.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    # One line of text, its padding and border; at least a 44 px tap target.
    assert box["height"] <= max(44, line + 20) + 1, f"the button wraps: {box['height']} px high"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


# Every table's right edge, and the page's width, as they print.
PRINT_OVERFLOW_JS = """() => ({
  tables: [...document.querySelectorAll('table')]
    .map((t, i) => [i, Math.round(t.getBoundingClientRect().right)])
    .filter(([, right]) => right > innerWidth + 1),
  scroll: document.documentElement.scrollWidth - innerWidth,
})"""


def test_print_views_fit_an_a4_sheet(app, new_page, units):
    """The print views laid out for paper (794 px: A4 at 96 dpi) fit the sheet: no table runs past
    its right edge and nothing scrolls sideways."""
    with app.app_context():
        list_id = db.session.scalar(
            sa.select(RegistrationList.id).filter_by(unit_id=units["commune"], year=YEAR).limit(1)
        )
    paths = [
        f"/reports/{YEAR}/{units['province']}/rollup?period=half_year",
        f"/coverage/{YEAR}/{units['district']}/summary?print=1&submitted=1",
        f"/registrations/lists/{list_id}/print",
    ]
    page = _signed_in(new_page, "province", 794)
    page.emulate_media(media="print")
    failures = []
    for path in paths:
        page.goto(path)
        assert page.locator("table").count(), f"{path} shows no table"
        found = page.evaluate(PRINT_OVERFLOW_JS)
        failures += [f"{path}: table {i} ends at {right} px" for i, right in found["tables"]]
        if found["scroll"] > 0:
            failures.append(f"{path}: scrolls {found['scroll']} px sideways")
    assert not failures, "\n".join(failures)
