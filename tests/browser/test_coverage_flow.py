"""The coverage flow in Chromium, with JavaScript on and off, on a phone and at a desk: the
district reviewer opens the coverage of Pác Nặm for the demo season, sees the gaps marked,
drills down from the district to a commune and to the entries behind a cell, opens the gap
list and downloads it; the page and the workbook each hold the figures counted by hand from
the demo season, and the pages keep to their weight budgets."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.browser.conftest import drawing_only, main_menu, sign_in
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

# Counted by hand from webapp/seed/data/demo_season_2017.yaml once `district` has approved:
# the communes' submitted lists count; the two drafts (Bằng Thành's Đoàn, Bộc Bố's Cựu chiến
# binh) do not, nor the district's own Phụ nữ list (it goes to the province, unapproved).
# Entries per content 1-5, by commune (the contents of each counted list in the comment):
MATRIX = {
    "Xã Bằng Thành": ["5", "1", "2", "1", "1"],  # MTTQ 1 5 1 4, Nông dân 1 3 1, Phụ nữ 3 2 1
    "Xã Nhạn Môn": ["2", "1", "2", "2", "2"],  # MTTQ 2 3 5, CCB 1 4 5, Nông dân 1 3 4 (late)
    "Xã Bộc Bố": ["3", "2", "2", "2", "1"],  # MTTQ 1 2 4 5, Phụ nữ 3 1 2, Đoàn 1 3 4
    "Xã Công Bằng": ["0"] * 5,  # the six other communes of Pác Nặm (2017) sent no list
    "Xã Giáo Hiệu": ["0"] * 5,
    "Xã Xuân La": ["0"] * 5,
    "Xã An Thắng": ["0"] * 5,
    "Xã Cổ Linh": ["3", "1", "2", "1", "1"],  # MTTQ 3 2 5, Nông dân 1 1 3, Đoàn 4 1
    "Xã Nghiên Loan": ["0"] * 5,
    "Xã Cao Tân": ["0"] * 5,
}
GAP_CELLS = 30  # the six communes without a list, five contents each
# The gaps of each commune, by organization, in the order of campaign.yaml's requirements:
# every content covered ("Tất cả tổ chức"), Phụ nữ's family or "3 sạch" model, Đoàn's
# environment model, Cựu chiến binh's two models, Người cao tuổi's and Khuyến học's (none of
# the demo lists has the last two). The cooperative rule applies to new-rural communes only:
# none in 2017.
PN, DOAN, CCB = "Hội Liên hiệp Phụ nữ", "Đoàn TNCS Hồ Chí Minh", "Hội Cựu chiến binh"
NCT, KH, ALL = "Hội Người cao tuổi", "Hội Khuyến học", "Tất cả tổ chức"
NOTHING_SENT = [ALL, PN, DOAN, CCB, CCB, NCT, KH]
GAPS = {
    # Phụ nữ has "3 sạch" and a happy-family model; Đoàn's list with one is a draft.
    "Xã Bằng Thành": [DOAN, CCB, CCB, NCT, KH],
    # Cựu chiến binh has both models; no Phụ nữ or Đoàn list.
    "Xã Nhạn Môn": [PN, DOAN, NCT, KH],
    # Phụ nữ's model is "5 không, 3 sạch" (not one of the two); Cựu chiến binh's is a draft.
    "Xã Bộc Bố": [PN, CCB, CCB, NCT, KH],
    "Xã Công Bằng": NOTHING_SENT,
    "Xã Giáo Hiệu": NOTHING_SENT,
    "Xã Xuân La": NOTHING_SENT,
    "Xã An Thắng": NOTHING_SENT,
    # Đoàn's model is the start-up club, not the environment one.
    "Xã Cổ Linh": [PN, DOAN, CCB, CCB, NCT, KH],
    "Xã Nghiên Loan": NOTHING_SENT,
    "Xã Cao Tân": NOTHING_SENT,
}
# Bằng Thành's content 1: MTTQ's two, Nông dân's two, Phụ nữ's one.
BANG_THANH_CONTENT_1 = 5


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
    return meter.visit(page, path), meter.visit(page, path)


def _organization(gap: str) -> str:
    """Whose gap a line of the gap list (or of a card, after its "✗") names: a rule's line
    starts with its organization; the uncovered contents are everyone's."""
    gap = gap.removeprefix("✗ ")
    return ALL if gap.startswith("Chưa có mục nào cho nội dung") else gap.split(":")[0]


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
    rows = page.locator("table.matrix tbody tr")
    matrix = {_text(r.locator("th")): r.locator("td").all_inner_texts() for r in rows.all()}
    assert matrix == MATRIX
    gaps = page.locator("table.matrix td.gap")
    assert gaps.count() == GAP_CELLS
    colour = gaps.first.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted, not plain
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Drill down: a commune with approved entries, its card, the entries behind a cell.
    rows.filter(has_text="Xã Bằng Thành").locator("th a").click()
    page.wait_for_url(re.compile(rf"/coverage/{YEAR}/\d+$"))
    assert "Xã Bằng Thành" in _text(page.locator("h1"))
    card = page.locator("section.card")
    missing = [_organization(_text(item)) for item in card.locator("li.gap").all()]
    assert missing == GAPS["Xã Bằng Thành"]  # the card says what is missing
    card.locator("li.ok a").first.click()  # content 1
    page.wait_for_url(re.compile(rf"/coverage/{YEAR}/\d+/entries\?content=\d+$"))
    entries = page.locator("main a[href*='/registrations/entries/']")
    assert entries.count() == BANG_THANH_CONTENT_1
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Back to the district through the breadcrumb, then its gap list.
    page.go_back()
    page.locator("nav.crumbs").get_by_role("link", name=district_name).click()
    page.wait_for_url(f"**/coverage/{YEAR}/{district_id}")
    page.locator("nav.tabs").get_by_role("link", name="Danh sách còn thiếu").click()
    page.wait_for_url(f"**/coverage/{YEAR}/{district_id}/gaps")
    shown = {}
    for block in page.locator("section.gap-block:has(h3 a)").all():  # per commune
        items = block.locator("li").all()
        shown[_text(block.locator("h3"))] = [_organization(_text(item)) for item in items]
    assert shown == GAPS

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải tệp Excel (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename == f"Còn thiếu {YEAR} - {district_name}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    by_commune = workbook.worksheets[0]
    rows = [r for r in by_commune.iter_rows(min_row=4, values_only=True) if any(r)]
    in_workbook: dict[str, list[str]] = {}
    for parent, commune, organization, _gap in rows:
        assert parent == district_name
        in_workbook.setdefault(commune, []).append(organization)
    assert in_workbook == GAPS
    assert len(rows) == 62  # 5 + 4 + 5 + 6 + six communes × 7


@drawing_only
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
