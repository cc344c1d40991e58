"""`flask seed`: Bắc Kạn's 2017 units and their reorganizations, the campaign configuration and
the first guidance pages, loaded idempotently."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from webapp.auth.models import Role, User
from webapp.campaign.models import (
    Campaign,
    Content,
    Deadline,
    MemberOrganization,
    ModelType,
    Requirement,
)
from webapp.extensions import db
from webapp.units.models import Level, Unit


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_loads_bac_kan_and_the_campaign(app, db):
    output = _seed(app, "--until", "2017")
    assert "131 units" in output and "Reorganization" not in output
    assert _count(Unit, Unit.level == Level.PROVINCE) == 1
    assert _count(Unit, Unit.level == Level.DISTRICT) == 8
    assert _count(Unit, Unit.level == Level.COMMUNE) == 122
    province = db.session.scalar(sa.select(Unit).where(Unit.code == "06"))
    assert province.name == "Tỉnh Bắc Kạn"
    bang_thanh = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
    assert bang_thanh.name == "Xã Bằng Thành"
    assert bang_thanh.parent.code == "060" and bang_thanh.parent.parent is province
    assert _count(Campaign) == 1
    assert [c.number for c in db.session.scalars(sa.select(Content).order_by(Content.number))] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert _count(MemberOrganization) == 10
    assert _count(ModelType) == 24
    assert _count(Requirement) == 8
    htx = db.session.scalar(sa.select(Requirement).where(Requirement.code == "htx_kieu_moi"))
    assert htx.applies_to == "new_rural_communes"
    assert {p.code for p in htx.partners} == {"nong_dan", "phu_nu"}
    assert {m.code for m in htx.model_types} == {"htx_kieu_moi", "htx_phu_nu"}
    override = db.session.scalar(sa.select(Deadline).where(Deadline.year == 2017))
    assert (override.day, override.month) == (15, 7)


def test_seed_applies_the_2020_and_2025_reorganizations_by_default(app, db):
    from datetime import date

    from webapp.units.queries import active_on

    output = _seed(app)
    assert "Reorganization 2020 applied: 27 units ended, 13 began on 01/02/2020." in output
    assert "Reorganization 2025 applied: 117 units ended, 38 began on 01/07/2025." in output
    today = date(2026, 11, 28)
    assert _count(Unit, active_on(today), Unit.level == Level.COMMUNE) == 37
    assert _count(Unit, active_on(today), Unit.level == Level.DISTRICT) == 0
    assert _count(Unit, active_on(date(2024, 2, 15)), Unit.level == Level.COMMUNE) == 108
    assert _count(Unit, active_on(date(2017, 7, 15)), Unit.level == Level.COMMUNE) == 122
    again = _seed(app)
    assert "created nothing new" in again and "Reorganization" not in again
    assert _count(Unit) == 131 + 13 + 38


def test_seed_twice_changes_nothing(app, db):
    _seed(app, "--demo")
    counts = [_count(m) for m in (Unit, Content, MemberOrganization, ModelType, Requirement, User)]
    output = _seed(app, "--demo")
    assert "created nothing new" in output
    assert [
        _count(m) for m in (Unit, Content, MemberOrganization, ModelType, Requirement, User)
    ] == counts


def test_seed_keeps_deadlines_an_admin_changed(app, db):
    _seed(app)
    deadline = db.session.scalar(sa.select(Deadline).where(Deadline.year.is_(None)).limit(1))
    deadline.day = 28
    db.session.commit()
    _seed(app)
    db.session.expire_all()
    assert db.session.get(Deadline, deadline.id).day == 28


def test_demo_accounts_can_sign_in_with_their_printed_passwords(app, db):
    output = _seed(app, "--demo")
    from webapp.seed.loader import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        assert account.username in output and account.password in output
        client = app.test_client()
        response = client.post(
            "/login", data={"username": account.username, "password": account.password}
        )
        assert response.status_code == 303, account.username
    editor = db.session.scalar(sa.select(User).where(User.username == "editor.pacnam"))
    assert sorted(a.unit.code for a in editor.roles) == ["01858", "01861"]
    officer = db.session.scalar(sa.select(User).where(User.username == "phunu.pacnam"))
    assert officer.roles[0].organization.code == "phu_nu"
    roles = {a.role for u in db.session.scalars(sa.select(User)) for a in u.roles}
    assert roles == {
        Role.ADMIN,
        Role.REVIEWER,
        Role.EDITOR,
        Role.PUBLISHER,
        Role.TRANSLATOR,
        Role.TRANSLATION_REVIEWER,
    }


def _pac_nam_2017() -> list:
    from webapp.registrations.models import RegistrationList
    from webapp.units.queries import subtree_ids

    district = db.session.scalar(sa.select(Unit).where(Unit.code == "060"))
    return list(
        db.session.scalars(
            sa.select(RegistrationList).where(
                RegistrationList.year == 2017,
                RegistrationList.unit_id.in_(subtree_ids([district.id])),
            )
        )
    )


def test_seed_demo_fills_a_2017_season_for_pac_nam(app, db):
    from datetime import UTC, datetime

    from webapp.audit.models import AuditEvent
    from webapp.registrations.models import Entry, EntryState, ListState

    output = _seed(app, "--demo")
    lists = _pac_nam_2017()
    entries = [e for rl in lists for e in rl.entries]
    # 45 in the season; one more in Nhạn Môn's 2018 list, replicating a model (demo_more).
    assert len(lists) == 15 and len(entries) == 45 and _count(Entry) == 46
    assert (
        "15 registration lists (13 submitted, 1 of them late; 2 drafts) with 45 entries" in output
    )
    assert all(2 <= len(rl.entries) <= 5 for rl in lists)
    assert {e.content.number for e in entries} == {1, 2, 3, 4, 5}
    assert {e.kind.value for e in entries} == {"cong_trinh", "mo_hinh", "phan_viec"}
    assert sum(e.model_type is not None for e in entries) >= 20

    by_commune: dict[str, set[str]] = {}
    for rl in lists:
        if rl.unit.level == Level.COMMUNE:
            by_commune.setdefault(rl.unit.code, set()).add(rl.organization.code)
    assert {"01858", "01861"} <= set(by_commune) and len(by_commune) >= 4
    assert all(2 <= len(orgs) <= 5 for orgs in by_commune.values())
    (district_list,) = [rl for rl in lists if rl.unit.code == "060"]
    assert district_list.organization.code == "phu_nu"
    assert all(
        e.location.level == Level.COMMUNE and e.location.parent.code == "060"
        for e in district_list.entries
    )
    in_areas = [e for e in entries if e.location.level == Level.AREA]
    assert len(in_areas) >= 15
    assert all(e.location.parent is e.registration_list.unit for e in in_areas)

    deadline = datetime(2017, 7, 15, 17, 0, tzinfo=UTC)  # end of 15/7/2017 in Vietnam
    (late,) = [rl for rl in lists if rl.is_late]
    assert late.state == ListState.SUBMITTED and late.submitted_at > deadline
    drafts = [rl for rl in lists if rl.state == ListState.DRAFT]
    assert len(drafts) == 2
    assert all(rl.submitted_at is None for rl in drafts)
    assert all(e.state == EntryState.DRAFT for rl in drafts for e in rl.entries)
    on_time = [rl for rl in lists if rl.submitted_at is not None and not rl.is_late]
    assert len(on_time) == 12
    assert all(rl.submitted_at < deadline and rl.registered_on.year == 2017 for rl in on_time)
    # demo_more: the district approved Bộc Bố's MTTQ list (its models are recognised); the
    # others wait for review.
    approved = [rl for rl in on_time if rl.state != ListState.SUBMITTED]
    assert {(rl.unit.code, rl.organization.code) for rl in approved} == {("01864", "mttq")}
    assert all(e.state == EntryState.APPROVED for rl in approved for e in rl.entries)
    waiting = [late, *(rl for rl in on_time if rl not in approved)]
    assert all(e.state == EntryState.SUBMITTED for rl in waiting for e in rl.entries)
    assert all(
        e.starts_on.year == e.ends_on.year == 2017 and e.starts_on.day == e.ends_on.day == 1
        for e in entries
    )
    assert all(
        isinstance(e.budget_total, int) and e.budget_total > 0
        for e in entries
        if e.kind.value == "cong_trinh"
    )

    def events(action: str) -> list[AuditEvent]:
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))

    assert len(events("list.created")) == 16  # with the 2018 list of the replication
    assert len(events("entry.created")) == 46
    assert len(events("list.submitted")) == 13
    assert len(events("unit.area_added")) == _count(Unit, Unit.level == Level.AREA) == 12
    actors = {e.actor.username for e in events("list.created")}
    assert actors == {"editor.pacnam", "mttq.pacnam", "phunu.pacnam"}


def test_seed_demo_twice_adds_no_second_season(app, db):
    from webapp.audit.models import AuditEvent
    from webapp.fund.models import FundMovement, FundPeriod
    from webapp.opinions.models import Opinion
    from webapp.photos import Photo
    from webapp.registrations.models import Entry, RegistrationList
    from webapp.reports.models import ProgressReport
    from webapp.showcase.models import EffectiveModel

    _seed(app, "--demo")
    models = (RegistrationList, Entry, AuditEvent, Unit, User, Opinion, FundMovement)
    models += (FundPeriod, ProgressReport, EffectiveModel, Photo)
    counts = [_count(m) for m in models]
    output = _seed(app, "--demo")
    assert "15 registration lists" in output and "existed, nothing new" in output
    assert [_count(m) for m in models] == counts


def test_seed_demo_entries_each_pass_the_entry_form(app, db):
    """Every demo entry can be edited and saved as it is: in particular a catalogue model only
    with the kind "Model" (the entry form refuses it for a work or a task)."""
    from webapp.registrations.forms import entry_form
    from webapp.registrations.models import EntryKind

    _seed(app, "--demo")
    entries = [e for rl in _pac_nam_2017() for e in rl.entries]
    mismatched = [
        e.name for e in entries if e.model_type is not None and e.kind != EntryKind.MO_HINH
    ]
    assert not mismatched
    refused = {}
    with app.test_request_context():
        for entry in entries:
            form = entry_form(entry.registration_list, entry=entry)
            form.validate()
            # No request carries a CSRF token here; every other field is judged.
            errors = {k: v for k, v in form.errors.items() if k != "csrf_token"}
            if errors:
                refused[entry.name] = errors
    assert not refused


def test_seed_without_demo_makes_no_season(app, db):
    from webapp.registrations.models import RegistrationList

    output = _seed(app)
    assert "Demo season" not in output
    assert _count(RegistrationList) == 0


# Guidance pages: every seed publishes the sections, the plan and the registration form.


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path):
    """Every seed writes the form's Word file: keep it out of instance/."""
    saved = app.config["ATTACHMENTS_DIR"]
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    yield tmp_path / "attachments"
    app.config["ATTACHMENTS_DIR"] = saved


