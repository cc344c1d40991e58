"""The report figures screen: a new figure is asked of new reports, a retired one is not while
old reports keep their values; renaming, reordering, bad input, stale saves, who may manage
them, and the command line going through the same service."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests import factories
from tests.factories import org
from tests.test_reports import approved_list, errors, start_via_page
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.reports import figures, services
from webapp.reports.models import FigureMeasure, Period, ReportFigure

NEW = {"code": "nha-van-hoa", "name_vi": "Số nhà văn hóa được sửa chữa", "name_en": "",
       "measure": "count", "sort_order": ""}  # fmt: skip


@pytest.fixture
def people(db, tree, campaign, login_as):
    """The top admin (signed in), a C1 editor (signed in) with an approved list, D1's reviewer."""
    admin, _ = login_as(Role.ADMIN, tree.province)
    editor_client, editor = login_as(Role.EDITOR, tree.c1)
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    approved_list(db, tree, editor, reviewer)
    return admin, editor_client, editor


def figure(code: str) -> ReportFigure | None:
    from webapp.extensions import db

    return db.session.scalar(sa.select(ReportFigure).filter_by(code=code))


def test_new_figure_is_asked_of_a_new_report_and_goes_last(db, tree, people):
    admin, editor_client, _ = people
    last = db.session.scalar(sa.select(sa.func.max(ReportFigure.sort_order)))
    assert admin.post("/admin/report-figures/new", data=NEW).status_code == 303
    added = figure("nha-van-hoa")
    assert (added.measure, added.sort_order, added.is_active) == (
        FigureMeasure.COUNT,
        last + 10,
        True,
    )
    report = start_via_page(editor_client, tree)
    page = editor_client.get(f"/reports/{report.id}/figures").get_data(as_text=True)
    assert "Số nhà văn hóa được sửa chữa" in page and f'name="figure_{added.id}"' in page
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="report_figure.created"))


def test_retired_figure_not_asked_of_new_reports_but_old_values_still_show(db, tree, people):
    admin, editor_client, editor = people
    built = figure("nha_ddk_built")
    old = start_via_page(editor_client, tree, period="year")
    services.update_figures(editor, old, old.version, {built.id: 7})
    db.session.commit()
    response = admin.post(
        f"/admin/report-figures/{built.id}/retire", data={"version": built.version}
    )
    assert response.status_code == 303
    db.session.refresh(built)
    assert built.is_active is False
    listing = admin.get("/admin/report-figures").get_data(as_text=True)
    assert f"/admin/report-figures/{built.id}/delete" not in listing  # given: retire only
    new = start_via_page(editor_client, tree)  # the half year: nothing carried over
    new_form = editor_client.get(f"/reports/{new.id}/figures").get_data(as_text=True)
    assert f'name="figure_{built.id}"' not in new_form
    old_page = editor_client.get(f"/reports/{old.id}").get_data(as_text=True)
    assert str(escape(built.name_vi)) in old_page and ">7<" in old_page
    restored = admin.post(
        f"/admin/report-figures/{built.id}/restore", data={"version": built.version}
    )
    assert restored.status_code == 303
    db.session.refresh(built)
    assert built.is_active is True


