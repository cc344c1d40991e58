"""Likely duplicates in Chromium at 360 px: the district reviewer finds two entries of one
commune named alike, and links them as joint work (htmx swaps the row) or marks them as no
duplicate (JavaScript off: the plain form, then the list without the pair)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from webapp.campaign.models import Content, MemberOrganization
from webapp.db import local_today
from webapp.extensions import db
from webapp.registrations.models import (
    Entry,
    EntryKind,
    EntryState,
    ListState,
    RegistrationList,
)
from webapp.units.models import Unit

pytestmark = pytest.mark.browser


def _pair(app, organizations: tuple[str, str], name: str) -> tuple[int, int, int, int]:
    """Two submitted entries of Bằng Thành for next year, of two organizations, named alike."""
    with app.app_context():
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        content = db.session.scalar(sa.select(Content).filter_by(number=1))
        year = local_today().year + 1
        ids = []
        for code, spelling in zip(organizations, (name, name.lower() + "!"), strict=True):
            organization = db.session.scalar(sa.select(MemberOrganization).filter_by(code=code))
            registration_list = RegistrationList(
                unit=commune, organization=organization, year=year, state=ListState.SUBMITTED
            )
            entry = Entry(
                registration_list=registration_list, kind=EntryKind.CONG_TRINH, name=spelling,
                content=content, location=commune, lead_organization=organization,
                state=EntryState.SUBMITTED,
            )  # fmt: skip
            db.session.add(entry)
            db.session.flush()
            ids.append(entry.id)
        db.session.commit()
        return year, commune.parent_id, *sorted(ids)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_reviewer_decides_on_a_likely_duplicate(app, new_page, javascript):
    names = ("Nhà văn hóa bản Khuổi Ú", "Kênh mương nội đồng Nà Đán")
    organizations = (("nong_dan", "phu_nu"), ("cuu_chien_binh", "doan_thanh_nien"))
    name, pair = names[javascript], organizations[javascript]
    year, district, first, second = _pair(app, pair, name)
    page = new_page(javascript=javascript)
    sign_in(page, "reviewer.pacnam", "review-pac-nam")
    overlaps = f"/coverage/{year}/{district}/overlaps"
    page.goto(overlaps)
    row = page.locator(f"#overlap-{first}-{second}")
    row.get_by_text("tên gần giống").wait_for()
    row.locator("summary", has_text="Quyết định…").click()
    if javascript:
        row.locator('input[name="kind"][value="joint"]').check()
        row.locator(f'input[name="lead"][value="{first}"]').check()
        row.get_by_role("button", name="Lưu").click()
        row.get_by_text("Công trình chung,").wait_for()
        assert page.url.endswith(overlaps)  # swapped in place
        page.goto(f"/registrations/entries/{second}")
        page.get_by_text("Công trình chung với").first.wait_for()
    else:
        row.locator('input[name="kind"][value="not_duplicate"]').check()
        row.locator("textarea").fill("Hai công trình khác nhau")
        row.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"**{overlaps}")
        assert page.locator(f"#overlap-{first}-{second}").count() == 0
        page.get_by_role("link", name="Đã xem").click()
        decided = page.locator(f"#overlap-{first}-{second} .decided")
        decided.filter(has_text="Không trùng").filter(has_text="Hai công trình khác").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