def _page(slug: str, parent=None):
    from webapp.pages.models import Page

    return db.session.scalar(
        sa.select(Page).where(
            Page.slug == slug,
            Page.parent_id.is_(None) if parent is None else Page.parent_id == parent.id,
        )
    )


def test_seed_publishes_the_guidance_sections_and_the_plan(app, db):
    from webapp.audit.models import AuditEvent
    from webapp.pages.models import Page, PageKind, PageState
    from webapp.pages.services import plain_text
    from webapp.seed.guidance import PLAN_FILE

    output = _seed(app)
    assert (
        "Guidance: 6 pages (sections, the plan, the registration form) with 1 attachment; "
        "created 6 pages and 1 attachment now." in output
    )
    province = db.session.scalar(sa.select(Unit).where(Unit.code == "06"))
    roots = db.session.scalars(
        sa.select(Page).where(Page.parent_id.is_(None)).order_by(Page.sort_order, Page.id)
    )
    assert [(p.slug, p.title) for p in roots] == [
        ("ke-hoach", "Kế hoạch"),
        ("huong-dan", "Hướng dẫn"),
        ("bieu-mau", "Biểu mẫu"),
        ("tin-tuc", "Tin tức"),
    ]
    pages = list(db.session.scalars(sa.select(Page)))
    assert len(pages) == 6
    assert all(p.state == PageState.PUBLISHED and p.published_at for p in pages)
    assert all(p.unit_id == province.id and p.current.number == 1 for p in pages)
    assert all(p.current.author_id is None for p in pages)  # nobody may publish yet

    plan = _page("ke-hoach-129-2017", _page("ke-hoach"))
    assert plan.kind == PageKind.PLAN
    assert plan.title == (
        "Kế hoạch số 129/KH-MTTQ-BTT ngày 21/6/2017 phối hợp thống nhất thực hiện Cuộc vận động "
        "“Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”"
    )
    assert plan.search_title.startswith("ke hoach so 129/kh-mttq-btt")
    html = plan.current.body_html
    assert "<h2>I. MỤC ĐÍCH, YÊU CẦU</h2>" in html and "<h2>III. TỔ CHỨC THỰC HIỆN</h2>" in html
    assert "<h3>2. Hội Nông dân tỉnh</h3>" in html and "<ol" not in html
    assert "<strong>Lý Quang Vịnh</strong>" in html and "<hr>" in html
    # The whole text is there, in order, as a reader sees it.
    text = " ".join(plain_text(html).split())
    position = 0
    for line in PLAN_FILE.read_text(encoding="utf-8").splitlines():
        line = " ".join(line.split()).removeprefix("- ")
        if line:
            found = text.find(line, position)
            assert found >= 0, line
            position = found
    created = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "page.created"))
    assert sorted(e.object_id for e in created) == sorted(p.id for p in pages)


