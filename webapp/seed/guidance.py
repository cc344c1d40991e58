"""The guidance published from day one, loaded by every `flask seed`, idempotently: the four
sections at the province, the Bắc Kạn plan (Kế hoạch 129/KH-MTTQ-BTT) as the first plan page,
and the blank registration form as a Word file on the forms page.

Pages are matched on their parent and slug; an existing page is left as its publishers made
it. When the province has an admin, everything goes through the page services as that admin
(policy and audit as usual). On a fresh install nobody may publish yet, so the seed writes the
same rows itself, through the services' revision helper, with no actor in the audit trail.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import pgettext
from werkzeug.datastructures import FileStorage

from webapp.audit.services import record
from webapp.auth.models import Role, RoleAssignment, User
from webapp.campaign.models import MemberOrganization
from webapp.db import utcnow
from webapp.exports.official_form import OfficialForm, Row, build_form, in_vietnamese
from webapp.extensions import db
from webapp.pages import files, services
from webapp.pages.models import Page, PageKind, PageState
from webapp.pages.services import PageValues
from webapp.registrations.models import RegistrationList
from webapp.seed.loader import DATA, FIRST_STRUCTURE_DAY
from webapp.units.models import Unit
from webapp.units.queries import active_on

PROVINCE_CODE = "06"
PLAN_FILE = DATA / "plan_129_2017.txt"
PLAN_REFERENCE = "Kế hoạch số 129/KH-MTTQ-BTT ngày 21/6/2017"
PLAN_YEAR = 2017
FORM_FILENAME = "Mẫu danh sách đăng ký năm 2017.docx"
FORM_TITLE = "Mẫu danh sách công trình, mô hình, phần việc năm 2017"
# What the plan's form leaves to be filled in.
DOTS = "..................................."
OWNER_DOTS = "(đơn vị).........."
BLANK_ROWS = 5


@dataclass(frozen=True)
class SeedPage:
    slug: str
    kind: PageKind
    title: str
    summary: str | None = None
    body: str = ""


SECTIONS = (
    SeedPage(
        "ke-hoach",
        PageKind.SECTION,
        "Kế hoạch",
        "Kế hoạch phối hợp thực hiện Cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, "
        "đô thị văn minh”.",
    ),
    SeedPage(
        "huong-dan",
        PageKind.SECTION,
        "Hướng dẫn",
        "Hướng dẫn đăng ký, thực hiện và báo cáo kết quả Cuộc vận động.",
    ),
    SeedPage("bieu-mau", PageKind.SECTION, "Biểu mẫu", "Các mẫu danh sách, báo cáo để tải về."),
    SeedPage(
        "tin-tuc",
        PageKind.SECTION,
        "Tin tức",
        "Tin hoạt động của Mặt trận Tổ quốc và các tổ chức thành viên.",
    ),
)

FORM_PAGE = SeedPage(
    "mau-danh-sach-dang-ky",
    PageKind.FORM,
    "Mẫu danh sách đăng ký công trình, mô hình, phần việc",
    f"Mẫu gửi kèm {PLAN_REFERENCE}, để tải về và điền (tệp Word).",
    "Các tổ chức thành viên của Ủy ban MTTQ Việt Nam đăng ký danh sách các công trình, mô hình, "
    "phần việc của tổ chức mình tham gia xây dựng nông thôn mới, đô thị văn minh theo mẫu gửi "
    f"kèm {PLAN_REFERENCE} của Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Bắc Kạn.\n\n"
    "Hằng năm đăng ký trước ngày 15/02; năm 2017 đăng ký trước ngày 15/7/2017. Tải mẫu dưới "
    "đây, điền và gửi về Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh để tổng hợp.",
)


@dataclass
class Result:
    pages: list[Page] = field(default_factory=list)
    created_pages: int = 0
    created_files: int = 0

    def summary(self) -> str:
        files_count = sum(len(page.attachments) for page in self.pages)
        created = (
            f"created {_count(self.created_pages, 'page')} and "
            f"{_count(self.created_files, 'attachment')} now"
            if self.created_pages or self.created_files
            else "existed, nothing new"
        )
        return (
            f"Guidance: {_count(len(self.pages), 'page')} (sections, the plan, the registration "
            f"form) with {_count(files_count, 'attachment')}; {created}."
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def load_guidance() -> Result:
    province = db.session.scalar(
        # The plan is Bắc Kạn's, of 2017: its pages stay with that province after the reform.
        sa.select(Unit).where(Unit.code == PROVINCE_CODE, active_on(FIRST_STRUCTURE_DAY))
    )
    if province is None:
        raise LookupError("load the units before the guidance pages")
    actor = _province_admin(province)
    result = Result()
    sections = {
        spec.slug: _ensure_page(actor, province, None, spec, position, result)
        for position, spec in enumerate(SECTIONS, 1)
    }
    _ensure_page(actor, province, sections["ke-hoach"], plan_page(), 1, result)
    form_page = _ensure_page(actor, province, sections["bieu-mau"], FORM_PAGE, 1, result)
    if not any(a.filename == FORM_FILENAME for a in form_page.attachments):
        from webapp.exports import documents  # python-docx, for this one file

        upload = FileStorage(
            io.BytesIO(documents.to_docx(blank_form(province))),
            filename=FORM_FILENAME,
            content_type=documents.DOCX_MIMETYPE,
        )
        if actor is not None:
            files.add_attachment(actor, form_page, upload, FORM_TITLE)
        else:
            files._attach(None, form_page, upload, FORM_TITLE)
        result.created_files += 1
    return result


def _province_admin(province: Unit) -> User | None:
    """The first active admin of the whole province (not narrowed to one organization)."""
    return db.session.scalar(
        sa.select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.is_active,
            RoleAssignment.role == Role.ADMIN,
            RoleAssignment.unit_id == province.id,
            RoleAssignment.organization_id.is_(None),
        )
        .order_by(User.id)
        .limit(1)
    )


def _ensure_page(
    actor: User | None,
    unit: Unit,
    parent: Page | None,
    spec: SeedPage,
    position: int,
    result: Result,
) -> Page:
    page = db.session.scalar(
        sa.select(Page).where(
            Page.slug == spec.slug,
            Page.parent_id.is_(None) if parent is None else Page.parent_id == parent.id,
        )
    )
    if page is None:
        values = PageValues(spec.title, spec.body, spec.summary)
        if actor is not None:
            page = services.create_page(
                actor, unit=unit, parent=parent, kind=spec.kind, values=values, slug=spec.slug
            )
            services.set_state(actor, page, page.version, PageState.PUBLISHED)
        else:
            page = _create_published(unit, parent, spec, values)
        page.sort_order = position
        db.session.flush()
        result.created_pages += 1
    result.pages.append(page)
    return page


def _create_published(unit: Unit, parent: Page | None, spec: SeedPage, values) -> Page:
    """What create_page and set_state do, for a database where nobody may publish yet."""
    page = Page(
        unit=unit,
        parent=parent,
        kind=spec.kind,
        slug=spec.slug,
        state=PageState.PUBLISHED,
        published_at=utcnow(),
    )
    db.session.add(page)
    db.session.flush()
    services._add_revision(None, page, values)
    record(None, "page.created", page, unit_id=unit.id, title=values.title)
    record(None, f"page.{PageState.PUBLISHED}", page, unit_id=unit.id)
    return page


# The plan as Markdown.

_ROMAN = re.compile(r"[IVXLC]+\.\s")
_NUMBERED = re.compile(r"(\d+)([.)])\s+(.*)")
_MARKDOWN_CHARS = re.compile(r"([\\`*_\[\]<>#|])")
HEADING_MAX = 80  # a longer numbered line is a paragraph, not a heading


def plan_page() -> SeedPage:
    title, body = plan_markdown(PLAN_FILE.read_text(encoding="utf-8"))
    return SeedPage(
        "ke-hoach-129-2017",
        PageKind.PLAN,
        title,
        "Kế hoạch của Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Bắc Kạn phối hợp với các tổ "
        "chức thành viên thực hiện Cuộc vận động; kèm mẫu danh sách đăng ký công trình, mô "
        "hình, phần việc.",
        body,
    )


def plan_markdown(text: str) -> tuple[str, str]:
    """The plan's title and its full text as Markdown: the heading lines in bold, "I." … as
    `##`, short numbered lines ("2. Hội Nông dân tỉnh") as `###`, "- " items as a list, the
    signature block, and the form's heading after a rule. A line that starts in lower case
    continues the one before (the text breaks some sentences)."""
    lines = _joined_lines(unicodedata.normalize("NFC", text))
    header, lines = lines[:3], lines[3:]
    title = f"{PLAN_REFERENCE} {header[1][:1].lower()}{header[1][1:]} {header[2]}"
    blocks = ["\\\n".join(f"**{_escape(line)}**" for line in header)]
    part = "body"
    signature: list[str] = []
    for line in lines:
        if line.startswith("TM. "):
            part = "signature"
        elif line.startswith("ĐƠN VỊ:"):
            part = "form"
            blocks.append("\\\n".join(f"**{_escape(s)}**" for s in signature))
            blocks.append("---")
        if part == "signature":
            signature.append(line)
        elif part == "form":
            blocks.append(_form_line(line))
        else:
            blocks.append(_body_line(line))
    if part == "signature":
        blocks.append("\\\n".join(f"**{_escape(s)}**" for s in signature))
    return title, "\n\n".join(blocks) + "\n"


def _joined_lines(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if lines and line[0].islower():
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def _escape(text: str) -> str:
    return _MARKDOWN_CHARS.sub(r"\\\1", text)


def _body_line(line: str) -> str:
    if _ROMAN.match(line):
        return f"## {_escape(line)}"
    if numbered := _NUMBERED.fullmatch(line):
        if len(line) <= HEADING_MAX and not line.endswith((":", ".", ";")):
            return f"### {_escape(line)}"
        number, mark, rest = numbered.groups()
        return f"{number}\\{mark} {_escape(rest)}"  # a paragraph, not a list renumbering itself
    if line.startswith("- "):
        return f"- {_escape(line[2:])}"
    if line[:1] in "+-=":
        return f"\\{_escape(line)}"
    return _escape(line)


def _form_line(line: str) -> str:
    if line.startswith("("):
        return f"*{_escape(line)}*"
    return f"**{_escape(line)}**"


# The blank registration form.


def blank_form(province: Unit) -> OfficialForm:
    """The official form as the plan sends it: the unit, its name and the date left as dotted
    lines to fill in, empty rows. Built by build_form from an unsaved list of the province's
    Front committee for the plan's year, then blanked."""
    organization = db.session.scalar(
        sa.select(MemberOrganization).where(MemberOrganization.code == "mttq")
    ) or MemberOrganization(code="mttq", name_vi="Ủy ban MTTQ Việt Nam")
    draft = RegistrationList(unit=province, organization=organization, year=PLAN_YEAR)
    try:
        form = build_form(draft)
    finally:
        if draft in db.session:
            db.session.expunge(draft)
    with in_vietnamese():
        date_line = pgettext(
            "official form",
            "%(place)s, day %(day)s month %(month)s year %(year)s",
            place="..............",
            day="......",
            month="......",
            year=str(PLAN_YEAR),
        )
    return dataclasses.replace(
        form,
        owner=OWNER_DOTS,
        unit_line=form.unit_line.replace(form.owner, DOTS),
        subtitle=form.subtitle.replace(form.owner, OWNER_DOTS),
        rows=tuple(Row((None,) * len(form.columns)) for _ in range(BLANK_ROWS)),
        totals=tuple(None for _ in form.totals),
        date_line=date_line,
        signer_title=None,
        signer_name=None,
        file_stem=f"mau-danh-sach-dang-ky-{PLAN_YEAR}",
    )
