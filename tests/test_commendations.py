"""Evaluation and commendation: who records evaluations (the level above, never out of
scope), bad input and stale saves; nominations from a commune to its district's approval
and the public page; rejections need a reason; notifications about reports and nominations."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import content, org
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.commendations import services
from webapp.commendations.models import Evaluation, Nomination, NominationState
from webapp.concurrency import StaleVersion
from webapp.notifications.models import Notification, NotificationKind
from webapp.registrations import services as registrations
from webapp.reports import services as reports
from webapp.reports.models import Period
from webapp.review import services as review

YEAR = 2027


def evaluation_url(unit, organization=None) -> str:
    query = f"?organization_id={organization.id}" if organization else ""
    return f"/commendations/evaluations/{YEAR}/{unit.id}/record{query}"


def saved_evaluation(db, unit, organization=None) -> Evaluation | None:
    db.session.expire_all()
    return services.find_evaluation(YEAR, unit.id, organization.id if organization else None)


# Evaluations


@pytest.mark.parametrize(("role_unit", "target"), [("province", "c1"), ("province", "d1"),
                                                     ("d1", "c1")])  # fmt: skip
def test_evaluation_recorded_by_the_level_above_is_saved_and_audited(
    db, tree, campaign, login_as, role_unit, target
):
    client, user = login_as(Role.REVIEWER, getattr(tree, role_unit))
    unit = getattr(tree, target)
    assert client.get(evaluation_url(unit)).status_code == 200
    response = client.post(
        evaluation_url(unit),
        data={"version": "", "rating": "excellent", "remarks": "Dẫn đầu phong trào"},
    )
    assert response.status_code == 303
    evaluation = saved_evaluation(db, unit)
    assert (evaluation.rating, evaluation.remarks) == ("excellent", "Dẫn đầu phong trào")
    assert evaluation.evaluated_by_id == user.id
    assert db.session.scalar(
        sa.select(AuditEvent).filter_by(action="evaluation.recorded", object_id=evaluation.id)
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hoàn thành xuất sắc nhiệm vụ" in page


def test_an_organization_is_evaluated_on_its_own_row(db, tree, campaign, login_as):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    farmers = org("nong_dan")
    response = client.post(
        evaluation_url(tree.c1, farmers),
        data={"version": "", "rating": "good", "remarks": "Nhiều mô hình chăn nuôi"},
    )
    assert response.status_code == 303
    assert saved_evaluation(db, tree.c1, farmers).rating == "good"
    assert saved_evaluation(db, tree.c1) is None
    page = client.get(f"/commendations/evaluations/{YEAR}/{tree.c1.id}").get_data(as_text=True)
    assert "Hoàn thành tốt nhiệm vụ" in page and "Nhiều mô hình chăn nuôi" in page


@pytest.mark.parametrize(
    ("role", "unit"),
    [(Role.REVIEWER, "d2"), (Role.ADMIN, "d2"), (Role.EDITOR, "c1"), (Role.REVIEWER, "c1"),
     (Role.EDITOR, "d1")],
)  # fmt: skip
def test_evaluation_out_of_scope_or_by_others_is_refused(db, tree, campaign, login_as, role, unit):
    client, _ = login_as(role, getattr(tree, unit))
    assert client.get(evaluation_url(tree.c1)).status_code == 403
    response = client.post(
        evaluation_url(tree.c1), data={"version": "", "rating": "good", "remarks": "Tốt"}
    )
    assert response.status_code == 403
    assert saved_evaluation(db, tree.c1) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "", "remarks": "Còn chậm báo cáo"}, "Hãy chọn một mức xếp loại."),
        ({"rating": "tuyet_voi", "remarks": "Còn chậm báo cáo"}, "Lựa chọn không hợp lệ"),
        ({"rating": "good", "remarks": "   "}, "Hãy ghi nhận xét kèm theo mức xếp loại."),
    ],
)
def test_bad_evaluation_input_is_refused_with_a_clear_message_and_kept(
    db, tree, campaign, login_as, data, message
):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    response = client.post(evaluation_url(tree.c1), data={"version": "", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if data["remarks"].strip():
        assert data["remarks"] in page
    assert saved_evaluation(db, tree.c1) is None


def test_a_stale_evaluation_save_shows_the_colleagues_values_and_keeps_mine(
    db, tree, campaign, login_as
):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    colleague, _ = login_as(Role.ADMIN, tree.province)
    assert (
        colleague.post(
            evaluation_url(tree.c1),
            data={"version": "", "rating": "done", "remarks": "Ý kiến của tỉnh"},
        ).status_code
        == 303
    )
    response = client.post(
        evaluation_url(tree.c1),
        data={"version": "", "rating": "excellent", "remarks": "Ý kiến của huyện"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Ý kiến của tỉnh" in page and "Ý kiến của huyện" in page
    evaluation = saved_evaluation(db, tree.c1)
    assert evaluation.remarks == "Ý kiến của tỉnh"
    assert f'value="{evaluation.version}"' in page
    # Saving again keeps mine.
    response = client.post(
        evaluation_url(tree.c1),
        data={"version": str(evaluation.version), "rating": "excellent",
              "remarks": "Ý kiến của huyện"},
    )  # fmt: skip
    assert response.status_code == 303
    assert saved_evaluation(db, tree.c1).remarks == "Ý kiến của huyện"


def test_the_evaluation_shows_on_the_report_page_for_its_readers(db, tree, campaign, login_as):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    approved_list(db, tree, editor, reviewer)
    report = reports.start_report(editor, tree.c1, org("nong_dan"), YEAR, Period.YEAR)
    evaluation = services.evaluation_for(YEAR, tree.c1, org("nong_dan"))
    services.record_evaluation(reviewer, evaluation, None, "good", "Làm tốt mô hình bò")
    db.session.commit()
    client, _ = login_as(Role.EDITOR, tree.c1)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Làm tốt mô hình bò" in page and "Hoàn thành tốt nhiệm vụ" in page


# Nominations


def approved_list(db, tree, editor, reviewer, unit=None):
    unit = unit or tree.c1
    registration_list = registrations.start_list(editor, unit, org("nong_dan"), YEAR)
    registrations.add_entry(
        editor, registration_list,
        registrations.EntryValues(
            kind="mo_hinh", name=f"Mô hình nuôi bò {unit.name}", content=content(1),
            location=unit, lead_organization=org("nong_dan"),
        ),
    )  # fmt: skip
    registrations.submit_list(editor, registration_list)
    review.approve_all(
        reviewer, registration_list, {e.id: e.version for e in registration_list.entries}
    )
    db.session.commit()
    return registration_list


def propose(client, tree, **data) -> Nomination | None:
    fields = {"kind": "collective", "unit_id": str(tree.c1.id), "organization_id": "",
              "person_name": "", "person_role": "", "entry_id": "",
              "reason": "Dẫn đầu phong trào xây dựng nông thôn mới", **data}  # fmt: skip
    response = client.post(f"/commendations/nominations/{YEAR}/{tree.c1.id}/new", data=fields)
    if response.status_code != 303:
        return response
    return db_nomination(int(response.headers["Location"].rsplit("/", 1)[1]))


def db_nomination(nomination_id):
    from webapp.extensions import db

    db.session.expire_all()
    return db.session.get(Nomination, nomination_id)


def told(user, kind) -> int:
    from webapp.extensions import db

    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).filter_by(user_id=user.id, kind=kind)
    )


def test_a_commune_nomination_goes_to_its_district_and_appears_on_the_public_page(
    app, db, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    district, reviewer = login_as(Role.REVIEWER, tree.d1)
    nomination = propose(client, tree, kind="individual", person_name="Hoàng Văn Sìn",
                         person_role="Trưởng thôn Nà Mò")  # fmt: skip
    assert nomination.state == NominationState.DRAFT
    response = client.post(
        f"/commendations/nominations/{nomination.id}/submit",
        data={"version": nomination.version},
    )
    assert response.status_code == 303
    nomination = db_nomination(nomination.id)
    assert nomination.state == NominationState.SUBMITTED
    assert told(reviewer, NotificationKind.NOMINATION_SUBMITTED) == 1
    queue = district.get("/commendations/queue").get_data(as_text=True)
    assert "Hoàng Văn Sìn" in queue
    # Not public before it is approved.
    anonymous = app.test_client()
    assert "Hoàng Văn Sìn" not in anonymous.get(f"/commendations/{YEAR}").get_data(as_text=True)
    response = district.post(
        f"/commendations/nominations/{nomination.id}/approve",
        data={"version": nomination.version},
    )
    assert response.status_code == 303
    nomination = db_nomination(nomination.id)
    assert nomination.state == NominationState.APPROVED
    assert nomination.decided_by_id == reviewer.id
    assert told(editor, NotificationKind.NOMINATION_APPROVED) == 1
    actions = set(db.session.scalars(
        sa.select(AuditEvent.action).filter_by(object_type="nominations", object_id=nomination.id)
    ))  # fmt: skip
    assert actions == {"nomination.created", "nomination.submitted", "nomination.approved"}
    response = anonymous.get(f"/commendations/{YEAR}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hoàng Văn Sìn, Trưởng thôn Nà Mò" in page
    assert "Dẫn đầu phong trào xây dựng nông thôn mới" in page
    assert "Xã Đồng Phúc" in page
    # Anonymous readers revalidate: unchanged, a 304.
    etag = response.headers["ETag"]
    again = anonymous.get(f"/commendations/{YEAR}", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_sending_a_nomination_asks_for_confirmation_first(db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    nomination = propose(client, tree, kind="individual", person_name="Hoàng Văn Sìn",
                         person_role="Trưởng thôn Nà Mò")  # fmt: skip
    url = f"/commendations/nominations/{nomination.id}/submit"
    page = client.get(f"/commendations/nominations/{nomination.id}").get_data(as_text=True)
    assert f'<a class="button primary" href="{url}"' in page
    confirm = client.get(url)
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Hoàng Văn Sìn" in text and "Đề nghị bị khóa" in text
    assert f'<input type="hidden" name="version" value="{nomination.version}">' in text
    assert '<button type="submit" class="primary">Gửi</button>' in text
    assert db_nomination(nomination.id).state == NominationState.DRAFT
    outsider, _ = login_as(Role.EDITOR, tree.c3)
    assert outsider.get(url).status_code == 403
    assert client.post(url, data={"version": nomination.version}).status_code == 303
    assert db_nomination(nomination.id).state == NominationState.SUBMITTED
    again = client.get(url, follow_redirects=True)
    assert "Đề nghị này đã được gửi." in again.get_data(as_text=True)


def test_a_rejection_needs_a_reason_and_a_rejected_nomination_is_not_public(
    app, db, tree, campaign, login_as
):
    client, editor = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    nomination = propose(client, tree)
    client.post(f"/commendations/nominations/{nomination.id}/submit",
                data={"version": nomination.version})  # fmt: skip
    nomination = db_nomination(nomination.id)
    response = district.post(
        f"/commendations/nominations/{nomination.id}/reject",
        data={"version": nomination.version, "reason": "  "},
    )
    assert response.status_code == 422
    assert "Hãy ghi rõ lý do để đơn vị đề nghị được biết." in response.get_data(as_text=True)
    assert db_nomination(nomination.id).state == NominationState.SUBMITTED
    response = district.post(
        f"/commendations/nominations/{nomination.id}/reject",
        data={"version": nomination.version, "reason": "Chưa đủ thành tích"},
    )
    assert response.status_code == 303
    nomination = db_nomination(nomination.id)
    assert nomination.state == NominationState.REJECTED
    assert nomination.reject_reason == "Chưa đủ thành tích"
    assert told(editor, NotificationKind.NOMINATION_REJECTED) == 1
    page = app.test_client().get(f"/commendations/{YEAR}").get_data(as_text=True)
    assert "Dẫn đầu phong trào xây dựng nông thôn mới" not in page
    assert "Chưa đủ thành tích" in client.get(
        f"/commendations/nominations/{nomination.id}"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "unit"),
    [(Role.REVIEWER, "d2"), (Role.ADMIN, "d2"), (Role.REVIEWER, "province"), (Role.EDITOR, "d1")],
)
def test_approving_out_of_scope_or_out_of_turn_is_refused(db, tree, campaign, login_as, role, unit):
    client, _ = login_as(Role.EDITOR, tree.c1)
    factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    db.session.commit()
    nomination = propose(client, tree)
    client.post(f"/commendations/nominations/{nomination.id}/submit",
                data={"version": nomination.version})  # fmt: skip
    other, _ = login_as(role, getattr(tree, unit))
    for verb in ("approve", "reject"):
        response = other.post(
            f"/commendations/nominations/{nomination.id}/{verb}",
            data={"version": nomination.version + 1, "reason": "Không"},
        )
        assert response.status_code == 403
    assert db_nomination(nomination.id).state == NominationState.SUBMITTED


def test_nobody_proposes_for_a_unit_out_of_scope(db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c3)
    response = client.get(f"/commendations/nominations/{YEAR}/{tree.c1.id}/new")
    assert response.status_code == 403
    assert propose(client, tree).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": ""}, "Hãy chọn đối tượng đề nghị khen thưởng."),
        ({"reason": " "}, "Hãy nêu lý do đề nghị khen thưởng."),
        ({"kind": "individual", "person_name": ""}, "Hãy ghi họ và tên người được đề nghị."),
        ({"kind": "collective", "unit_id": "999999"}, "Hãy chọn một đơn vị trong địa bàn"),
        ({"kind": "entry", "entry_id": ""}, "Hãy chọn một công trình, mô hình, phần việc"),
    ],
)
def test_bad_nominations_are_refused_with_clear_messages_and_kept(
    db, tree, campaign, login_as, data, message
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    response = propose(client, tree, person_role="Bí thư chi bộ", **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Bí thư chi bộ" in page  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


def test_the_entry_picker_offers_only_entries_the_proposer_may_see(db, tree, campaign, login_as):
    editor_c1 = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    editor_c3 = factories.make_user(roles=[(Role.EDITOR, tree.c3)])
    d1 = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    d2 = factories.make_user(roles=[(Role.REVIEWER, tree.d2)])
    own = approved_list(db, tree, editor_c1, d1).entries[0]
    other = approved_list(db, tree, editor_c3, d2, unit=tree.c3).entries[0]
    client, _ = login_as(Role.EDITOR, tree.c1)
    form = client.get(f"/commendations/nominations/{YEAR}/{tree.c1.id}/new").get_data(as_text=True)
    assert own.name in form and other.name not in form
    response = propose(client, tree, kind="entry", entry_id=str(other.id))
    assert response.status_code == 422
    nomination = propose(client, tree, kind="entry", entry_id=str(own.id))
    assert nomination.entry_id == own.id


def test_a_stale_decision_is_refused(db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    district, _ = login_as(Role.REVIEWER, tree.d1)
    nomination = propose(client, tree)
    seen = nomination.version
    client.post(f"/commendations/nominations/{nomination.id}/submit", data={"version": seen})
    response = district.post(
        f"/commendations/nominations/{nomination.id}/approve", data={"version": seen}
    )
    assert response.status_code == 303
    assert db_nomination(nomination.id).state == NominationState.SUBMITTED


# Notifications about reports and nominations


def test_report_submission_and_decisions_notify_reviewers_and_editors(db, tree, campaign, login_as):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    colleague = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    approved_list(db, tree, editor, reviewer)
    report = reports.start_report(editor, tree.c1, org("nong_dan"), YEAR, Period.HALF_YEAR)
    reports.submit_report(editor, report)
    db.session.commit()
    assert told(reviewer, NotificationKind.REPORT_SUBMITTED) == 1
    assert told(province, NotificationKind.REPORT_SUBMITTED) == 0  # not the nearest
    reports.return_report(reviewer, report, report.version, "Thiếu số ngày công")
    db.session.commit()
    assert told(editor, NotificationKind.REPORT_RETURNED) == 1
    assert told(colleague, NotificationKind.REPORT_RETURNED) == 1
    reports.submit_report(editor, report)
    reports.accept_report(reviewer, report, report.version)
    db.session.commit()
    assert told(editor, NotificationKind.REPORT_ACCEPTED) == 1
    assert told(reviewer, NotificationKind.REPORT_ACCEPTED) == 0
    assert told(reviewer, NotificationKind.REPORT_SUBMITTED) == 2
    # The notification page links each to its report.
    client, me = login_as(Role.EDITOR, tree.c1)
    notification = Notification(
        user_id=me.id, kind=NotificationKind.REPORT_ACCEPTED, report_id=report.id
    )
    db.session.add(notification)
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert f"/notifications/{notification.id}/read" in page
    assert "Báo cáo đã được chấp nhận" in page
    home = client.get("/").get_data(as_text=True)
    assert "1 báo cáo đã được chấp nhận" in home
    opened = client.post(f"/notifications/{notification.id}/read")
    assert opened.headers["Location"] == f"/reports/{report.id}"
    page = client.get("/notifications").get_data(as_text=True)
    assert f'href="/reports/{report.id}"' in page


def test_two_first_evaluations_at_once_keep_one_and_call_the_other_stale(db, tree, campaign):
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    mine = services.evaluation_for(YEAR, tree.c1, None)  # opened before the colleague saved
    theirs = services.evaluation_for(YEAR, tree.c1, None)
    services.record_evaluation(province, theirs, None, "done", "Của tỉnh")
    db.session.commit()
    with pytest.raises(StaleVersion):
        services.record_evaluation(district, mine, None, "good", "Của huyện")
    db.session.rollback()
    assert saved_evaluation(db, tree.c1).remarks == "Của tỉnh"


def test_the_index_pages_open_this_year_at_home(db, tree, campaign, login_as):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    response = client.get("/commendations/evaluations")
    assert response.status_code == 302 and f"/{tree.d1.id}" in response.headers["Location"]
    response = client.get("/commendations/nominations")
    assert response.status_code == 302 and f"/{tree.d1.id}" in response.headers["Location"]
    nobody, _ = login_as(Role.PUBLISHER, tree.province)
    assert nobody.get("/commendations/nominations").status_code == 403


def test_a_draft_nomination_is_edited_and_a_stale_edit_keeps_both(db, tree, campaign, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    colleague, _ = login_as(Role.EDITOR, tree.c1)
    nomination = propose(client, tree, kind="individual", person_name="Lý Văn Tư")
    seen = nomination.version
    form = client.get(f"/commendations/nominations/{nomination.id}/edit").get_data(as_text=True)
    assert 'value="Lý Văn Tư"' in form and f'value="{seen}"' in form
    fields = {"kind": "individual", "unit_id": "", "organization_id": "", "entry_id": "",
              "person_role": "Trưởng bản"}  # fmt: skip
    response = colleague.post(
        f"/commendations/nominations/{nomination.id}/edit",
        data={**fields, "version": seen, "person_name": "Lý Văn Tư",
              "reason": "Lý do của đồng nghiệp"},
    )  # fmt: skip
    assert response.status_code == 303
    response = client.post(
        f"/commendations/nominations/{nomination.id}/edit",
        data={**fields, "version": seen, "person_name": "Lý Văn Tư", "reason": "Lý do của tôi"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Lý do của đồng nghiệp" in page and "Lý do của tôi" in page
    assert db_nomination(nomination.id).reason == "Lý do của đồng nghiệp"
    assert db.session.scalar(
        sa.select(AuditEvent).filter_by(action="nomination.updated", object_id=nomination.id)
    )
    # Sent: no longer editable; out of scope: refused.
    client.post(f"/commendations/nominations/{nomination.id}/submit",
                data={"version": db_nomination(nomination.id).version})  # fmt: skip
    assert client.get(f"/commendations/nominations/{nomination.id}/edit").status_code == 303
    outsider, _ = login_as(Role.EDITOR, tree.c3)
    assert outsider.get(f"/commendations/nominations/{nomination.id}/edit").status_code == 403


def test_two_deciders_and_two_evaluators_at_once(app, db, tree, campaign):
    """Two real sessions: the first decision holds the nomination's row lock, the second
    waits and finds it changed; two first evaluations of one unit leave one, the other is
    told it is stale — never a 500, never a silent overwrite."""
    from tests.test_review import _race
    from webapp.auth.models import User

    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    nomination = services.create_nomination(
        editor, tree.c1, YEAR,
        services.NomineeValues(kind="individual", person_name="Nông Văn Dín", reason="Tốt"),
    )  # fmt: skip
    services.submit_nomination(editor, nomination, nomination.version)
    db.session.commit()
    nomination_id, version = nomination.id, nomination.version
    ids = {"district": district.id, "province": province.id}
    tree_c1_id = tree.c1.id
    db.session.remove()

    def decide(who, approve):
        def work(session_db):
            actor = session_db.session.get(User, ids[who])
            target = session_db.session.get(Nomination, nomination_id)
            if approve:
                services.approve_nomination(actor, target, version)
            else:
                services.reject_nomination(actor, target, version, "Chưa đủ thành tích")

        return work

    outcomes, waited_in = _race(app, ("approve", decide("district", True)),
                     ("reject", decide("province", False)))  # fmt: skip
    assert waited_in is not None, "the second session never waited for the first"
    assert outcomes == {"approve": "done", "reject": "StaleVersion"}, outcomes
    assert db_nomination(nomination_id).state == NominationState.APPROVED
    db.session.remove()

    def evaluate(who, remarks):
        def work(session_db):
            actor = session_db.session.get(User, ids[who])
            from webapp.units.models import Unit

            unit = session_db.session.get(Unit, tree_c1_id)
            evaluation = services.evaluation_for(YEAR, unit, None)
            services.record_evaluation(actor, evaluation, None, "good", remarks)

        return work

    outcomes, waited_in = _race(app, ("first", evaluate("province", "Của tỉnh")),
                     ("second", evaluate("district", "Của huyện")))  # fmt: skip
    assert waited_in is not None, "the second session never waited for the first"
    assert outcomes == {"first": "done", "second": "StaleVersion"}, outcomes
    assert services.find_evaluation(YEAR, tree_c1_id, None).remarks == "Của tỉnh"