def test_seed_attaches_the_blank_registration_form(app, db, attachments_dir):
    import io

    from docx import Document

    from webapp.pages.models import PageKind

    _seed(app)
    form_page = _page("mau-danh-sach-dang-ky", _page("bieu-mau"))
    assert form_page.kind == PageKind.FORM
    (attachment,) = form_page.attachments
    assert attachment.filename == "Mẫu danh sách đăng ký năm 2017.docx"
    assert attachment.content_type.endswith("wordprocessingml.document")
    assert sorted(p.name for p in attachments_dir.iterdir()) == [attachment.stored_name]

    with app.test_client().get(f"/files/{attachment.id}/{attachment.filename}") as response:
        assert response.status_code == 200
        document = Document(io.BytesIO(response.data))
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[:3] == [
        "ĐƠN VỊ: ...................................",
        "DANH SÁCH",
        "Các công trình, mô hình, phần việc của (đơn vị).......... tham gia xây dựng nông thôn "
        "mới, đô thị văn minh năm 2017",
    ]
    assert paragraphs[3].startswith("(Kèm theo Kế hoạch số 129/KH-MTTQ-BTT ngày 21 tháng 6")
    assert ".............., ngày ...... tháng ...... năm 2017" in paragraphs
    assert "(Ký tên, đóng dấu)" in paragraphs
    (table,) = document.tables
    assert len(table.rows) == 2 + 5 + 1  # two heading rows, five to fill in, the total
    assert all(not cell.text for cell in table.rows[3].cells)


