"""The fund's books (issue 20), on SQLite and PostgreSQL alike: a small district's year
balances at every level, a transfer with one side only shows in the reconciliation, closing
and approving lock the year, a reversing entry corrects a line, the public page and the
spreadsheet equal the book, the report figure equals the book, and two treasurers recording
at once never lose a line."""

from __future__ import annotations

import io
import threading
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import org
from tests.test_review import _race
from webapp.auth.models import Role, User
from webapp.db import local_today
from webapp.extensions import db as _db
from webapp.fund import queries, reporting, services
from webapp.fund.models import FundBook, FundMovement, FundPeriod, Means, PeriodState, Purpose
from webapp.fund.services import Beneficiary, FundError, MovementValues
from webapp.policy import Denied
from webapp.units.models import Level

YEAR = 2025


def _v(amount: int, day: int = 1, month: int = 3, **kw) -> MovementValues:
    kw.setdefault("counterparty", "Công ty Thử")
    return MovementValues(on=date(YEAR, month, day), amount=amount, **kw)


@pytest.fixture
def district_year(db, tree):
    """C1 and C2 receive donations, C1 sends part up to D1, D1 and C2 build houses."""
    area = factories.make_unit("Thôn Nà Mò", level=Level.AREA, parent=tree.c1)
    area2 = factories.make_unit("Bản Khuổi", level=Level.AREA, parent=tree.c2)
    t1 = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    t2 = factories.make_user(roles=[(Role.EDITOR, tree.c2)])
    td = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    db.session.commit()
    p1 = services.period_of(services.book_of(tree.c1), YEAR)
    p2 = services.period_of(services.book_of(tree.c2), YEAR)
    services.record_receipt(t1, p1, _v(50_000_000, means=Means.BANK))
    services.record_receipt(
        t1, p1, _v(5_000_000, means=Means.IN_KIND, in_kind="2 tấn xi măng", counterparty="Dòng họ")
    )
    services.record_receipt(t2, p2, _v(30_000_000, 18, 10))
    services.record_transfer(t1, p1, tree.d1, _v(20_000_000, 20, 11))
    pd = services.period_of(services.book_of(tree.d1), YEAR)
    services.record_spending(
        td, pd, _v(15_000_000, 1, 12, purpose=Purpose.HOUSES, counterparty="Hộ nghèo")
    )
    services.record_spending(
        t2,
        p2,
        _v(
            12_000_000,
            5,
            12,
            purpose=Purpose.HOUSES,
            beneficiaries=[
                Beneficiary("Hoàng Văn A", area2, 8_000_000),
                Beneficiary("Nông Thị B", area2, 4_000_000),
            ],
        ),
    )
    services.record_spending(
        t1,
        p1,
        _v(
            6_000_000,
            6,
            12,
            purpose=Purpose.TET_GIFTS,
            beneficiaries=[Beneficiary("Lý Văn C", area, 6_000_000)],
        ),
    )
    db.session.commit()
    return {"t1": t1, "t2": t2, "td": td, "area": area}


def test_a_district_year_balances_at_every_level(db, tree, district_year):
    c1 = queries.book_statement(services.find_book(tree.c1), YEAR)
    assert (c1.received, c1.transferred_out, c1.spent, c1.closing) == (
        55_000_000, 20_000_000, 6_000_000, 29_000_000,
    )  # fmt: skip
    d1 = queries.book_statement(services.find_book(tree.d1), YEAR)
    assert (d1.transferred_in, d1.spent, d1.closing) == (20_000_000, 15_000_000, 5_000_000)
    c2 = queries.book_statement(services.find_book(tree.c2), YEAR)
    assert c2.closing == 18_000_000
    rollup = queries.rollup_statement(tree.d1, YEAR)
    # Inside the district the transfer cancels out: received 85M, spent 33M.
    assert (rollup.received, rollup.transferred_in, rollup.transferred_out) == (85_000_000, 0, 0)
    assert rollup.spent == 33_000_000
    assert rollup.closing == c1.closing + d1.closing + c2.closing == 52_000_000
    province = queries.rollup_statement(tree.province, YEAR)
    assert province.closing == 52_000_000
    for book in db.session.scalars(sa.select(FundBook)):
        assert book.balance == queries.sum_of_lines(book)
    assert rollup.by_purpose == {Purpose.HOUSES: 27_000_000, Purpose.TET_GIFTS: 6_000_000}
    assert queries.mismatched_transfers(sa.select(FundBook.id)) == []


