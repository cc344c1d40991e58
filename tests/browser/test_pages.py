"""Every page, measured in Chromium: weight over the wire (DESIGN §7: first load ≤ 40 KB
compressed in total, repeat view ≤ 15 KB) and accessibility with axe-core (no serious or
critical violations)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import PIL.Image
import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from tests.browser.conftest import ACCOUNTS, drawing_only
from tests.live import NetworkMeter
from webapp.auth.models import User
from webapp.campaign.models import Content, Requirement
from webapp.config import DEFAULTS
from webapp.db import local_today
from webapp.extensions import db
from webapp.i18n.models import message_key
from webapp.i18n.readiness import page_language
from webapp.pages.models import Attachment, PageKind, Recording
from webapp.pages.models import Page as GuidancePage
from webapp.registrations.models import ListState, RegistrationList
from webapp.reports import services as reports
from webapp.reports.models import Period, ProgressLine, ProgressReport, ReportFigure
from webapp.units.models import Unit

pytestmark = pytest.mark.browser

FIRST_LOAD_BUDGET = 40 * 1024
REPEAT_VIEW_BUDGET = 15 * 1024
# Endpoints that are not pages: they redirect, serve files, or answer htmx with a fragment
# (measured in the flows and in tests/test_registrations.py).
NOT_PAGES = {
    "static",
    "i18n.set_language",
    "registrations.index",
    "registrations.show_summary",
    "registrations.show_entry",
    "reports.index",
    "reports.show_line",
    "exports.export_docx",
    "exports.export_xlsx",
    "pages.download_attachment",
    "i18n.row",
    "i18n.export",
    "pages.export_kit",
    "pages.play_recording",
    "coverage.index",
    "coverage.export_gaps",
    "coverage.export_summary",
    "reports.export_rollup",
    "commendations.evaluations_index",
    "commendations.nominations_index",
    "commendations.public_list_xlsx",
    "opinions.consolidated_docx",
    "opinions.consolidated_xlsx",
    "fund.disclosure_xlsx",
    "showcase.photo_file",
    "opinions.photo_file",
    "opinions.answer_document",
    "jobs.status",
    "jobs.download",
}


@dataclass(frozen=True)
class Page:
    name: str
    who: str | None  # a key of ACCOUNTS, or None for a visitor
    path: str

    @property
    def status(self) -> int:
        return 404 if self.name == "not found" else 200

    @property
    def heading(self) -> str:
        return HEADINGS[self.name]


EXPORT_TITLE = "Tổng hợp đăng ký 2017 - Tỉnh Bắc Kạn"

# What each page's <h1> says with the demo data (a refusal or an error page says otherwise).
HEADINGS = {
    "welcome": "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh",
    "login": "Đăng nhập",
    "campaign": "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh",
    "not found": "Không tìm thấy",
    "dashboard": "Xin chào, Cán bộ MTTQ xã Bằng Thành, Nhạn Môn",
    "password": "Đổi mật khẩu",
    "opinion form (district)": "Gửi ý kiến, kiến nghị",
    "opinion form": "Gửi ý kiến, kiến nghị",
    "follow an opinion": "Theo dõi ý kiến",
    "opinions": "Ý kiến, kiến nghị của nhân dân",
    "opinion": "Ý kiến ",  # and its code
    "answers to opinions": "Trả lời ý kiến của nhân dân",
    "answers to opinions (commune)": "Trả lời ý kiến của nhân dân",
    "record an opinion": "Ghi nhận ý kiến từ cuộc họp",
    "consolidated opinions": "Tổng hợp ý kiến gửi cơ quan có thẩm quyền",
    "answer time": "Thời hạn trả lời",
    "fund books": "Quỹ “Vì người nghèo”",
    "fund book": "Quỹ “Vì người nghèo”: Xã Bằng Thành, năm 2026",
    "fund book (district)": "Quỹ “Vì người nghèo”: Huyện Pác Nặm, năm 2026",
    "record a fund spending": "Ghi khoản chi",
    "fund line": "Dòng ",  # and its voucher
    "fund reconciliation": "Đối chiếu sổ quỹ",
    "fund disclosure": "Công khai Quỹ “Vì người nghèo” của Xã Bằng Thành, năm 2026",
    "sessions": "Phiên đăng nhập của bạn",
    "commune (editor)": "Xã Bằng Thành",
    "unit tree (province)": "Đơn vị",
    "province": "Tỉnh Bắc Kạn",
    "users": "Người dùng",
    "new user": "Thêm người dùng",
    "user": "Cán bộ MTTQ xã Bằng Thành, Nhạn Môn editor.pacnam",
    "campaign (admin)": "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh",
    "rules": "Các tiêu chí của cuộc vận động",
    "new rule": "Thêm tiêu chí",
    "edit rule": "mỗi nội dung có ít nhất 1 mục five_contents",
    "report figures (admin)": "Các chỉ tiêu báo cáo",
    "new figure": "Thêm chỉ tiêu",
    "edit figure": 'Quỹ "Vì người nghèo": số tiền vận động được (đồng)',
    "reorganizations": "Sắp xếp đơn vị hành chính",
    "reorganization (dry run)": "Sáp nhập xã năm 2020 (122 → 108 xã, phường, thị trấn)",
    "compare years": "So sánh các năm",
    "registrations (commune)": "Đăng ký năm 2017: Xã Bằng Thành",
    "registrations (district)": "Đăng ký năm 2017: Huyện Pác Nặm",
    "list (submitted)": "Công trình, mô hình, phần việc năm 2017",
    "list (draft)": "Công trình, mô hình, phần việc năm 2017",
    "new entry": "Mục mới",
    "edit entry": "Sửa mục",
    "delete entry": "Xóa mục",
    "list header": "Ngày và người ký",
    "submit a list (confirm)": "Gửi danh sách để duyệt?",
    "send a report (confirm)": "Gửi báo cáo để duyệt?",
    "send a nomination (confirm)": "Gửi đề nghị lên cấp trên xét duyệt?",
    "official form": "DANH SÁCH",
    "coverage (province)": "Mức độ bao phủ năm 2017: Tỉnh Bắc Kạn",
    "coverage (commune)": "Mức độ bao phủ năm 2017: Xã Bằng Thành",
    "organization rules": "Tiêu chí của các tổ chức năm 2017: Huyện Pác Nặm",
    "gap list": "Danh sách còn thiếu năm 2017: Huyện Pác Nặm",
    "entries behind a cell": "Các mục được tính năm 2017: Xã Bằng Thành",
    "aggregated list (province)": "Tổng hợp đăng ký năm 2017: Tỉnh Bắc Kạn",
    "aggregated list print": "Tổng hợp đăng ký năm 2017: Huyện Pác Nặm",
    "dashboard with chart": "Xin chào, Quản trị tỉnh Bắc Kạn",
    "likely duplicates": "Công trình có thể trùng lặp năm 2017: Huyện Pác Nặm",
    "likely duplicate (a pair)": "Công trình có thể trùng lặp ở Xã Bằng Thành, năm 2017",
    "review queue": "Cần duyệt",
    "reports awaiting acceptance": "Báo cáo chờ chấp nhận",
    "communes with no list": "Các xã chưa gửi danh sách năm 2017",
    "reports (commune)": "Báo cáo kết quả năm 2017: Xã Bằng Thành",
    "report": "Báo cáo kết quả: 6 tháng đầu năm 2017",
    "report (reviewer)": "Báo cáo kết quả: 6 tháng đầu năm 2017",
    "report line": "Đường bê tông nông thôn thôn Nà Lẹng – Khuổi Ma",
    "report figures": "Các chỉ tiêu báo cáo",
    "consolidated report": "Báo cáo tổng hợp: 6 tháng đầu năm 2017: Tỉnh Bắc Kạn",
    "report completeness": "Tình hình nộp báo cáo: 6 tháng đầu năm 2017: Huyện Pác Nặm",
    "commendations (public)": "Khen thưởng năm 2017",
    "evaluations (district)": "Đánh giá, xếp loại năm 2017: Huyện Pác Nặm",
    "evaluate a commune": "Đánh giá, xếp loại năm 2017",
    "nominations (commune)": "Đề nghị khen thưởng năm 2017: Xã Bằng Thành",
    "propose a commendation": "Đề nghị khen thưởng",
    "edit a nomination": "Đề nghị khen thưởng",
    "nomination (draft)": "Cá nhân: Sằm Văn Pò, Trưởng bản",
    "nomination (reviewer)": "Cá nhân: Hoàng Văn Sìn, Trưởng bản",
    "nomination (approved)": "Cá nhân: Triệu Thị Mai, Trưởng bản",
    "nominations to decide": "Đề nghị khen thưởng chờ duyệt",
    "list (reviewer)": "Công trình, mô hình, phần việc năm 2017",
    "list history": "Lịch sử: cả danh sách",
    "entry history": "Lịch sử: Đường bê tông nông thôn thôn Nà Lẹng – Khuổi Ma",
    "notifications": "Thông báo",
    "audit log": "Nhật ký thao tác",
    "guidance index": "Hướng dẫn và tài liệu",
    "the plan (long page)": "Kế hoạch số 129/KH-MTTQ-BTT",
    "form page with file": "Mẫu danh sách đăng ký công trình, mô hình, phần việc",
    "search": "Tìm kiếm",
    "pages I publish": "Trang tôi đăng",
    "new page": "Trang mới",
    "edit page": "Kế hoạch số 129/KH-MTTQ-BTT",
    "page history": "Lịch sử: Kế hoạch số 129/KH-MTTQ-BTT",
    "page diff": "So sánh phiên bản 1 với phiên bản 1",
    "plan in Tày (untranslated)": "Kế hoạch số 129/KH-MTTQ-BTT",
    "page translations": "Bản dịch: Kế hoạch số 129/KH-MTTQ-BTT",
    "translate (long page)": "Bản dịch sang Tiếng Tày",
    "translations to do": "Việc dịch cần làm: Tiếng Tày",
    "translation status": "Tình hình dịch",
    "interface strings": "Chuỗi giao diện · Tiếng Tày",
    "translate a string": "Dịch",
    "effective models": "Mô hình hiệu quả",
    "effective models (all)": "Mô hình hiệu quả",
    "effective model": "Đường bê tông nông thôn thôn Nà Lẹng – Khuổi Ma",
    "recognise a model": "Công nhận mô hình hiệu quả",
    "replication of models": "Nhân rộng mô hình hiệu quả: Tỉnh Bắc Kạn",
    "glossary": "Bảng thuật ngữ · Tiếng Tày",
    "glossary (reviewer)": "Bảng thuật ngữ · Tiếng Tày",
    "campaign words": "Từ ngữ của Cuộc vận động · Tiếng Tày",
    "translator's kit": "Bộ công cụ cho người dịch · Tiếng Tày",
    "translate a campaign word": "Dịch",
    "my exports": "Tệp xuất của tôi",
    "export job": EXPORT_TITLE,
}


def _pages(app) -> list[Page]:
    with app.app_context():
        province = db.session.scalar(sa.select(Unit).where(Unit.code == "06"))
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        user = db.session.scalar(sa.select(User).where(User.username == "editor.pacnam"))
        district = db.session.scalar(sa.select(Unit).where(Unit.code == "060"))
        lists = db.session.scalars(
            sa.select(RegistrationList).where(RegistrationList.unit_id == commune.id)
        ).all()
        submitted = next(rl for rl in lists if rl.state == ListState.SUBMITTED)
        draft = next(rl for rl in lists if rl.state == ListState.DRAFT)
        entry = draft.entries[0]
        plan = db.session.scalar(sa.select(GuidancePage).where(GuidancePage.kind == PageKind.PLAN))
        form_page = db.session.scalar(
            sa.select(GuidancePage).where(GuidancePage.kind == PageKind.FORM)
        )
        report = _report(user, submitted)
        model = _effective_model(report)
        rule = db.session.scalar(sa.select(Requirement).order_by(Requirement.id).limit(1))
        figure = db.session.scalar(sa.select(ReportFigure).order_by(ReportFigure.id).limit(1))
        waiting, approved, draft_nomination = _nominations(user, commune)
        opinion = _opinion(commune)
        fund_line = _fund(user, commune)
        return [
            Page("welcome", None, "/"),
            Page("login", None, "/login"),
            Page("campaign", None, "/campaign"),
            Page("not found", None, "/no-such-page"),
            Page("dashboard", "editor", "/"),
            Page("password", "editor", "/account/password"),
            Page("sessions", "editor", "/account/sessions"),
            Page("opinion form (district)", None, "/opinions/new"),
            Page("opinion form", None, f"/opinions/new?district={district.id}"),
            Page("follow an opinion", None, f"/opinions/track?code={opinion.code}"),
            Page("answers to opinions", None, "/opinions/answers"),
            Page("answers to opinions (commune)", None, f"/opinions/answers?commune={commune.id}"),
            Page("opinions", "editor", "/opinions"),
            Page("opinion", "editor", f"/opinions/{opinion.id}"),
            Page("record an opinion", "editor", "/opinions/record"),
            Page("consolidated opinions", "editor", _consolidated(commune)),
            Page("answer time", "admin", "/opinions/answer-time"),
            Page("fund books", "editor", "/fund"),
            Page("fund book", "editor", f"/fund/units/{commune.id}/{FUND_YEAR}"),
            Page("fund book (district)", "reviewer", f"/fund/units/{district.id}/{FUND_YEAR}"),
            Page(
                "record a fund spending",
                "editor",
                f"/fund/units/{commune.id}/{FUND_YEAR}/record/spending",
            ),
            Page("fund line", "editor", f"/fund/movements/{fund_line}"),
            Page("fund reconciliation", "reviewer", "/fund/reconciliation"),
            Page("fund disclosure", None, f"/fund/public/{commune.id}/{FUND_YEAR}"),
            Page("commune (editor)", "editor", f"/units/{commune.id}"),
            Page("unit tree (province)", "admin", "/units"),
            Page("province", "admin", f"/units/{province.id}"),
            Page("users", "admin", "/admin/users"),
            Page("new user", "admin", "/admin/users/new"),
            Page("user", "admin", f"/admin/users/{user.id}"),
            Page("campaign (admin)", "admin", "/campaign"),
            Page("rules", "admin", "/admin/rules"),
            Page("new rule", "admin", "/admin/rules/new"),
            Page("edit rule", "admin", f"/admin/rules/{rule.id}/edit"),
            Page("report figures (admin)", "admin", "/admin/report-figures"),
            Page("new figure", "admin", "/admin/report-figures/new"),
            Page("edit figure", "admin", f"/admin/report-figures/{figure.id}/edit"),
            Page("reorganizations", "admin", "/units/reorganizations"),
            Page("reorganization (dry run)", "admin", "/units/reorganizations/2020"),
            Page("compare years", "admin", "/registrations/compare?earlier=2017&later=2018"),
            Page("registrations (commune)", "editor", f"/registrations/2017/{commune.id}"),
            Page("registrations (district)", "admin", f"/registrations/2017/{district.id}"),
            Page("list (submitted)", "editor", f"/registrations/lists/{submitted.id}"),
            Page("list (draft)", "editor", f"/registrations/lists/{draft.id}"),
            Page("new entry", "editor", f"/registrations/lists/{draft.id}/entries/new"),
            Page("edit entry", "editor", f"/registrations/entries/{entry.id}/edit"),
            Page("delete entry", "editor", f"/registrations/entries/{entry.id}/delete"),
            Page("list header", "editor", f"/registrations/lists/{draft.id}/header"),
            Page("submit a list (confirm)", "editor", f"/registrations/lists/{draft.id}/submit"),
            Page("send a report (confirm)", "editor", f"/reports/{report.id}/submit"),
            Page(
                "send a nomination (confirm)",
                "editor",
                f"/commendations/nominations/{draft_nomination.id}/submit",
            ),
            Page("official form", "editor", f"/registrations/lists/{submitted.id}/print"),
            Page("coverage (province)", "admin", f"/coverage/2017/{province.id}"),
            Page("coverage (commune)", "editor", f"/coverage/2017/{commune.id}"),
            Page("organization rules", "reviewer", f"/coverage/2017/{district.id}/organizations"),
            Page("gap list", "reviewer", f"/coverage/2017/{district.id}/gaps"),
            Page("entries behind a cell", "admin", f"/coverage/2017/{commune.id}/entries"),
            Page("aggregated list (province)", "admin", f"/coverage/2017/{province.id}/summary"),
            Page(
                "aggregated list print",
                "reviewer",
                f"/coverage/2017/{district.id}/summary?print=1&submitted=1",
            ),
            Page("dashboard with chart", "admin", "/"),
            Page("likely duplicates", "reviewer", f"/coverage/2017/{district.id}/overlaps"),
            Page("likely duplicate (a pair)", "reviewer", _pair_path(submitted)),
            Page("review queue", "reviewer", "/review"),
            Page("reports awaiting acceptance", "reviewer", "/reports/queue"),
            Page("communes with no list", "admin", "/queue/2017/unregistered"),
            Page("reports (commune)", "editor", f"/reports/2017/{commune.id}"),
            Page("report", "editor", f"/reports/{report.id}"),
            Page("report (reviewer)", "reviewer", f"/reports/{report.id}"),
            Page("report line", "editor", f"/reports/lines/{report.lines[0].id}/edit"),
            Page("report figures", "editor", f"/reports/{report.id}/figures"),
            Page("consolidated report", "admin", f"/reports/2017/{province.id}/rollup"),
            Page("report completeness", "reviewer", f"/reports/2017/{district.id}/completeness"),
            Page("commendations (public)", None, "/commendations/2017"),
            Page(
                "evaluations (district)",
                "reviewer",
                f"/commendations/evaluations/2017/{district.id}",
            ),
            Page(
                "evaluate a commune",
                "reviewer",
                f"/commendations/evaluations/2017/{commune.id}/record",
            ),
            Page(
                "nominations (commune)", "editor", f"/commendations/nominations/2017/{commune.id}"
            ),
            Page(
                "propose a commendation",
                "editor",
                f"/commendations/nominations/2017/{commune.id}/new",
            ),
            Page(
                "edit a nomination",
                "editor",
                f"/commendations/nominations/{draft_nomination.id}/edit",
            ),
            Page(
                "nomination (draft)", "editor", f"/commendations/nominations/{draft_nomination.id}"
            ),
            Page("nomination (reviewer)", "reviewer", f"/commendations/nominations/{waiting.id}"),
            Page("nomination (approved)", "editor", f"/commendations/nominations/{approved.id}"),
            Page("nominations to decide", "reviewer", "/commendations/queue"),
            Page("list (reviewer)", "reviewer", f"/registrations/lists/{submitted.id}"),
            Page("list history", "editor", f"/history/lists/{submitted.id}"),
            Page("entry history", "reviewer", f"/history/entries/{submitted.entries[0].id}"),
            Page("notifications", "reviewer", "/notifications"),
            Page("my exports", "admin", "/jobs"),
            Page("export job", "admin", f"/jobs/{_export_job()}"),
            Page("audit log", "admin", "/audit"),
            Page("guidance index", None, "/pages"),
            Page("the plan (long page)", None, f"/pages/{plan.path}"),
            Page("form page with file", None, f"/pages/{form_page.path}"),
            Page("search", None, "/search?q=nong+thon"),
            Page("pages I publish", "publisher", "/pages/manage"),
            Page("new page", "publisher", "/pages/new"),
            Page("edit page", "publisher", f"/pages/{plan.id}/edit"),
            Page("page history", "publisher", f"/pages/{plan.id}/history"),
            Page("page diff", "publisher", f"/pages/{plan.id}/diff?from=1&to=1"),
            Page("plan in Tày (untranslated)", None, f"/pages/{plan.path}?lang=tyz"),
            Page("page translations", "publisher", f"/pages/{plan.id}/translations"),
            Page("translate (long page)", "translator", f"/pages/{plan.id}/translations/tyz"),
            Page("translations to do", "translator", "/translations/tyz/pages"),
            Page("translation status", None, "/translations"),
            Page("interface strings", "translator", "/translations/tyz"),
            Page("translate a string", "translator", f"/translations/tyz/{message_key('Sign in')}"),
            Page("effective models", None, "/models?q=duong+be+tong"),
            # Unfiltered: the demo's models with their thumbnails (seed --demo).
            Page("effective models (all)", None, "/models"),
            Page("effective model", None, f"/models/{model.id}"),
            Page("recognise a model", "admin", f"/models/recognise/{model.entry_id}"),
            Page("replication of models", "admin", f"/models/spread/{province.id}"),
            Page("glossary", "translator", "/translations/tyz/glossary"),
            Page("glossary (reviewer)", "language reviewer", "/translations/tyz/glossary"),
            Page("campaign words", "translator", "/translations/tyz/words"),
            Page("translator's kit", "translator", "/translations/tyz/kit"),
            Page(
                "translate a campaign word",
                "translator",
                f"/translations/tyz/words/contents.short/{_content_id(1)}",
            ),
        ]


def _recording(page) -> int:
    """A recording of a page in Tày, sent for review by the demo translator (the seed has
    none: recordings are people's voices)."""
    import io

    from werkzeug.datastructures import FileStorage

    from webapp.auth.models import User
    from webapp.pages import audio

    found = db.session.scalar(sa.select(Recording.id).limit(1))
    if found:
        return found
    translator = db.session.scalar(sa.select(User).where(User.username == "translator.tay"))
    silent = (bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * 40  # a second of MPEG frames
    recording = audio.add_recording(
        translator, page, "tyz", FileStorage(io.BytesIO(silent), "doc.mp3")
    )
    db.session.commit()
    return recording.id


def _content_id(number: int) -> int:
    return db.session.scalar(sa.select(Content.id).where(Content.number == number))


def _pair_path(submitted: RegistrationList) -> str:
    """A likely duplicate of the commune: the submitted list's first entry and a copy of it
    sent by the Farmers' Union (only pairs detection finds can be opened: two entries of one
    commune and year, both sent or approved)."""
    from webapp.campaign.models import MemberOrganization
    from webapp.registrations.models import Entry, EntryState

    original = submitted.entries[0]
    farmers = db.session.scalar(sa.select(MemberOrganization).filter_by(code="nong_dan"))
    other = db.session.scalar(
        sa.select(RegistrationList).filter_by(
            unit_id=submitted.unit_id, organization_id=farmers.id, year=submitted.year
        )
    )
    other.state = ListState.SUBMITTED
    copy = Entry(
        registration_list=other, kind=original.kind, name=original.name.upper(),
        content=original.content, location=original.location, lead_organization=farmers,
        state=EntryState.SUBMITTED,
    )  # fmt: skip
    db.session.add(copy)
    db.session.commit()
    first, second = sorted((original.id, copy.id))
    return f"/coverage/overlaps/{first}/{second}"


def _report(editor: User, registration_list: RegistrationList):
    """A half-year report of the list's organization, with a line to edit: the district's
    reviewer approves the list's first entry (a report needs one; the list stays submitted,
    its other entries undecided)."""
    from webapp.review import services as review

    reviewer = db.session.scalar(sa.select(User).where(User.username == "reviewer.pacnam"))
    first = registration_list.entries[0]
    review.approve(reviewer, first, first.version)
    report = reports.start_report(
        editor, registration_list.unit, registration_list.organization, 2017, Period.HALF_YEAR
    )
    db.session.commit()
    return report


def _effective_model(report):
    """The report's first line completed, and its entry recognised by the province."""
    from datetime import date

    from webapp.reports.models import LineStatus
    from webapp.showcase import services as showcase

    line = report.lines[0]
    line.status, line.percent_done, line.money_people = LineStatus.COMPLETED, 100, 250_000_000
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    values = showcase.Recognition(2017, "Vận động 250 triệu đồng", "27/QĐ-MTTQ", date(2017, 12, 20))
    model = showcase.recognise(admin, line.entry, values)
    picture = io.BytesIO()
    PIL.Image.new("RGB", (800, 600), (40, 120, 60)).save(picture, format="JPEG")
    picture.seek(0)
    showcase.add_photo(admin, line.entry, FileStorage(picture, filename="duong.jpg"))
    db.session.commit()
    return model


def _opinion(commune: Unit):
    """An opinion a reader sent to the commune: the committee's pages need one."""
    from webapp.opinions import services as opinions

    opinion = opinions.send(
        opinions.OpinionValues(
            unit=commune, content=None, sender_name="Hoàng Thị Lan",
            text="Đề nghị sửa đường bê tông từ thôn Nà Mò ra trung tâm xã.",
            photo=_upload("anh.jpg", _jpeg()),
        ),
        "203.0.113.7",
    )  # fmt: skip
    # One answered, for the public answers pages.
    reviewer = db.session.scalar(sa.select(User).where(User.username == "reviewer.pacnam"))
    text = "Xin hỗ trợ giống ngô cho các hộ nghèo thôn Khuổi Bốc."
    answered = opinions.send(
        opinions.OpinionValues(commune, None, text, photo=_upload("ngo.jpg", _jpeg())),
        "203.0.113.8",
    )
    opinions.accept(reviewer, answered)
    opinions.reword(reviewer, answered, "Hỗ trợ giống ngô cho hộ nghèo thôn Khuổi Bốc")
    reply = "Huyện cấp giống ngô vụ xuân 2027 cho 32 hộ nghèo."
    document = _upload("tra-loi.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    opinions.answer(
        reviewer, answered, reply, "UBND huyện Pác Nặm", None, document=document, photo_public=True
    )
    db.session.commit()
    return opinion


# This year: seed --demo closes and approves last year's books (webapp/seed/demo_more.py).
FUND_YEAR = datetime.now(ZoneInfo(DEFAULTS["BABEL_DEFAULT_TIMEZONE"])).year


def _fund(editor: User, commune: Unit) -> int:
    """A donation and a house built in the commune's fund book: the fund's pages need lines."""
    from datetime import date

    from webapp.fund import services as fund
    from webapp.fund.models import Purpose

    period = fund.period_of(fund.book_of(commune), FUND_YEAR)
    fund.record_receipt(
        editor, period,
        fund.MovementValues(
            min(date(FUND_YEAR, 10, 20), local_today()), 40_000_000, counterparty="Công ty Thử"
        ),
    )  # fmt: skip
    spending = fund.record_spending(
        editor, period,
        fund.MovementValues(
            min(date(FUND_YEAR, 11, 2), local_today()), 30_000_000,
            counterparty="Hộ ông Hoàng Văn Sìn",
            purpose=Purpose.HOUSES,
            beneficiaries=[fund.Beneficiary("Hoàng Văn Sìn", None, 30_000_000)],
        ),
    )  # fmt: skip
    db.session.commit()
    return spending.id


def _nominations(editor: User, commune: Unit):
    """A nomination waiting for the district's decision, one it approved and a draft."""
    from webapp.commendations import services as commendations

    reviewer = db.session.scalar(sa.select(User).where(User.username == "reviewer.pacnam"))
    made = []
    for name in ("Hoàng Văn Sìn", "Triệu Thị Mai", "Sằm Văn Pò"):
        nomination = commendations.create_nomination(
            editor, commune, 2017,
            commendations.NomineeValues(kind="individual", person_name=name,
                                        person_role="Trưởng bản", reason="Hiến đất làm đường"),
        )  # fmt: skip
        made.append(nomination)
    for nomination in made[:2]:
        commendations.submit_nomination(editor, nomination, nomination.version)
    commendations.approve_nomination(reviewer, made[1], made[1].version)
    db.session.commit()
    return made


def _not_pages(app) -> list[Page]:
    """The other GET endpoints: fragments, files and redirects, for the crawl below."""
    with app.app_context():
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        registration_list = db.session.scalar(
            sa.select(RegistrationList).where(RegistrationList.unit_id == commune.id).limit(1)
        )
        attachment = db.session.scalar(sa.select(Attachment).limit(1))
        key = message_key("Sign in")
        recording = _recording(attachment.page)
        return [
            Page("language", None, "/language/vi?next=/"),
            Page("registrations", "editor", "/registrations"),
            Page("summary", "editor", f"/registrations/lists/{registration_list.id}/summary"),
            Page(
                "entry row", "editor", f"/registrations/entries/{registration_list.entries[0].id}"
            ),
            Page("reports", "editor", "/reports"),
            Page("evaluations", "reviewer", "/commendations/evaluations"),
            Page("nominations", "editor", "/commendations/nominations"),
            Page("report line row", "editor", f"/reports/lines/{_any_line()}"),
            Page("docx", "editor", f"/registrations/lists/{registration_list.id}/export.docx"),
            Page("xlsx", "editor", f"/registrations/lists/{registration_list.id}/export.xlsx"),
            Page("file", None, f"/files/{attachment.id}/{attachment.filename}"),
            Page("string row", "translator", f"/translations/tyz/{key}/row"),
            Page("catalog", "admin", "/translations/tyz/messages.po"),
            Page("kit spreadsheet", "translator", "/translations/tyz/kit/export?set=public"),
            Page("recording", "translator", f"/recordings/{recording}"),
            Page("coverage", "reviewer", "/coverage"),
            Page("gap list xlsx", "reviewer", f"/coverage/2017/{commune.parent_id}/gaps.xlsx"),
            Page(
                "aggregated list xlsx",
                "reviewer",
                f"/coverage/2017/{commune.parent_id}/summary.xlsx?submitted=1",
            ),
            Page("rollup xlsx", "reviewer", f"/reports/2017/{commune.parent_id}/rollup.xlsx"),
            Page("commendations xlsx", None, "/commendations/2017.xlsx"),
            Page("opinions docx", "editor", _consolidated(commune, "consolidated.docx")),
            Page("opinions xlsx", "editor", _consolidated(commune, "consolidated.xlsx")),
            Page("fund disclosure xlsx", None, f"/fund/public/{commune.id}/{FUND_YEAR}.xlsx"),
            Page("photo", None, _any_photo()),
            Page("opinion photo", "editor", _opinion_files()[0]),
            Page("answer document", None, _opinion_files()[1]),
            Page("export job status", "admin", f"/jobs/{_export_job()}/status"),
            Page("export job file", "admin", f"/jobs/{_export_job()}/download"),
        ]


def _export_job() -> int:
    """The admin's aggregated list of the province as a background job (run in the request's
    stead: the served app has no Redis), made once."""
    from webapp.jobs import services as jobs
    from webapp.jobs.models import ExportJob

    found = db.session.scalar(sa.select(ExportJob.id).order_by(ExportJob.id).limit(1))
    if found:
        return found
    admin = db.session.scalar(sa.select(User).where(User.username == ACCOUNTS["admin"][0]))
    province = db.session.scalar(sa.select(Unit).where(Unit.code == "06"))
    parameters = {"unit_id": province.id, "year": 2017, "submitted": False}
    job = jobs.start(
        admin, "coverage.summary", parameters, title=EXPORT_TITLE,
        file_name=f"{EXPORT_TITLE}.xlsx", source=f"/coverage/2017/{province.id}/summary.xlsx",
    )  # fmt: skip
    return job.id


def _upload(name: str, data: bytes):
    return FileStorage(io.BytesIO(data), filename=name)


def _jpeg() -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", (800, 600), (60, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def _opinion_files() -> tuple[str, str]:
    """The committee's photo (not published) and the public answer's document."""
    from webapp.opinions.models import Opinion

    private = db.session.scalar(
        sa.select(Opinion.photo_id).where(
            Opinion.photo_public.is_(False), Opinion.photo_id.isnot(None)
        )
    )
    answered = db.session.scalar(sa.select(Opinion).where(Opinion.answer_document.isnot(None)))
    return (
        f"/opinions/photos/{private}/96.webp",
        f"/opinions/{answered.id}/answer/{answered.answer_document_name}",
    )


def _consolidated(commune: Unit, path: str = "consolidated") -> str:
    """The commune's consolidated list of opinions over the years the demo's opinion is in."""
    return f"/opinions/{path}?unit={commune.id}&start=01/01/2017&end=31/12/2099"


def _any_photo() -> str:
    """A public photo's thumbnail, by the URL the showcase gives it."""
    from webapp import photos
    from webapp.showcase.models import EntryPhoto

    photo = db.session.scalar(sa.select(EntryPhoto).limit(1)).photo
    return f"/models/photos/{photo.id}/{photos.key(photo, True)}/96.webp"


def _any_line() -> int:
    """A line of a report of editor.pacnam's communes (the demo's effective models come from
    another commune's report, which the editor may not open)."""
    return db.session.scalar(
        sa.select(ProgressLine.id)
        .join(ProgressReport, ProgressReport.id == ProgressLine.report_id)
        .join(Unit, Unit.id == ProgressReport.unit_id)
        .where(Unit.code.in_(("01858", "01861")))
        .order_by(ProgressLine.id)
        .limit(1)
    )


@pytest.fixture(scope="module")
def pages(app, seeded):
    return _pages(app)


def test_every_page_endpoint_is_measured(app, pages):
    assert _get_endpoints(app) - NOT_PAGES - _endpoints(app, pages) == set()


def test_every_get_route_in_every_language(app, pages):
    """In every configured language, as each kind of user: every page answers with its own
    status, every fragment, file and redirect without an error, and `<html lang>` carries the
    language the interface is in: a language that falls back is labelled with its fallback
    (Vietnamese) while less than half of what public readers see is translated (marking.py)."""
    every, page_names = [*pages, *_not_pages(app)], {page.name for page in pages}
    assert _get_endpoints(app) - {"static"} - _endpoints(app, every) == set()
    clients = {}
    for who, (username, password) in ACCOUNTS.items():
        clients[who] = app.test_client()
        response = clients[who].post("/login", data={"username": username, "password": password})
        assert response.status_code == 303
    failures = []
    for code in app.config["LANGUAGES"]:
        with app.test_request_context(headers={"Cookie": f"lang={code}"}):
            interface = page_language()
        for spec in every:
            client = clients[spec.who] if spec.who else app.test_client()
            client.set_cookie("lang", code)
            response = client.get(spec.path)
            body = response.get_data(as_text=True)[:100] if response.mimetype == "text/html" else ""
            response.close()  # files are streamed from disk
            whole_page = body.startswith("<!doctype html>") and response.status_code < 300
            # The official form is printed in Vietnamese whatever the interface language.
            lang = "vi" if spec.name == "official form" else interface
            status = response.status_code
            answered = status == spec.status if spec.name in page_names else status < 400
            if not answered or (whole_page and f'<html lang="{lang}">' not in body):
                failures.append(f"{code} {spec.name}: {response.status_code}")
    assert failures == [], "\n".join(failures)


def _get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}


def _endpoints(app, pages) -> set[str]:
    """The endpoints the pages' paths reach; only the page meant to be missing reaches none."""
    adapter = app.url_map.bind("localhost")
    found = set()
    for page in pages:
        try:
            found.add(adapter.match(page.path.split("?")[0], method="GET")[0])
        except NotFound:
            assert page.name == "not found", f"{page.name}: {page.path} matches no route"
    return found


def _open(new_page, signed_in, who, **options):
    """A page in a fresh context (empty cache), as `who` (a visitor when None)."""
    return new_page(storage_state=signed_in(who) if who else None, **options)


def _shown(page, spec: Page, response) -> list[str]:
    """What is wrong with the page as shown: another status or heading than the page's own (a
    refusal, an error page or a page that lost its content)."""
    problems = []
    if response is None or response.status != spec.status:
        problems.append(f"{spec.name}: status {response and response.status}, not {spec.status}")
    heading = page.locator("h1").first
    shown = " ".join(heading.inner_text().split()) if heading.count() else "(no <h1>)"
    if spec.heading not in shown:
        problems.append(f"{spec.name}: heading {shown!r}, not {spec.heading!r}")
    return problems


@drawing_only
def test_page_weight_first_load_and_repeat_view(new_page, signed_in, pages, record_property):
    results, wrong = [], []
    for spec in pages:
        page = _open(new_page, signed_in, spec.who)
        meter = NetworkMeter(page)
        meter.clear_cache()
        first = meter.visit(page, spec.path)
        wrong += _shown(page, spec, meter.response)
        repeat = meter.visit(page, spec.path)
        results.append((spec.name, first, repeat))
        record_property(f"weight {spec.name}", f"{first} B first, {repeat} B repeat")
    report = "\n".join(
        f"{name:<22} first {first:>6} B   repeat {repeat:>6} B" for name, first, repeat in results
    )
    print("\n" + report)
    assert wrong == [], "\n".join(wrong)
    too_heavy = [r for r in results if r[1] > FIRST_LOAD_BUDGET or r[2] > REPEAT_VIEW_BUDGET]
    assert too_heavy == [], report
    # The measurement itself saw compressed assets: htmx alone is 50 KB uncompressed.
    assert all(first > repeat for _, first, repeat in results)


@drawing_only
@pytest.mark.parametrize("width", [360, 1280])
def test_pages_have_no_serious_accessibility_violations(new_page, signed_in, pages, width):
    problems = []
    # One tab per account, going from page to page: what axe checks does not depend on the
    # cache, and a fresh context for each page cost more than axe itself. Chromium puts axe-core
    # into every page the tab opens (sending its 500 KB with each page cost ~0.2 s).
    tabs = {}
    for spec in pages:
        if spec.who not in tabs:
            tabs[spec.who] = _open(new_page, signed_in, spec.who, width=width)
            tabs[spec.who].add_init_script(script=Axe().axe_script)
        page = tabs[spec.who]
        problems += _shown(page, spec, page.goto(spec.path))
        violations = page.evaluate(
            "() => axe.run({resultTypes: ['violations']}).then((r) => r.violations)"
        )
        for violation in violations:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{spec.name}: {violation['id']} {targets}")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        if overflow > width:
            problems.append(f"{spec.name}: {overflow} px wide at {width} px")
    assert problems == []
