"""The rest of the demo (`seed --demo`, after the 2017 season): people's opinions at two
communes of Pác Nặm, the “Vì người nghèo” fund books of Bằng Thành and of the district for last
year and this one, and three of the season's entries recognised as effective models, each with
an illustrative photo, one of them replicated by another commune.

Everything goes through the packages' services with the demo accounts as actors, so the policy
holds, the states are reached step by step and the audit trail is real. Each part is skipped
when its data exists, so a second `seed --demo` creates nothing new. Names, places and contacts
are invented: contacts are the obviously fictitious 0900 000 0xx.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from webapp.campaign.deadlines import current_campaign
from webapp.campaign.models import MemberOrganization
from webapp.db import local_today
from webapp.extensions import db
from webapp.fund import services as fund
from webapp.fund.models import FundMovement, Means, PeriodState, Purpose
from webapp.opinions import services as opinions
from webapp.opinions.models import MeetingKind, Opinion, OpinionState
from webapp.registrations.models import EntryState, RegistrationList
from webapp.reports import services as reports
from webapp.reports.models import LineStatus, Period
from webapp.review import services as review
from webapp.seed.demo_season import _current_unit, _demo_user
from webapp.showcase import services as showcase
from webapp.showcase.models import EffectiveModel, ModelState, Replication
from webapp.units.models import Unit

BANG_THANH, NHAN_MON, BOC_BO, DISTRICT = "01858", "01861", "01864", "060"
SEASON_YEAR = 2017
DISTRICT_AGENCY = "UBND huyện Pác Nặm"


@dataclass
class Made:
    opinions: int = 0
    movements: int = 0
    models: int = 0


# Opinions ---------------------------------------------------------------------------------


def _area(unit: Unit, name: str) -> Unit | None:
    return next((c for c in unit.children if c.name == name and c.valid_to is None), None)


def _opinion(unit: Unit, content: int | None, text: str, **more) -> opinions.OpinionValues:
    campaign = current_campaign()
    by_number = {c.number: c for c in campaign.contents}
    return opinions.OpinionValues(
        unit=unit, content=by_number.get(content) if content else None, text=text, **more
    )


def load_opinions() -> int:
    """About seven opinions at Bằng Thành and Nhạn Môn, in every state a tester meets."""
    bang_thanh, nhan_mon = _current_unit(BANG_THANH), _current_unit(NHAN_MON)
    exists = db.session.scalar(
        sa.select(Opinion.id).where(Opinion.unit_id.in_([bang_thanh.id, nhan_mon.id])).limit(1)
    )
    if exists is not None:
        return 0
    editor = _demo_user("editor.pacnam")
    district_staff = _demo_user("mttq.pacnam")
    today = local_today()

    # Being handled: an online opinion the commune committee took up.
    road = opinions.send(
        _opinion(
            bang_thanh,
            1,
            "Đoạn đường bê tông từ thôn Nà Lẹng đi Khuổi Ma làm từ năm 2017 nay đã bong tróc,"
            " nhiều ổ gà, mùa mưa xe máy đi lại rất khó khăn. Đề nghị xã kiểm tra và có kế"
            " hoạch sửa chữa, nhân dân sẵn sàng góp ngày công.",
            sender_name="Hoàng Văn Minh",
            sender_contact="0900 000 001",
        ),
        "192.0.2.11",
    )
    opinions.accept(editor, road)

    # Raised at a voter contact session; an online opinion on the same lights merged into it.
    lights = opinions.record_meeting(
        editor,
        _opinion(
            bang_thanh,
            5,
            "Cử tri đề nghị lắp đèn chiếu sáng đoạn đường từ trung tâm xã đến trường tiểu học,"
            " buổi tối học sinh đi học thêm và người dân đi lại không an toàn.",
            meeting_kind=MeetingKind.VOTER_CONTACT,
            meeting_place="Hội trường UBND xã Bằng Thành",
            meeting_on=date(today.year, 1, 1) if today.month == 1 else today.replace(day=1),
            area=_area(bang_thanh, "Thôn Nà Lẹng"),
            people=12,
        ),
    )
    same_lights = opinions.send(
        _opinion(
            bang_thanh,
            5,
            "Đường vào trường tiểu học buổi tối không có đèn, các cháu đi về rất tối. Mong xã"
            " lắp mấy bóng đèn năng lượng mặt trời.",
            sender_name="Nông Thị Lan",
            sender_contact="0900 000 002",
        ),
        "192.0.2.12",
    )
    opinions.merge(editor, same_lights, lights)

    # Beyond the commune's authority: sent up to the district.
    land = opinions.record_meeting(
        editor,
        _opinion(
            bang_thanh,
            2,
            "Bản Lủng Vài chưa có nhà văn hóa, các cuộc họp phải mượn nhà dân. Nhân dân đề nghị"
            " bố trí quỹ đất công khoảng 300 m² gần đường liên thôn để làm nhà văn hóa bản.",
            meeting_kind=MeetingKind.AREA_MEETING,
            meeting_place="Nhà ông trưởng bản Lủng Vài",
            meeting_on=today.replace(day=1),
            area=_area(bang_thanh, "Bản Lủng Vài"),
            people=34,
        ),
    )
    opinions.forward(
        editor,
        land,
        "Việc giao đất công để làm nhà văn hóa thuộc thẩm quyền của UBND huyện; Ban Thường trực"
        " xã chuyển lên để huyện xem xét.",
    )

    # Sent up by Nhạn Môn, then answered by the district: shown on /opinions/answers.
    water = opinions.send(
        _opinion(
            nhan_mon,
            2,
            "Công trình nước tự chảy bản Lủng Phặc mùa khô thường xuyên mất nước vì đường ống bị"
            " vỡ, bể chứa đầu nguồn bị bồi lấp. Đề nghị các cấp quan tâm sửa chữa để bà con có"
            " nước sạch sinh hoạt.",
            sender_name="Lương Thị Hằng",
            sender_contact="0900 000 003",
        ),
        "192.0.2.13",
    )
    opinions.forward(
        editor,
        water,
        "Kinh phí sửa chữa công trình nước vượt khả năng của xã; đề nghị huyện xem xét.",
    )
    opinions.answer(
        district_staff,
        water,
        "UBND huyện đã giao Phòng Nông nghiệp và Phát triển nông thôn phối hợp với UBND xã"
        " Nhạn Môn khảo sát công trình nước tự chảy bản Lủng Phặc. Việc thay thế đoạn ống bị vỡ"
        " và nạo vét bể chứa đầu nguồn được bố trí từ nguồn vốn sự nghiệp, thực hiện trong"
        " quý I năm sau; trong thời gian chờ, xã bố trí téc chở nước cho các hộ thiếu nước.",
        DISTRICT_AGENCY,
        today,
    )

    # Still waiting to be taken up: a question on the poor-household policy.
    opinions.send(
        _opinion(
            nhan_mon,
            None,
            "Đề nghị giải thích rõ tiêu chí bình xét hộ nghèo, hộ cận nghèo năm nay. Gia đình"
            " tôi thu nhập thấp, có người ốm đau lâu năm nhưng không được đưa vào danh sách"
            " hỗ trợ, mong được xem xét lại.",
            sender_name="Hà Văn Tính",
            sender_contact="0900 000 004",
        ),
        "192.0.2.14",
    )

    # Not accepted, with the reason the sender reads when tracking it.
    dispute = opinions.send(
        _opinion(
            nhan_mon,
            4,
            "Nhà bên cạnh xây tường rào lấn sang đất vườn nhà tôi khoảng nửa mét, đề nghị Mặt"
            " trận xử lý buộc họ phá dỡ.",
            sender_name="Người dân thôn Nà Mặn",
            sender_contact="0900 000 005",
        ),
        "192.0.2.15",
    )
    opinions.reject(
        editor,
        dispute,
        "Đây là tranh chấp đất đai giữa hai hộ, thuộc việc hòa giải ở cơ sở và thẩm quyền"
        " của UBND xã. Ban Công tác Mặt trận đã hướng dẫn gia đình liên hệ Tổ hòa giải thôn"
        " Nà Mặn để được hòa giải.",
    )
    db.session.flush()
    return 7


def opinions_summary() -> str:
    units = [_current_unit(BANG_THANH).id, _current_unit(NHAN_MON).id]
    count = db.session.scalar(
        sa.select(sa.func.count(Opinion.id)).where(Opinion.unit_id.in_(units))
    )
    answered = db.session.scalar(
        sa.select(Opinion.code)
        .where(Opinion.unit_id.in_(units), Opinion.state == OpinionState.ANSWERED)
        .order_by(Opinion.id)
        .limit(1)
    )
    track = f"; track the answered one with code {answered}" if answered else ""
    return f"{count} opinions at Bằng Thành and Nhạn Môn{track}"


# Fund -------------------------------------------------------------------------------------


def _on(year: int, month: int, day: int) -> date:
    """The day in `year`, or today when that is still to come (the book takes no future)."""
    return min(date(year, month, day), local_today())


def _receipt(user, period, on, amount, counterparty, **more) -> None:
    values = fund.MovementValues(on=on, amount=amount, counterparty=counterparty, **more)
    fund.record_receipt(user, period, values)


def _spending(user, period, on, amount, counterparty, purpose, **more) -> None:
    values = fund.MovementValues(
        on=on, amount=amount, counterparty=counterparty, purpose=purpose, **more
    )
    fund.record_spending(user, period, values)


def load_fund() -> int:
    """Last year (closed by the treasurer, approved by the reviewer) and this year (open) of
    Bằng Thành's book and the district's, with a transfer from the commune to the district."""
    commune, district = _current_unit(BANG_THANH), _current_unit(DISTRICT)
    book = fund.find_book(commune)
    if book is not None:
        return 0
    editor = _demo_user("editor.pacnam")  # the commune's treasurer
    treasurer = _demo_user("mttq.pacnam")  # the district's
    reviewer = _demo_user("reviewer.pacnam")  # the district's Standing Committee
    this = local_today().year
    last = this - 1
    khuoi_ma = _area(commune, "Thôn Khuổi Ma")

    period = fund.period_of(fund.book_of(commune), last)
    _receipt(editor, period, date(last, 1, 8), 4_500_000, "Cán bộ, công chức xã Bằng Thành")
    _spending(
        editor,
        period,
        date(last, 1, 20),
        3_000_000,
        "Hộ nghèo các thôn",
        Purpose.TET_GIFTS,
        note="30 suất quà Tết, mỗi suất 100.000 đồng",
    )
    _receipt(
        editor,
        period,
        date(last, 11, 5),
        18_600_000,
        "Nhân dân các thôn (Tháng cao điểm “Vì người nghèo”)",
        note="Ủng hộ trong Tháng cao điểm 17/10–18/11",
    )
    _receipt(
        editor,
        period,
        date(last, 11, 12),
        2_400_000,
        "Cửa hàng vật liệu xây dựng Bằng Thành",
        means=Means.IN_KIND,
        in_kind="30 bao xi măng",
    )
    fund.record_transfer(
        editor,
        period,
        district,
        fund.MovementValues(on=date(last, 11, 25), amount=5_000_000, note="Nộp về Quỹ huyện"),
    )
    _spending(
        editor,
        period,
        date(last, 12, 10),
        12_000_000,
        "Hộ ông Hoàng Văn Pẻo",
        Purpose.HOUSES,
        note="Hỗ trợ làm nhà “Đại đoàn kết”",
        beneficiaries=[fund.Beneficiary("Hộ ông Hoàng Văn Pẻo", khuoi_ma, 12_000_000)],
    )

    district_period = fund.period_of(fund.book_of(district), last)
    _receipt(
        treasurer,
        district_period,
        date(last, 10, 20),
        50_000_000,
        "Các cơ quan, đơn vị trên địa bàn huyện",
        means=Means.BANK,
        note="Lễ phát động Tháng cao điểm “Vì người nghèo”",
    )
    _spending(
        treasurer,
        district_period,
        date(last, 12, 15),
        40_000_000,
        "Hộ nghèo các xã Bằng Thành, Nhạn Môn",
        Purpose.HOUSES,
        note="Hỗ trợ làm 2 nhà “Đại đoàn kết”",
    )
    for who, book_period in ((editor, period), (treasurer, district_period)):
        closed = fund.close_period(who, book_period, book_period.version)
        fund.approve_period(reviewer, closed, closed.version)

    period = fund.period_of(fund.book_of(commune), this)
    _spending(
        editor,
        period,
        _on(this, 1, 22),
        2_500_000,
        "Hộ nghèo các thôn",
        Purpose.TET_GIFTS,
        note="25 suất quà Tết",
    )
    _receipt(editor, period, _on(this, 3, 12), 3_200_000, "Đoàn viên, hội viên các đoàn thể xã")
    _receipt(
        editor,
        period,
        _on(this, 10, 28),
        15_300_000,
        "Nhân dân các thôn (Tháng cao điểm “Vì người nghèo”)",
    )
    district_period = fund.period_of(fund.book_of(district), this)
    _spending(
        treasurer,
        district_period,
        _on(this, 1, 15),
        8_000_000,
        "Hộ nghèo toàn huyện",
        Purpose.TET_GIFTS,
        note="80 suất quà Tết",
    )
    _receipt(
        treasurer,
        district_period,
        _on(this, 10, 17),
        42_000_000,
        "Các cơ quan, doanh nghiệp trên địa bàn huyện",
        means=Means.BANK,
    )
    db.session.flush()
    books = [fund.find_book(commune).id, fund.find_book(district).id]
    return db.session.scalar(
        sa.select(sa.func.count(FundMovement.id)).where(FundMovement.book_id.in_(books))
    )


def fund_summary() -> str:
    this = local_today().year
    parts = []
    for code in (BANG_THANH, DISTRICT):
        unit = _current_unit(code)
        book = fund.find_book(unit)
        if book is None:
            continue
        last = fund.find_period(book, this - 1)
        state = last.state if last is not None else PeriodState.OPEN
        parts.append(f"{unit.name} (id {unit.id}) {this - 1} {state}, {this} open")
    return "fund books: " + "; ".join(parts) if parts else "no fund books"


# Effective models -------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoModel:
    organization: str
    name: str
    line: reports.LineValues
    citation: str
    decision_number: str
    scene: str  # the illustrative picture drawn for it
    caption: str


MODELS = (
    DemoModel(
        "mttq",
        "Đường bê tông nông thôn thôn Cốc Lải",
        reports.LineValues(
            status=LineStatus.COMPLETED,
            percent_done=100,
            money_people=52_000_000,
            money_state=280_000_000,
            workdays=640,
            land_m2=900,
            beneficiaries=48,
            result="Hoàn thành 0,8 km đường bê tông, nhân dân hiến 900 m² đất.",
        ),
        "Nhân dân góp 52 triệu đồng, 640 ngày công và hiến 900 m² đất làm 0,8 km đường bê"
        " tông thôn Cốc Lải; 48 hộ hưởng lợi.",
        "15/QĐ-MTTQ",
        "road",
        "Ảnh minh họa: đường bê tông nông thôn thôn Cốc Lải",
    ),
    DemoModel(
        "mttq",
        "Xây dựng thôn Nà Coóc đạt chuẩn khu dân cư văn hóa",
        reports.LineValues(
            status=LineStatus.COMPLETED,
            percent_done=100,
            money_people=12_000_000,
            workdays=430,
            beneficiaries=96,
            result="Thôn đạt chuẩn khu dân cư văn hóa; 84 hộ đạt gia đình văn hóa.",
        ),
        "96 hộ thôn Nà Coóc sửa đổi hương ước, góp 430 ngày công; thôn đạt chuẩn khu dân"
        " cư văn hóa, 84 hộ đạt gia đình văn hóa.",
        "16/QĐ-MTTQ",
        "fields",
        "Ảnh minh họa: thôn Nà Coóc, khu dân cư văn hóa",
    ),
    DemoModel(
        "mttq",
        "Tổ an ninh tự quản thôn Pác Nặm",
        reports.LineValues(
            status=LineStatus.COMPLETED,
            percent_done=100,
            money_people=3_000_000,
            beneficiaries=72,
            result="Tổ tuần tra 96 buổi; cả năm thôn không có vụ trộm cắp.",
        ),
        "Tổ 8 thành viên tuần tra 96 buổi, 72 hộ ký cam kết; cả năm thôn Pác Nặm không có"
        " vụ trộm cắp, tệ nạn xã hội.",
        "17/QĐ-MTTQ",
        "patrol",
        "Ảnh minh họa: tổ an ninh tự quản thôn Pác Nặm",
    ),
)


def illustration(scene: str, size: tuple[int, int] = (1200, 800)) -> bytes:
    """A simple drawn picture (sky, hills and the scene's subject), plainly not a photo:
    the demo shows how photos look without passing off anyone's home as real."""
    width, height = size
    image = Image.new("RGB", size, (178, 216, 238))
    draw = ImageDraw.Draw(image)
    horizon = height * 11 // 20
    draw.ellipse((width - 260, 60, width - 140, 180), fill=(250, 214, 92))
    draw.polygon([(0, horizon), (width * 3 // 10, height // 4), (width * 6 // 10, horizon)],
                 fill=(96, 140, 106))  # fmt: skip
    draw.polygon([(width * 4 // 10, horizon), (width * 3 // 4, height // 5), (width, horizon)],
                 fill=(74, 118, 90))  # fmt: skip
    draw.rectangle((0, horizon, width, height), fill=(126, 178, 92))
    if scene == "road":
        draw.polygon([(width * 46 // 100, horizon), (width * 54 // 100, horizon),
                      (width * 80 // 100, height), (width * 20 // 100, height)],
                     fill=(176, 176, 170))  # fmt: skip
        for step in range(5):
            top = horizon + (height - horizon) * step // 5
            draw.line((width // 2, top + 12, width // 2, top + 40), fill=(250, 250, 250), width=6)
    elif scene == "patrol":  # three people walking along a village path
        draw.rectangle((0, height - 170, width, height - 90), fill=(176, 176, 170))
        for x in (520, 680, 840):
            draw.ellipse((x - 22, height - 330, x + 22, height - 286), fill=(120, 80, 60))
            draw.rectangle((x - 30, height - 284, x + 30, height - 190), fill=(36, 92, 60))
            draw.rectangle((x - 26, height - 190, x - 6, height - 120), fill=(60, 60, 70))
            draw.rectangle((x + 6, height - 190, x + 26, height - 120), fill=(60, 60, 70))
    else:  # fields: terraces in rows, a clean house
        for row in range(6):
            top = horizon + row * (height - horizon) // 6
            draw.line((0, top, width, top + 10), fill=(92, 150, 70), width=8)
    # A village house in every scene.
    draw.rectangle((120, horizon - 40, 360, horizon + 110), fill=(236, 226, 196))
    draw.polygon([(90, horizon - 40), (240, horizon - 140), (390, horizon - 40)],
                 fill=(168, 70, 52))  # fmt: skip
    draw.rectangle((215, horizon + 30, 265, horizon + 110), fill=(120, 84, 56))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _season_list(unit: Unit, organization: MemberOrganization) -> RegistrationList | None:
    return db.session.scalar(
        sa.select(RegistrationList).where(
            RegistrationList.unit_id == unit.id,
            RegistrationList.organization_id == organization.id,
            RegistrationList.year == SEASON_YEAR,
        )
    )


def load_models() -> int:
    """The district approves Bộc Bố's MTTQ list (a commune the other demo flows leave
    alone: Bằng Thành's and Nhạn Môn's lists stay waiting for review), reports its progress
    for 2017, recognises three of its entries (a photo each), and Nhạn Môn replicates one in
    its 2018 list."""
    commune = _current_unit(BOC_BO)
    organizations = {o.code: o for o in db.session.scalars(sa.select(MemberOrganization))}
    entries = []
    for plan in MODELS:
        registration_list = _season_list(commune, organizations[plan.organization])
        if registration_list is None:
            raise LookupError("load the demo season before its effective models")
        entries.append(next(e for e in registration_list.entries if e.name == plan.name))
    recognised = db.session.scalar(
        sa.select(EffectiveModel.id).where(
            EffectiveModel.entry_id.in_([e.id for e in entries]),
            EffectiveModel.state == ModelState.RECOGNISED,
        )
    )
    if recognised is not None:
        return 0
    editor = _demo_user("mttq.pacnam")  # who keeps Bộc Bố's lists in the demo season
    reviewer = _demo_user("reviewer.pacnam")
    for registration_list in {e.registration_list for e in entries}:
        waiting = {e.id: e.version for e in registration_list.entries}
        if any(e.state == EntryState.SUBMITTED for e in registration_list.entries):
            review.approve_all(reviewer, registration_list, waiting)
    db.session.flush()
    models = []
    for plan, entry in zip(MODELS, entries, strict=True):
        report = reports.start_report(
            editor, commune, organizations[plan.organization], SEASON_YEAR, Period.YEAR
        )
        line = next(li for li in report.lines if li.entry_id == entry.id)
        reports.update_line(editor, line, line.version, plan.line)
        model = showcase.recognise(
            reviewer,
            entry,
            showcase.Recognition(
                SEASON_YEAR, plan.citation, plan.decision_number, date(SEASON_YEAR, 12, 20)
            ),
        )
        upload = FileStorage(io.BytesIO(illustration(plan.scene)), filename="anh-minh-hoa.png")
        showcase.add_photo(editor, entry, upload, plan.caption)
        models.append(model)
    showcase.replicate(
        _demo_user("editor.pacnam"),
        models[0],
        _current_unit(NHAN_MON),
        organizations["mttq"],
        SEASON_YEAR + 1,
    )
    db.session.flush()
    return len(models)


def models_summary() -> str:
    count = db.session.scalar(
        sa.select(sa.func.count(EffectiveModel.id)).where(
            EffectiveModel.year == SEASON_YEAR, EffectiveModel.state == ModelState.RECOGNISED
        )
    )
    replications = db.session.scalar(sa.select(sa.func.count(Replication.entry_id)))
    return f"{count} effective models of {SEASON_YEAR} ({replications} replication)"


def load_demo_more() -> Made:
    """Each part, after the season and the accounts; the caller commits."""
    return Made(opinions=load_opinions(), movements=load_fund(), models=load_models())


def summary(made: Made) -> str:
    """One line for the seed command, read back from the database."""
    created = made.opinions or made.movements or made.models
    done = "created now" if created else "existed, nothing new"
    return f"Demo extras: {opinions_summary()}; {fund_summary()}; {models_summary()}; {done}."