def test_every_line_writes_an_audit_event(db, tree, district_year):
    from webapp.audit.models import AuditEvent

    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("fund.%"))
    ).all()
    assert len(actions) == db.session.scalar(sa.select(sa.func.count(FundMovement.id)))
    assert "fund.transfer_received" in actions


def test_a_transfer_with_one_side_reversed_shows_in_the_reconciliation(db, tree, district_year):
    out = db.session.scalar(sa.select(FundMovement).where(FundMovement.kind == "transfer_out"))
    services.reverse(district_year["t1"], out, date(YEAR, 11, 25), "Chuyển nhầm")
    db.session.commit()
    found = queries.mismatched_transfers(sa.select(FundBook.id))
    assert {m.movement.kind for m in found} == {"transfer_out", "transfer_in"}
    assert {(m.net, m.other_net) for m in found} == {(0, 20_000_000), (20_000_000, 0)}
    # The district's treasurer reverses their side: nothing left to reconcile.
    services.reverse(district_year["td"], out.counterpart, date(YEAR, 11, 26), "Chuyển nhầm")
    db.session.commit()
    assert queries.mismatched_transfers(sa.select(FundBook.id)) == []


def test_a_transfer_recorded_on_one_side_only_shows_in_the_reconciliation(db, tree, district_year):
    inward = db.session.scalar(sa.select(FundMovement).where(FundMovement.kind == "transfer_in"))
    inward.counterpart.counterpart_id = None  # as an import from another system would leave it
    inward.counterpart_id = None
    db.session.commit()
    found = queries.mismatched_transfers(sa.select(FundBook.id))
    assert len(found) == 2 and all(m.other_net is None for m in found)


def test_closing_and_approving_lock_the_year(db, tree, district_year):
    t1 = district_year["t1"]
    period = services.find_period(services.find_book(tree.c1), YEAR)
    services.close_period(t1, period, period.version)
    db.session.commit()
    assert period.state == PeriodState.CLOSED and period.closing_balance == 29_000_000
    with pytest.raises(FundError):
        services.record_receipt(t1, period, _v(1_000))
    db.session.rollback()
    line = db.session.scalar(sa.select(FundMovement).where(FundMovement.period_id == period.id))
    with pytest.raises(FundError):
        services.update_movement(t1, line, line.version, _v(2_000))
    db.session.rollback()
    with pytest.raises(Denied):  # the treasurer who closed does not approve
        services.approve_period(t1, period, period.version)
    db.session.rollback()
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    services.approve_period(reviewer, period, period.version)
    db.session.commit()
    assert db.session.get(FundPeriod, period.id).state == PeriodState.APPROVED


def test_a_reversing_entry_corrects_a_closed_year(db, tree, district_year):
    t1 = district_year["t1"]
    book = services.find_book(tree.c1)
    period = services.find_period(book, YEAR)
    wrong = services.record_receipt(t1, period, _v(7_000_000, 1, 4, voucher="PT-SAI"))
    db.session.commit()
    services.close_period(t1, period, period.version)
    db.session.commit()
    reversing = services.reverse(t1, wrong, date(YEAR + 1, 1, 5), "Ghi nhầm số tiền")
    db.session.commit()
    assert reversing.amount == -7_000_000 and reversing.period.year == YEAR + 1
    assert book.balance == queries.sum_of_lines(book) == 29_000_000
    assert queries.book_statement(book, YEAR + 1).received == -7_000_000
    with pytest.raises(FundError):
        services.reverse(t1, wrong, date(YEAR + 1, 1, 6), "Lần nữa")
    db.session.rollback()


def test_a_treasurer_records_only_in_their_own_book(db, tree, district_year):
    period = services.period_of(services.book_of(tree.c3), YEAR)
    with pytest.raises(Denied):
        services.record_receipt(district_year["t1"], period, _v(1_000))
    db.session.rollback()
    c1_period = services.find_period(services.find_book(tree.c1), YEAR)
    with pytest.raises(Denied):  # the district's treasurer keeps the district's book
        services.record_receipt(district_year["td"], c1_period, _v(1_000))
    db.session.rollback()