def test_seed_guidance_twice_changes_nothing(app, db, attachments_dir):
    from webapp.audit.models import AuditEvent
    from webapp.pages.models import Attachment, Page, Revision

    _seed(app)
    models = (Page, Revision, Attachment, AuditEvent)
    counts = [_count(m) for m in models]
    output = _seed(app)
    assert "with 1 attachment; existed, nothing new." in output
    assert [_count(m) for m in models] == counts
    assert len(list(attachments_dir.iterdir())) == 1


def test_seed_demo_publishes_the_guidance_as_the_province_admin(app, db):
    from webapp.audit.models import AuditEvent
    from webapp.pages.models import Page

    _seed(app, "--demo")
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    pages = list(db.session.scalars(sa.select(Page)))
    assert len(pages) == 6 and all(p.current.author_id == admin.id for p in pages)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.in_(["page.published", "attachment.added"]))
    )
    assert sorted(e.action for e in events if e.actor_id == admin.id) == [
        "attachment.added",
        *["page.published"] * 6,
    ]
    (attachment,) = _page("mau-danh-sach-dang-ky", _page("bieu-mau")).attachments
    assert attachment.uploaded_by_id == admin.id


def test_seed_keeps_guidance_its_publishers_changed(app, db):
    from webapp.pages import services
    from webapp.pages.services import PageValues

    _seed(app, "--demo")
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    plan = _page("ke-hoach-129-2017", _page("ke-hoach"))
    services.save(admin, plan, plan.version, PageValues("Kế hoạch 129", "Đã sửa."))
    db.session.commit()
    _seed(app, "--demo")
    db.session.expire_all()
    plan = _page("ke-hoach-129-2017", _page("ke-hoach"))
    assert plan.title == "Kế hoạch 129" and plan.current.number == 2


