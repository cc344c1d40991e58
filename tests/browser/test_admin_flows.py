"""The province's own screens in Chromium, with JavaScript on (htmx) and off (plain forms): the
campaign's deadlines, rules and report figures, a reorganization's dry run, a new account, the
unit tree, the audit log, the publisher's pages with their history, and the translation status.

The module shares the demo data (`seeded`): each flow changes only rows of its own (a year, a
code, a name, a line no other flow uses) and reads back what it changed."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
import sqlalchemy as sa

from tests.browser.conftest import demo_user
from webapp.auth.models import RoleAssignment, User
from webapp.campaign import services as campaign_services
from webapp.campaign.deadlines import current_campaign
from webapp.campaign.models import Deadline, DeadlineKind, Requirement
from webapp.extensions import db
from webapp.pages import services as pages
from webapp.pages import translations
from webapp.pages.models import Page, PageKind, PageState, PageTranslation, TranslationState
from webapp.reports.models import ReportFigure
from webapp.units.models import Level, Reorganization, Unit
from webapp.units.reorganize import DATA

pytestmark = pytest.mark.browser

JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])


@pytest.fixture
def open_as(new_page, signed_in):
    """A page, signed in as one of the demo accounts (or a visitor), at `path`."""

    def make(who: str | None, path: str, *, javascript: bool):
        page = new_page(
            javascript=javascript, width=1280, storage_state=signed_in(who) if who else None
        )
        page.goto(path)
        return page

    return make


def _flash(page, text: str) -> None:
    page.locator(".flash", has_text=text).wait_for()


def _unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


@JAVASCRIPT
def test_admin_sets_one_years_deadline(app, open_as, javascript):
    year = 2031 if javascript else 2032
    page = open_as("admin", "/campaign", javascript=javascript)
    form = page.locator("form[action$='/campaign/deadlines']")
    form.locator("#kind").select_option(DeadlineKind.REPORT_YEAR.value)
    form.locator("#year").fill(str(year))
    form.locator("#day_month").fill("31/02")  # no such day: refused, what was typed kept
    form.locator("button[type=submit]").click()
    form.locator("#day_month-errors", has_text="Nhập ngày theo dạng NN/TT").wait_for()
    assert form.locator("#year").input_value() == str(year)
    form.locator("#day_month").fill("20/1")
    form.locator("button[type=submit]").click()
    _flash(page, "Đã lưu hạn.")
    assert page.url.endswith("/campaign#deadlines")
    shown = page.locator("#deadlines + ul li", has_text=f"trước ngày 20/01/{year}")
    assert shown.inner_text().startswith("Báo cáo năm:")
    with app.app_context():
        saved = db.session.scalar(sa.select(Deadline).filter_by(year=year))
        assert (saved.kind, saved.day, saved.month) == (DeadlineKind.REPORT_YEAR, 20, 1)
        assert not saved.is_assumption


@JAVASCRIPT
def test_admin_adds_a_rule_and_changes_it(app, open_as, javascript):
    code = f"quy-tac-{'js' if javascript else 'nojs'}"
    page = open_as("admin", "/admin/rules", javascript=javascript)
    page.get_by_role("link", name="Thêm tiêu chí").click()
    page.locator("#code").fill(code)
    page.locator("#kind").select_option("every_content")
    page.locator("#min_count").fill("2")
    page.locator("#valid_from_year").fill("2040")  # no year judged by it yet: all can change
    page.locator("#rule_vi").fill("Mỗi nội dung có ít nhất 2 mục")
    page.get_by_role("button", name="Lưu tiêu chí").click()
    _flash(page, f"Đã thêm tiêu chí {code}.")
    assert page.url.endswith("/admin/rules")
    row = page.locator("tr", has=page.locator(f"code:text-is('{code}')"))
    assert "Mỗi nội dung có ít nhất 2 mục" in row.inner_text()

    row.get_by_role("link", name=code).click()
    assert page.locator("#min_count").input_value() == "2"
    page.locator("#min_count").fill("3")
    page.locator("#rule_vi").fill("Mỗi nội dung có ít nhất 3 mục")
    page.get_by_role("button", name="Lưu tiêu chí").click()
    _flash(page, f"Đã lưu tiêu chí {code}.")
    row = page.locator("tr", has=page.locator(f"code:text-is('{code}')"))
    assert "Mỗi nội dung có ít nhất 3 mục" in row.inner_text()
    with app.app_context():
        rule = db.session.scalar(sa.select(Requirement).filter_by(code=code))
        assert (rule.kind, rule.min_count, rule.valid_from_year) == ("every_content", 3, 2040)
        assert rule.rule_vi == "Mỗi nội dung có ít nhất 3 mục"


@JAVASCRIPT
def test_admin_adds_a_report_figure_and_renames_it(app, open_as, javascript):
    code = f"chi-tieu-{'js' if javascript else 'nojs'}"
    name = f"Số cầu dân sinh được làm mới ({'js' if javascript else 'nojs'})"
    page = open_as("admin", "/admin/report-figures", javascript=javascript)
    page.get_by_role("link", name="Thêm chỉ tiêu").click()
    page.locator("#code").fill(code.upper())  # kept in lower case
    page.locator("#name_vi").fill(name)
    page.locator("#measure").select_option("count")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    _flash(page, f"Đã thêm chỉ tiêu {name}.")
    assert page.url.endswith("/admin/report-figures")
    page.get_by_role("link", name=name, exact=True).click()
    renamed = name.replace("làm mới", "sửa chữa")
    page.locator("#name_vi").fill(renamed)
    page.locator("#measure").select_option("money")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    _flash(page, f"Đã lưu chỉ tiêu {renamed}.")
    row = page.locator("tr", has=page.get_by_role("link", name=renamed, exact=True))
    assert code in row.inner_text()
    assert page.get_by_role("link", name=name, exact=True).count() == 0
    with app.app_context():
        figure = db.session.scalar(sa.select(ReportFigure).filter_by(code=code))
        assert (figure.name_vi, figure.measure, figure.is_active) == (renamed, "money", True)


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@JAVASCRIPT
def test_reorganization_dry_run_counts_what_it_would_do(app, open_as, javascript):
    """The 2020 merger, counted from the demo data and the shipped files: the mapping lists every
    unit that ends (an empty new code: no known successor), the rest go on, and the new
    structure's other units begin."""
    mapping, structure = _rows("bac_kan_reform_2020.csv"), _rows("bac_kan_units_2024.csv")
    ending = {row["old_code"] for row in mapping}
    with app.app_context():
        active = sa.select(Unit).where(Unit.valid_to.is_(None))
        units = len(db.session.scalars(active).all())
        old = list(db.session.scalars(active.where(Unit.level != Level.AREA)))
        areas = db.session.scalar(
            sa.select(sa.func.count()).select_from(
                active.where(
                    Unit.level == Level.AREA,
                    Unit.parent_id.in_([u.id for u in old if u.code in ending]),
                ).subquery()
            )
        )
    old_communes = sum(1 for u in old if u.level == Level.COMMUNE)
    new_communes = sum(1 for row in structure if row["type"] in ("xã", "phường", "thị trấn"))
    continuing = len(old) - len(ending)
    unknown = sum(1 for row in mapping if not row["new_code"])
    page = open_as("admin", "/units/reorganizations", javascript=javascript)
    row = page.locator("tr", has_text="Sáp nhập xã năm 2020")
    assert "chưa áp dụng" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url("**/units/reorganizations/2020")
    assert f"({old_communes} → {new_communes} xã" in page.locator("h1").inner_text()
    assert page.get_by_text(
        f"{len(ending)} đơn vị chấm dứt vào 31/01/2020, {len(structure) - continuing} đơn vị "
        f"mới, {continuing} đơn vị giữ nguyên; {unknown} đơn vị không rõ đơn vị kế thừa, "
        f"0 đơn vị bị tách; {areas} khu dân cư chuyển theo xã."
    ).is_visible()
    assert page.locator("table.list tbody tr").count() == len(mapping)
    assert page.get_by_role("button", name="Áp dụng đợt sắp xếp").is_visible()
    with app.app_context():  # a dry run changes nothing
        assert db.session.scalar(sa.select(Reorganization).filter_by(code="2020")) is None
        assert len(db.session.scalars(active).all()) == units