def test_the_disclosure_page_and_spreadsheet_equal_the_book(client, db, tree, district_year):
    book = queries.book_statement(services.find_book(tree.c2), YEAR)
    page = client.get(f"/fund/public/{tree.c2.id}/{YEAR}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Hoàng Văn A" not in text and "Bản Khuổi" in text
    assert "30.000.000" in text and "18.000.000" in text and "12.000.000" in text
    sheet = client.get(f"/fund/public/{tree.c2.id}/{YEAR}.xlsx")
    assert sheet.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    numbers = [row[1] for row in rows[2:10] if isinstance(row[1], int)]
    assert numbers[:6] == [book.opening, book.received, book.in_campaign_month,
                           book.transferred_in, book.transferred_out, book.spent]  # fmt: skip
    assert book.in_campaign_month == 30_000_000  # given on 18/10, in the mobilization month
    assert ("Bản Khuổi", 2, 12_000_000) in [tuple(r[:3]) for r in rows]
    assert "Hoàng Văn A" not in str(rows)


def _draft_report(unit):
    """The Front committee's yearly result report of the unit, a draft."""
    from webapp.reports.models import Period, ProgressReport, ReportState

    report = ProgressReport(
        unit=unit, organization=org("mttq"), year=YEAR, period=Period.YEAR,
        state=ReportState.DRAFT,
    )  # fmt: skip
    _db.session.add(report)
    _db.session.commit()
    return report


def test_the_report_figure_equals_the_book(db, tree, district_year, campaign):
    from webapp.reports import services as reports
    from webapp.reports.models import Period, ReportState

    reports_figures = reporting.report_figure_ids()
    assert set(reports_figures) == {reporting.MOBILIZED, reporting.SPENT}
    editor = district_year["t1"]
    report = _draft_report(tree.c1)
    reports.update_figures(editor, report, report.version, {reports_figures["quy_vnn_spent"]: 1})
    db.session.commit()
    assert reporting.disagrees(report)
    reporting.fill_report(editor, report)
    db.session.commit()
    assert not reporting.disagrees(report)
    assert reporting.typed_figures(report) == {
        "quy_vnn_mobilized": 55_000_000,
        "quy_vnn_spent": 6_000_000,
    }
    # Sent with a typed figure that disagrees: the book's figures go with it.
    reports.update_figures(editor, report, report.version, {reports_figures["quy_vnn_spent"]: 9})
    db.session.commit()
    reports.submit_report(editor, report)
    db.session.commit()
    assert report.state == ReportState.SUBMITTED
    assert reporting.typed_figures(report) == {
        "quy_vnn_mobilized": 55_000_000,
        "quy_vnn_spent": 6_000_000,
    }
    half = reporting.book_figures(tree.c1, YEAR, Period.HALF_YEAR)
    assert half == {"quy_vnn_mobilized": 55_000_000, "quy_vnn_spent": 0}


def _record(unit_id: int, user_id: int, amount: int):
    def work(session_db):
        from webapp.units.models import Unit

        unit = session_db.session.get(Unit, unit_id)
        period = services.period_of(services.book_of(unit), YEAR)
        services.record_receipt(session_db.session.get(User, user_id), period, _v(amount))

    return work


def test_two_treasurers_recording_at_once_never_lose_a_line(app, db, tree):
    first, second = (factories.make_user(roles=[(Role.EDITOR, tree.c1)]) for _ in range(2))
    book = services.book_of(tree.c1)
    services.period_of(book, YEAR)
    db.session.commit()
    ids = tree.c1.id, first.id, second.id
    db.session.remove()
    outcomes, waited_in = _race(
        app, ("one", _record(ids[0], ids[1], 1_000)), ("two", _record(ids[0], ids[2], 2_000))
    )
    assert outcomes == {"one": "done", "two": "done"}, outcomes
    assert waited_in is not None, "the second treasurer never waited for the book's lock"
    for _trial in range(8):
        threads = [
            threading.Thread(target=_in_app, args=(app, _record(ids[0], ids[1 + n % 2], 100 + n)))
            for n in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    db.session.expire_all()
    book = db.session.scalar(sa.select(FundBook).where(FundBook.unit_id == ids[0]))
    count = db.session.scalar(sa.select(sa.func.count(FundMovement.id)))
    assert count == 2 + 16
    assert book.balance == queries.sum_of_lines(book) == 3_000 + 8 * (100 + 101)
    vouchers = db.session.scalars(sa.select(FundMovement.voucher)).all()
    assert len(set(vouchers)) == len(vouchers)


def _in_app(app, work) -> None:
    with app.app_context():
        from webapp.extensions import db as session_db

        try:
            work(session_db)
            session_db.session.commit()
        finally:
            session_db.session.remove()


# Through the screens (plain forms, JavaScript off)


def test_a_treasurer_records_a_receipt_and_a_spending_through_the_forms(login_as, db, tree):
    area = factories.make_unit("Thôn Nà Mò", level=Level.AREA, parent=tree.c1)
    client, _user = login_as(Role.EDITOR, tree.c1)
    year = local_today().year
    url = f"/fund/units/{tree.c1.id}/{year}/record/receipt"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"on": "32/13/2025", "amount": "năm triệu", "means": "cash",
                                 "counterparty": "Bà Lường Thị Dung"})  # fmt: skip
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "năm triệu" in text and "Bà Lường Thị Dung" in text
    day = local_today().strftime("%d/%m/%Y")
    done = client.post(url, data={"on": day, "amount": "5000000", "means": "cash",
                                  "counterparty": "Bà Lường Thị Dung"})  # fmt: skip
    assert done.status_code == 303
    spend = client.post(
        f"/fund/units/{tree.c1.id}/{year}/record/spending",
        data={
            "on": day, "amount": "3000000", "means": "cash", "counterparty": "Hộ ông Hoàng",
            "purpose": "houses", "beneficiaries-0-household": "Hoàng Văn Páo",
            "beneficiaries-0-area": str(area.id), "beneficiaries-0-amount": "3000000",
        },
    )  # fmt: skip
    assert spend.status_code == 303
    book = services.find_book(tree.c1)
    db.session.refresh(book)
    assert book.balance == 2_000_000
    page = client.get(f"/fund/units/{tree.c1.id}/{year}").get_data(as_text=True)
    assert "2.000.000" in page and "PT-" in page and "PC-" in page
    public = client.get(f"/fund/public/{tree.c1.id}/{year}").get_data(as_text=True)
    assert "Thôn Nà Mò" in public and "Hoàng Văn Páo" not in public
    spending = db.session.scalar(sa.select(FundMovement).where(FundMovement.kind == "spending"))
    shown = client.get(f"/fund/movements/{spending.id}").get_data(as_text=True)
    assert "Hoàng Văn Páo" in shown  # the committee sees the name