def test_rename_and_reorder_figure(db, tree, people):
    admin, _, _ = people
    built = figure("nha_ddk_built")
    data = {**NEW, "code": built.code, "name_vi": "Nhà Đại đoàn kết xây mới", "sort_order": "1",
            "version": str(built.version)}  # fmt: skip
    assert admin.post(f"/admin/report-figures/{built.id}/edit", data=data).status_code == 303
    db.session.refresh(built)
    assert (built.name_vi, built.sort_order) == ("Nhà Đại đoàn kết xây mới", 1)
    first = db.session.scalar(sa.select(ReportFigure).order_by(ReportFigure.sort_order).limit(1))
    assert first == built


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "nha_ddk_built"}, "Một chỉ tiêu khác đã có mã nha_ddk_built."),
        ({"code": "Nhà văn hóa"}, "Dùng tối đa 40 chữ thường"),
        ({"name_vi": " "}, "Trường này là bắt buộc."),
        ({"sort_order": "-1"}, "Số này không được âm."),
    ],
    ids=["duplicate-code", "accented-code", "no-name", "negative-order"],
)
def test_add_figure_bad_input_refused_with_message_and_values_kept(db, tree, people, changes,
                                                                   message):  # fmt: skip
    admin, _, _ = people
    admin.set_cookie("lang", "vi")
    count = db.session.scalar(sa.select(sa.func.count(ReportFigure.id)))
    response = admin.post("/admin/report-figures/new", data={**NEW, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in error for error in errors(page)), errors(page)
    assert db.session.scalar(sa.select(sa.func.count(ReportFigure.id))) == count


def test_measure_of_a_given_figure_stays(db, tree, people):
    admin, editor_client, editor = people
    built = figure("nha_ddk_built")
    report = start_via_page(editor_client, tree)
    services.update_figures(editor, report, report.version, {built.id: 2})
    db.session.commit()
    data = {**NEW, "code": built.code, "name_vi": built.name_vi, "measure": "money",
            "version": str(built.version)}  # fmt: skip
    response = admin.post(f"/admin/report-figures/{built.id}/edit", data=data)
    assert response.status_code == 422
    db.session.refresh(built)
    assert built.measure == FigureMeasure.COUNT


def test_edit_figure_stale_save_409_shows_colleagues_values_and_keeps_mine(db, tree, people):
    admin, _, _ = people
    built = figure("nha_ddk_built")
    seen = built.version
    values = figures.FigureValues(code=built.code, name_vi="Tên của đồng nghiệp",
                                  measure=built.measure)  # fmt: skip
    figures.save_figure(None, built, seen, values)
    db.session.commit()
    data = {**NEW, "code": built.code, "name_vi": "Tên của tôi", "version": str(seen)}
    response = admin.post(f"/admin/report-figures/{built.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'value="Tên của tôi"' in page and "<td>Tên của đồng nghiệp</td>" in page
    db.session.refresh(built)
    assert built.name_vi == "Tên của đồng nghiệp"
    stale = admin.post(f"/admin/report-figures/{built.id}/retire", data={"version": seen})
    assert stale.status_code == 303
    db.session.refresh(built)
    assert built.is_active


def test_delete_figure_no_report_gave(db, tree, people):
    admin, _, _ = people
    admin.post("/admin/report-figures/new", data=NEW)
    added = figure("nha-van-hoa")
    response = admin.post(
        f"/admin/report-figures/{added.id}/delete", data={"version": added.version}
    )
    assert response.status_code == 303
    assert figure("nha-van-hoa") is None


@pytest.mark.parametrize(("role", "unit"), [(Role.ADMIN, "d1"), (Role.REVIEWER, "province")])
def test_figures_screen_refused_to_others_than_top_admins(db, tree, campaign, login_as, role,
                                                          unit):  # fmt: skip
    client, _ = login_as(role, getattr(tree, unit))
    built = figure("nha_ddk_built")
    assert client.get("/admin/report-figures").status_code == 403
    assert client.post("/admin/report-figures/new", data=NEW).status_code == 403
    retire = client.post(
        f"/admin/report-figures/{built.id}/retire", data={"version": built.version}
    )
    assert retire.status_code == 403
    assert figure("nha-van-hoa") is None and figure("nha_ddk_built").is_active


def test_cli_adds_and_renames_through_the_same_service(app, db, campaign):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report-figure", "ho-thoat-ngheo", "Số hộ thoát nghèo"])
    assert result.exit_code == 0, result.output
    added = figure("ho-thoat-ngheo")
    assert added.is_active and added.measure == FigureMeasure.COUNT
    result = runner.invoke(args=["report-figure", "ho-thoat-ngheo", "Hộ thoát nghèo"])
    assert result.exit_code == 0
    db.session.refresh(added)
    assert added.name_vi == "Hộ thoát nghèo"
    bad = runner.invoke(args=["report-figure", "Hộ", "Sai mã"])
    assert bad.exit_code != 0
    assert org("nong_dan") is not None and Period.YEAR  # the seed stays as it was


@pytest.mark.parametrize(
    "data",
    [
        {"code": "A B", "name_vi": "", "measure": "x", "sort_order": "abc"},
        {"code": "ab", "name_vi": "x", "measure": "count", "sort_order": "99999999999999999"},
    ],
    ids=["malformed", "out-of-range"],
)
def test_add_figure_malformed_input_refused_without_a_figure(db, tree, people, data):
    admin = people[0]
    assert admin.post("/admin/report-figures/new", data=data).status_code == 422
    assert figure("ab") is None
    assert (
        admin.post("/admin/report-figures/99999/retire", data={"version": "x"}).status_code == 404
    )


def test_head_on_the_edit_screen_answers_like_get(db, tree, people):
    """A HEAD request (link checkers, some browsers' prefetch) reads the page; it is no save."""
    admin, _, _ = people
    built = figure("nha_ddk_built")
    version = built.version
    assert admin.get(f"/admin/report-figures/{built.id}/edit").status_code == 200
    assert admin.head(f"/admin/report-figures/{built.id}/edit").status_code == 200
    db.session.expire_all()
    assert figure("nha_ddk_built").version == version