@JAVASCRIPT
def test_admin_creates_an_account_with_a_role(app, open_as, javascript):
    username = f"canbo.{'js' if javascript else 'nojs'}"
    with app.app_context():
        district, commune = _unit("060"), _unit("01858")
        district_id, commune_id, commune_name = district.id, commune.id, commune.name
    page = open_as("admin", "/admin/users/new", javascript=javascript)
    page.locator("#username").fill(username)
    page.locator("#full_name").fill("Cán bộ MTTQ huyện Pác Nặm")
    page.locator("#home_unit_id").select_option(str(district_id))
    page.get_by_role("button", name="Tạo người dùng").click()
    assert page.locator("h1").inner_text() == "Mật khẩu tạm thời"
    password = page.locator(".secret code").inner_text()
    assert username in page.locator("main").inner_text()

    page.get_by_role("link", name="Tiếp tục gán vai trò cho người dùng").click()
    page.locator("#role").select_option("reviewer")
    page.locator("#unit_id").select_option(str(commune_id))  # below their home unit
    page.locator("#roles button.primary").click()
    page.locator("#roles .roles li", has_text=f"Người duyệt · {commune_name}").wait_for()
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(username=username))
        assert user.check_password(password) and user.must_change_password
        assert user.home_unit_id == district_id
        roles = db.session.scalars(sa.select(RoleAssignment).filter_by(user_id=user.id)).all()
        assert [(r.role, r.unit_id) for r in roles] == [("reviewer", commune_id)]