def test_a_spending_without_a_purpose_is_refused_with_the_values_kept(login_as, db, tree):
    client, _user = login_as(Role.EDITOR, tree.c1)
    year = local_today().year
    response = client.post(
        f"/fund/units/{tree.c1.id}/{year}/record/spending",
        data={"on": local_today().strftime("%d/%m/%Y"), "amount": "1000", "means": "cash",
              "counterparty": "Hộ bà Nông"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Hộ bà Nông" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(FundMovement.id))) == 0


def test_out_of_scope_treasurers_and_viewers_are_refused(login_as, db, tree, district_year):
    year = YEAR
    outsider, _user = login_as(Role.EDITOR, tree.c3)
    assert outsider.get(f"/fund/units/{tree.c1.id}/{year}").status_code == 403
    assert outsider.get(f"/fund/units/{tree.c1.id}/{year}/record/receipt").status_code == 403
    assert outsider.post(f"/fund/units/{tree.c1.id}/{year}/close").status_code == 403
    viewer, _user = login_as(Role.VIEWER, tree.d1)
    assert viewer.get(f"/fund/units/{tree.c1.id}/{year}").status_code == 200
    assert viewer.get(f"/fund/units/{tree.c1.id}/{year}/record/receipt").status_code == 403
    line = db.session.scalar(sa.select(FundMovement).where(FundMovement.kind == "spending"))
    shown = viewer.get(f"/fund/movements/{line.id}").get_data(as_text=True)
    assert "Lý Văn C" not in shown and "Nông Thị B" not in shown


def test_close_and_approve_through_the_screens(login_as, db, tree, district_year):
    treasurer, _user = login_as(Role.EDITOR, tree.c2)
    period = services.find_period(services.find_book(tree.c2), YEAR)
    response = treasurer.post(
        f"/fund/units/{tree.c2.id}/{YEAR}/close", data={"version": str(period.version)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(FundPeriod, period.id).state == PeriodState.CLOSED
    assert treasurer.get(f"/fund/units/{tree.c2.id}/{YEAR}/record/receipt").status_code == 303
    reviewer, _user = login_as(Role.REVIEWER, tree.d1)
    version = db.session.get(FundPeriod, period.id).version
    response = reviewer.post(
        f"/fund/units/{tree.c2.id}/{YEAR}/approve", data={"version": str(version)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(FundPeriod, period.id).state == PeriodState.APPROVED


def test_the_reconciliation_lists_what_does_not_add_up(login_as, db, tree, district_year):
    out = db.session.scalar(sa.select(FundMovement).where(FundMovement.kind == "transfer_out"))
    services.reverse(district_year["t1"], out, date(YEAR, 11, 25), "Chuyển nhầm")
    db.session.commit()
    client, _user = login_as(Role.REVIEWER, tree.d1)
    text = client.get("/fund/reconciliation").get_data(as_text=True)
    assert out.voucher in text and str(YEAR) in text  # the open past year too
    elsewhere, _user = login_as(Role.REVIEWER, tree.d2)
    assert out.voucher not in elsewhere.get("/fund/reconciliation").get_data(as_text=True)


def test_a_stale_edit_is_refused_with_the_typed_values_kept(login_as, db, tree, district_year):
    client, _user = login_as(Role.EDITOR, tree.c1)
    line = db.session.scalar(
        sa.select(FundMovement).where(FundMovement.kind == "receipt").order_by(FundMovement.id)
    )
    form = {"version": str(line.version), "on": "01/03/2025", "amount": "51000000",
            "means": "bank", "counterparty": "Công ty Thử mới"}  # fmt: skip
    assert client.post(f"/fund/movements/{line.id}", data=form).status_code == 303
    stale = client.post(f"/fund/movements/{line.id}", data={**form, "counterparty": "Lần hai"})
    assert stale.status_code == 409
    assert "Lần hai" in stale.get_data(as_text=True)
    book = services.find_book(tree.c1)
    db.session.refresh(book)
    assert book.balance == queries.sum_of_lines(book) == 30_000_000


def test_the_home_queue_shows_approvals_and_reconciliation_to_the_right_people(
    login_as, db, tree, district_year
):
    period = services.find_period(services.find_book(tree.c2), YEAR)
    services.close_period(district_year["t2"], period, period.version)
    db.session.commit()
    reviewer, _user = login_as(Role.REVIEWER, tree.d1)
    home = reviewer.get("/").get_data(as_text=True)
    assert "/fund/reconciliation" in home  # C1's and D1's past years are still open
    assert f"/fund/units/{tree.c2.id}/{YEAR}" in home  # C2's closed year to approve
    treasurer, _user = login_as(Role.EDITOR, tree.c3)
    assert "/fund/reconciliation" not in treasurer.get("/").get_data(as_text=True)
    viewer, _user = login_as(Role.VIEWER, tree.d1)
    assert "/fund/" not in viewer.get("/").get_data(as_text=True)


def test_a_district_statement_adds_its_units_summed(client, db, tree, district_year):
    page = client.get(f"/fund/public/{tree.d1.id}/{YEAR}").get_data(as_text=True)
    assert "52.000.000" in page  # D1 with C1 and C2
    sheet = client.get(f"/fund/public/{tree.d1.id}/{YEAR}.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[-1][1] == queries.rollup_statement(tree.d1, YEAR).closing == 52_000_000


def test_a_reversing_entry_through_the_screen_and_its_refusals(login_as, db, tree, district_year):
    client, _user = login_as(Role.EDITOR, tree.c1)
    line = db.session.scalar(
        sa.select(FundMovement).where(FundMovement.kind == "receipt").order_by(FundMovement.id)
    )
    url = f"/fund/movements/{line.id}/reverse"
    missing = client.post(url, data={"on": ""})
    assert missing.status_code == 422  # no reason: the form says so
    done = client.post(url, data={"on": "", "note": "Ghi trùng phiếu"})
    assert done.status_code == 303
    reversal = services.reversal_of(line)
    assert reversal.amount == -line.amount and reversal.period.year == local_today().year
    again = client.post(url, data={"on": "", "note": "Lần nữa"})
    assert again.status_code == 422
    assert "đã được đảo" in again.get_data(as_text=True)
    outsider, _user = login_as(Role.EDITOR, tree.c3)
    assert outsider.post(url, data={"on": "", "note": "x"}).status_code == 403
    book = services.find_book(tree.c1)
    db.session.refresh(book)
    assert book.balance == queries.sum_of_lines(book) == 29_000_000 - 50_000_000


def test_the_rollup_table_sums_each_unit_below_in_a_fixed_number_of_queries(
    db, tree, district_year
):
    from tests.queries import counting_queries

    with counting_queries() as statements:
        rows = dict(queries.child_rows(tree.province, YEAR))
    assert len(statements) <= 3  # the unit reloaded after the commit, the sums, the units
    assert rows[tree.d1].closing == queries.rollup_statement(tree.d1, YEAR).closing == 52_000_000
    assert rows[tree.d1].transferred_out == 0  # C1 → D1 stays inside D1
    below_d1 = dict(queries.child_rows(tree.d1, YEAR))
    assert below_d1[tree.c1].transferred_out == 20_000_000
    assert below_d1[tree.c2].closing == 18_000_000
    assert tree.d2 not in rows  # no book below it


# Second look (fund2): revalidation, the mobilization month, the report from the book, closed
# years in every path, amounts as people type them.


def test_the_disclosure_page_revalidates_and_a_new_line_changes_it(client, db, tree, district_year):
    url = f"/fund/public/{tree.d1.id}/{YEAR}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "no-cache" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # A line in a commune below changes the district's statement, so its ETag.
    period = services.find_period(services.find_book(tree.c2), YEAR)
    services.record_receipt(district_year["t2"], period, _v(1_000_000, 20, 10))
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "53.000.000" in changed.get_data(as_text=True)
    # An edit changes it too.
    etag = changed.headers["ETag"]
    line = db.session.scalar(
        sa.select(FundMovement)
        .where(FundMovement.book_id == services.find_book(tree.c1).id)
        .order_by(FundMovement.id)
    )
    services.update_movement(
        district_year["t1"], line, line.version, _v(line.amount, note="Sửa ghi chú")
    )
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_a_signed_in_reader_gets_the_statement_without_a_kept_copy(login_as, db, tree):
    client, _user = login_as(Role.EDITOR, tree.c1)
    response = client.get(f"/fund/public/{tree.c1.id}/{YEAR}")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert "ETag" not in response.headers


def test_the_mobilization_month_is_totalled_on_the_book_and_the_statement(
    login_as, db, tree, district_year
):
    c2 = queries.book_statement(services.find_book(tree.c2), YEAR)
    assert c2.in_campaign_month == 30_000_000  # given on 18/10
    period = services.find_period(services.find_book(tree.c2), YEAR)
    for day, month in ((16, 10), (17, 10), (18, 11), (19, 11)):
        services.record_receipt(district_year["t2"], period, _v(1_000, day, month))
    db.session.commit()
    c2 = queries.book_statement(services.find_book(tree.c2), YEAR)
    assert c2.in_campaign_month == 30_002_000  # 17/10 and 18/11 count, 16/10 and 19/11 not
    assert queries.rollup_statement(tree.d1, YEAR).in_campaign_month == 30_002_000
    client, _user = login_as(Role.EDITOR, tree.c2)
    for url in (f"/fund/units/{tree.c2.id}/{YEAR}", f"/fund/public/{tree.c2.id}/{YEAR}"):
        text = client.get(url).get_data(as_text=True)
        assert "Tháng cao điểm" in text and "30.002.000" in text


def test_the_report_shows_the_books_figure_and_does_not_ask_for_it(
    login_as, db, tree, district_year, campaign
):
    from webapp.reports import services as reports
    from webapp.reports.models import Period, ProgressReport

    ids = reporting.report_figure_ids()
    report = _draft_report(tree.c1)
    # A figure typed before the book kept it, and it disagrees with the book.
    reports.update_figures(
        district_year["t1"], report, report.version, {ids[reporting.SPENT]: 9_999}
    )
    db.session.commit()
    client, _user = login_as(Role.EDITOR, tree.c1)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    book = reporting.book_figures(tree.c1, YEAR, Period.YEAR)
    assert book == {reporting.MOBILIZED: 55_000_000, reporting.SPENT: 6_000_000}
    assert "55.000.000" in page and "6.000.000" in page and "9.999" not in page
    assert "Theo sổ quỹ" in page and f"/fund/units/{tree.c1.id}/{YEAR}" in page
    form = client.get(f"/reports/{report.id}/figures").get_data(as_text=True)
    assert f'name="figure_{ids[reporting.SPENT]}"' not in form
    assert f'name="figure_{ids[reporting.MOBILIZED]}"' not in form
    assert "55.000.000" in form
    # A posted value for a figure the book keeps is not taken.
    db.session.refresh(report)
    posted = client.post(
        f"/reports/{report.id}/figures",
        data={"version": str(report.version), f"figure_{ids[reporting.SPENT]}": "1"},
    )
    assert posted.status_code == 303
    db.session.expire_all()
    assert reporting.typed_figures(db.session.get(ProgressReport, report.id))[
        reporting.SPENT
    ] == 9_999  # fmt: skip
    # Sent: the book's figures go with it, and the page shows what was sent.
    reports.submit_report(district_year["t1"], db.session.get(ProgressReport, report.id))
    db.session.commit()
    sent = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "6.000.000" in sent and "9.999" not in sent
    assert reporting.typed_figures(db.session.get(ProgressReport, report.id)) == book


def test_a_transfer_into_a_closed_year_of_the_receiving_book_is_refused(db, tree, district_year):
    pd = services.find_period(services.find_book(tree.d1), YEAR)
    services.close_period(district_year["td"], pd, pd.version)
    db.session.commit()
    p1 = services.find_period(services.find_book(tree.c1), YEAR)
    with pytest.raises(FundError) as refused:
        services.record_transfer(district_year["t1"], p1, tree.d1, _v(1_000_000, 10, 12))
    assert refused.value.field == "to_unit"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(FundMovement.id))) == 8  # nothing written


def test_a_closed_year_refuses_every_path(login_as, db, tree, district_year):
    t1 = district_year["t1"]
    book = services.find_book(tree.c1)
    period = services.find_period(book, YEAR)
    line = db.session.scalar(
        sa.select(FundMovement).where(FundMovement.book_id == book.id).order_by(FundMovement.id)
    )
    services.close_period(t1, period, period.version)
    db.session.commit()
    client, _user = login_as(Role.EDITOR, tree.c1)
    form = {"version": str(line.version), "on": "01/03/2025", "amount": "1000", "means": "cash",
            "counterparty": "X"}  # fmt: skip
    # Edit and record: sent back to the book with a word, nothing changed.
    assert client.post(f"/fund/movements/{line.id}", data=form).status_code == 303
    for kind in ("receipt", "spending", "transfer"):
        url = f"/fund/units/{tree.c1.id}/{YEAR}/record/{kind}"
        assert client.post(url, data=form).status_code == 303
    # A reversal dated in the closed year is refused; the page shows no edit form.
    refused = client.post(
        f"/fund/movements/{line.id}/reverse", data={"on": "31/12/2025", "note": "Sai"}
    )
    assert refused.status_code == 422
    shown = client.get(f"/fund/movements/{line.id}").get_data(as_text=True)
    assert f'action="/fund/movements/{line.id}"' not in shown
    db.session.expire_all()
    assert db.session.get(FundMovement, line.id).amount == line.amount
    assert queries.book_statement(book, YEAR).closing == 29_000_000
    assert db.session.scalar(sa.select(sa.func.count(FundMovement.id))) == 8


def test_years_close_in_order_and_balances_carry_forward_at_every_level(db, tree, district_year):
    t1 = district_year["t1"]
    c1 = services.find_book(tree.c1)
    nxt = services.period_of(c1, YEAR + 1)
    services.record_receipt(t1, nxt, MovementValues(
        on=date(YEAR + 1, 1, 10), amount=2_000_000, counterparty="Ông Ma"))  # fmt: skip
    db.session.commit()
    with pytest.raises(FundError):  # the year before is still open
        services.close_period(t1, nxt, nxt.version)
    db.session.rollback()
    period = services.find_period(c1, YEAR)
    services.close_period(t1, period, period.version)
    services.close_period(t1, nxt, nxt.version)
    db.session.commit()
    assert nxt.opening_balance == period.closing_balance == 29_000_000
    assert nxt.closing_balance == 31_000_000
    c1_next = queries.book_statement(c1, YEAR + 1)
    assert (c1_next.opening, c1_next.closing) == (29_000_000, 31_000_000)
    # The district's roll-up carries forward the sum of its books.
    rollup = queries.rollup_statement(tree.d1, YEAR + 1)
    own = [
        queries.book_statement(services.find_book(u), YEAR + 1) for u in (tree.c1, tree.c2, tree.d1)
    ]
    assert rollup.opening == sum(s.opening for s in own) == 52_000_000
    assert rollup.closing == sum(s.closing for s in own) == 54_000_000
    rows = dict(queries.child_rows(tree.province, YEAR + 1))
    assert rows[tree.d1].opening == 52_000_000 and rows[tree.d1].closing == 54_000_000
    assert services.find_period(services.find_book(tree.d1), YEAR).is_open


def test_a_line_in_a_year_before_a_closed_one_is_refused(db, tree, district_year):
    """The year before had no line when the book's year closed: writing into it now would
    change the carried-forward balance the closed year wrote down."""
    t1 = district_year["t1"]
    c1 = services.find_book(tree.c1)
    period = services.find_period(c1, YEAR)
    services.close_period(t1, period, period.version)
    db.session.commit()
    earlier = services.period_of(c1, YEAR - 1)
    with pytest.raises(FundError) as refused:
        services.record_receipt(t1, earlier, MovementValues(
            on=date(YEAR - 1, 5, 1), amount=1_000, counterparty="Ông Ma"))  # fmt: skip
    assert str(YEAR) in str(refused.value)
    db.session.rollback()
    assert queries.opening_balance([c1.id], YEAR) == 0


def _post_amount(login_as, tree, typed: str):
    client, _user = login_as(Role.EDITOR, tree.c1)
    return client.post(
        f"/fund/units/{tree.c1.id}/{local_today().year}/record/receipt",
        data={"on": local_today().strftime("%d/%m/%Y"), "amount": typed, "means": "cash",
              "counterparty": "Bà Lường Thị Dung"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "booked"),
    [("5.000.000", 5_000_000), ("5,000,000", 5_000_000), ("5000000đ", 5_000_000),
     ("5.000.000 đồng", 5_000_000), ("5 000 000", 5_000_000)],
)  # fmt: skip
def test_amounts_as_people_write_them_are_read(login_as, db, tree, typed, booked):
    assert _post_amount(login_as, tree, typed).status_code == 303
    assert db.session.scalar(sa.select(FundMovement.amount)) == booked


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-5000", "lớn hơn 0"), ("0", "lớn hơn 0"), ("1000000000000000", "nghìn tỷ"),
     ("năm triệu", "chữ số"), ("5.00.000", "chữ số"), ("1e6", "chữ số")],
)  # fmt: skip
def test_amounts_that_are_not_whole_dong_are_refused_with_the_typed_value_kept(
    login_as, db, tree, typed, message
):
    response = _post_amount(login_as, tree, typed)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'value="{typed}"' in text and message in text and "Bà Lường Thị Dung" in text
    assert db.session.scalar(sa.select(sa.func.count(FundMovement.id))) == 0