def test_seed_demo_fills_opinions_fund_books_and_effective_models(app, db):
    """demo_more: the opinions, fund books and effective models are made by the demo accounts
    through the services, so the states, the audit trail and the public pages are real."""
    import re

    from webapp.audit.models import AuditEvent
    from webapp.db import local_today
    from webapp.fund import queries as fund_queries
    from webapp.fund.models import (
        FundBook,
        FundMovement,
        FundPeriod,
        MovementKind,
        PeriodState,
        Purpose,
    )
    from webapp.opinions.models import MeetingKind, Opinion, OpinionState
    from webapp.showcase.models import EffectiveModel, EntryPhoto, ModelState, Replication

    output = _seed(app, "--demo")
    opinions = list(db.session.scalars(sa.select(Opinion).order_by(Opinion.id)))
    states = [o.state for o in opinions]
    for state in (OpinionState.RECEIVED, OpinionState.ACCEPTED, OpinionState.MERGED):
        assert state in states
    assert {OpinionState.FORWARDED, OpinionState.ANSWERED, OpinionState.REJECTED} <= set(states)
    assert {o.unit.code for o in opinions} == {"01858", "01861"}
    (merged,) = [o for o in opinions if o.state == OpinionState.MERGED]
    assert merged.merged_into.meeting_kind == MeetingKind.VOTER_CONTACT
    assert merged.merged_into.people == 13
    (answered,) = [o for o in opinions if o.state == OpinionState.ANSWERED]
    assert answered.answer_agency == "UBND huyện Pác Nặm" and answered.answer_text
    assert f"code {answered.code}" in output
    assert all(o.reason for o in opinions if o.state == OpinionState.REJECTED)
    # Only the obviously fictitious contacts.
    assert all(re.fullmatch(r"0900 000 00\d", o.sender_contact or "0900 000 000") for o in opinions)

    this = local_today().year
    books = {b.unit.code: b for b in db.session.scalars(sa.select(FundBook))}
    assert set(books) == {"01858", "060"}
    for book in books.values():
        last = db.session.scalar(sa.select(FundPeriod).filter_by(book_id=book.id, year=this - 1))
        assert last.state == PeriodState.APPROVED
        closer, approver = (
            db.session.get(User, last.closed_by_id),
            db.session.get(User, last.approved_by_id),
        )
        assert closer.username != approver.username == "reviewer.pacnam"
        assert book.balance == fund_queries.opening_balance([book.id], this + 1)
    movements = list(
        db.session.scalars(sa.select(FundMovement).filter_by(book_id=books["01858"].id))
    )
    kinds = {(m.kind, m.purpose) for m in movements}
    assert (MovementKind.TRANSFER_OUT, None) in kinds
    assert (MovementKind.SPENDING, Purpose.HOUSES) in kinds
    assert (MovementKind.SPENDING, Purpose.TET_GIFTS) in kinds
    house = next(m for m in movements if m.purpose == Purpose.HOUSES)
    assert house.beneficiaries[0].area.name == "Thôn Khuổi Ma"
    mobilized = [
        m
        for m in movements
        if m.kind == MovementKind.RECEIPT and (10, 17) <= (m.on.month, m.on.day) <= (11, 18)
    ]
    assert mobilized

    models = list(db.session.scalars(sa.select(EffectiveModel)))
    assert len(models) == 3
    assert all(m.state == ModelState.RECOGNISED and m.year == 2017 for m in models)
    assert all(m.citation and m.decision_number and m.households for m in models)
    photos = list(db.session.scalars(sa.select(EntryPhoto)))
    assert sorted(p.entry_id for p in photos) == sorted(m.entry_id for m in models)
    assert all(p.caption.startswith("Ảnh minh họa") for p in photos)
    (replication,) = db.session.scalars(sa.select(Replication))
    assert replication.entry.registration_list.unit.code == "01861"
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"opinion.answered", "fund.period_approved", "model.recognised"} <= actions
    assert {"photo.added", "model.replicated", "report.line_updated"} <= actions