@JAVASCRIPT
def test_unit_tree_from_the_province_to_a_commune(app, open_as, javascript):
    with app.app_context():
        district, commune = _unit("060"), _unit("01858")
        below = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Unit)
            .where(Unit.parent_id == district.id, Unit.level != Level.AREA)
        )
        district_id, commune_id = district.id, commune.id
    page = open_as("admin", "/units", javascript=javascript)
    page.locator("ul.tree").get_by_role("link", name="Tỉnh Bắc Kạn", exact=True).click()
    assert page.locator("h1").inner_text() == "Tỉnh Bắc Kạn"
    page.get_by_role("link", name="Huyện Pác Nặm", exact=True).click()
    page.wait_for_url(f"**/units/{district_id}")
    assert f"({below})" in page.locator("h2", has_text="Đơn vị trực thuộc").inner_text()
    page.get_by_role("link", name="Xã Bằng Thành", exact=True).click()
    page.wait_for_url(f"**/units/{commune_id}")
    assert page.locator("h1").inner_text() == "Xã Bằng Thành"


@JAVASCRIPT
def test_audit_log_shows_a_change_and_filters(app, open_as, javascript):
    year = 2035 if javascript else 2036
    with app.app_context():  # the change itself is made on screen in the deadline flow
        campaign_services.set_deadline(
            demo_user("admin"), current_campaign(), DeadlineKind.REGISTRATION, year, 5, 3
        )
        db.session.commit()
    note = f"{year}: — → 05/03"
    page = open_as("admin", "/audit", javascript=javascript)
    row = page.locator("table.audit tbody tr", has_text=note)
    assert row.count() == 1 and "được thay đổi" in row.inner_text()
    page.locator("#action").select_option("deadline.set")
    page.locator("#actor").fill("ADM")  # the beginning of the username, in any case
    page.get_by_role("button", name="Xem sự kiện").click()
    page.wait_for_url("**/audit?*action=deadline.set*")
    rows = page.locator("table.audit tbody tr")
    assert rows.filter(has_text=note).count() == 1
    done_by = rows.locator("td:nth-child(2)").all_inner_texts()
    assert set(done_by) == {"Quản trị tỉnh Bắc Kạn admin"}
    what = rows.locator("td:nth-child(3)").all_inner_texts()
    assert all(text.startswith("Hạn ") and "được thay đổi" in text for text in what), what
    page.locator("#actor").fill("publisher")
    page.get_by_role("button", name="Xem sự kiện").click()
    page.wait_for_url("**actor=publisher*")
    assert page.get_by_text("Không có sự kiện nào phù hợp.").is_visible()


@JAVASCRIPT
def test_publisher_edits_a_page_and_compares_revisions(app, open_as, javascript):
    line = f"Bổ sung: họp dân cư thôn ({'js' if javascript else 'nojs'})."
    with app.app_context():
        plan = db.session.scalar(sa.select(Page).where(Page.kind == PageKind.PLAN))
        plan_id, title, before = plan.id, plan.current.title, plan.current.number
    page = open_as("publisher", "/pages/manage", javascript=javascript)
    page.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/pages/{plan_id}/edit")
    body = page.locator("#body")
    body.fill(f"{body.input_value()}\n\n{line}")
    page.get_by_role("button", name="Lưu", exact=True).click()
    _flash(page, f"Đã lưu thành phiên bản {before + 1}.")

    page.get_by_role("link", name="Lịch sử", exact=True).click()
    page.wait_for_url(f"**/pages/{plan_id}/history")
    newest = page.locator("tbody tr").first
    assert newest.locator("th").inner_text().startswith(str(before + 1))
    page.get_by_role("button", name="So sánh").click()  # the two newest, checked already
    page.wait_for_url(f"**/pages/{plan_id}/diff?*")
    assert (
        page.locator("h1").inner_text() == f"So sánh phiên bản {before} với phiên bản {before + 1}"
    )
    added = [text.strip() for text in page.locator(".diff ins").all_inner_texts()]
    assert [text for text in added if text != "+"] == [f"+ {line}"]  # and the blank line
    assert page.locator(".diff del").count() == 0
    with app.app_context():
        plan = db.session.get(Page, plan_id)
        assert plan.current.number == before + 1 and plan.current.body.endswith(line)
        assert plan.state == PageState.PUBLISHED


@pytest.fixture(scope="module")
def unread_pages(app, seeded):
    """What the translation status must not count: a page published inside a section still in
    draft, and a Tày translation of the plan not yet published."""
    with app.app_context():
        publisher, translator = demo_user("publisher.backan"), demo_user("translator.tay")
        section = pages.create_page(
            publisher, unit=_unit("06"), parent=None, kind=PageKind.SECTION,
            values=pages.PageValues("Chuyên mục đang soạn", "Chưa công bố."),
        )  # fmt: skip
        inside = pages.create_page(
            publisher, unit=_unit("06"), parent=section, kind=PageKind.NEWS,
            values=pages.PageValues("Tin trong chuyên mục nháp", "Đã đăng, chưa ai đọc được."),
        )  # fmt: skip
        pages.set_state(publisher, inside, inside.version, PageState.PUBLISHED)
        plan = db.session.scalar(sa.select(Page).where(Page.kind == PageKind.PLAN))
        translations.save_translation(
            translator, translations.translation_for(plan, "tyz"), 0,
            pages.PageValues("Bản dịch dở", "Chưa xong."),
            source_revision_id=plan.current_revision_id,
        )  # fmt: skip
        db.session.commit()


@JAVASCRIPT
def test_translation_status_counts_the_public_pages(app, open_as, unread_pages, javascript):
    """A visitor sees, for each language, how many of the pages anyone may read (published, in
    published sections) have a published translation."""
    with app.app_context():
        every = {page.id: page for page in db.session.scalars(sa.select(Page))}

        def public(page: Page) -> bool:
            parent = every.get(page.parent_id)
            return page.state == PageState.PUBLISHED and (parent is None or public(parent))

        readable = {page_id for page_id, page in every.items() if public(page)}
        translated = Counter(
            db.session.scalars(
                sa.select(PageTranslation.language).where(
                    PageTranslation.state == TranslationState.PUBLISHED,
                    PageTranslation.page_id.in_(readable),
                )
            )
        )
        languages = [code for code in app.config["LANGUAGES"] if code not in ("vi", "en")]
    page = open_as(None, "/translations", javascript=javascript)
    rows = page.locator("tbody tr")
    assert rows.count() == len(languages)
    for row in rows.all():
        done = translated[row.locator("th").get_attribute("lang")]
        percent = round(100 * done / len(readable))
        # Columns: strings public readers see, strings signed-in users see, pages.
        cell = row.locator("td").nth(2).inner_text()
        assert cell.startswith(f"{percent}% ({done}/{len(readable)}"), cell
