"""The audit log tells events as Vietnamese sentences: every action code the code base records
has one, none shows a code or a snake_case field name, and the page names objects as people
know them (a report by its period, organization and commune) in a fixed number of queries."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests import factories
from tests.factories import org
from tests.queries import counting_queries
from tests.test_reports import approved_list, line_values
from webapp.audit.models import AuditEvent
from webapp.audit.sentences import ACTION_LABELS, SENTENCES, Names, sentence
from webapp.auth.models import Role
from webapp.commendations.models import NominationState
from webapp.pages.models import PageState, TranslationState
from webapp.registrations.models import ListState
from webapp.reports import services as reports
from webapp.reports.models import Period, ReportState

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"

# Codes built in f-strings from a state: the states each call site passes.
DYNAMIC = {
    "list.": {ListState.APPROVED, ListState.RETURNED},
    "report.": {ReportState.ACCEPTED, ReportState.RETURNED},
    "nomination.": {NominationState.APPROVED, NominationState.REJECTED},
    "page.": set(PageState),
    "translation.": set(TranslationState),
}
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def recorded_codes() -> set[str]:
    """Every action code passed to the audit's `record` (or a module's `_record` wrapper):
    literal codes, f-strings expanded over their states, and for a code held in a variable
    every dotted code literal of that module."""
    codes: set[str] = set()
    for path in WEBAPP.rglob("*.py"):
        if path.parent.name == "audit":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literals = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CODE.match(node.value)
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("record", "_record")
                and len(node.args) >= 2
            ):
                continue
            action = node.args[1]
            if isinstance(action, ast.Constant):
                codes.add(action.value)
            elif isinstance(action, ast.JoinedStr):
                prefix = action.values[0].value
                assert prefix in DYNAMIC, f"{path}: a new dynamic code {prefix}…"
                codes |= {f"{prefix}{state}" for state in DYNAMIC[prefix]}
            else:
                codes |= literals
    return codes


def test_every_recorded_action_code_has_a_sentence(app):
    # `app`: create_app imports the capabilities' audit modules, which register the sentences.
    codes = recorded_codes()
    assert len(codes) > 50  # the scan found the services
    assert sorted(codes - set(SENTENCES)) == []
    assert sorted(codes - set(ACTION_LABELS)) == []  # the action filter's choices


def test_no_sentence_shows_a_code_or_snake_case_even_with_nothing_to_name(app):
    """With no object left to name (a bare event), every sentence is still Vietnamese."""
    with app.test_request_context(), force_locale("vi"):
        for code in [*SENTENCES, "something.new_and_unknown"]:
            event = AuditEvent(action=code, object_type="nothing", object_id=None, details={})
            told = sentence(event, Names())
            assert code not in told
            assert not re.search(r"[a-z]+_[a-z]+|%\(", told), (code, told)
            assert told[0].isupper(), told


@pytest.fixture
def accepted_report(db, tree, campaign):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    db.session.commit()
    approved_list(db, tree, editor, reviewer)
    report = reports.start_report(editor, tree.c1, org("nong_dan"), 2027, Period.HALF_YEAR)
    line = report.lines[0]
    reports.update_line(editor, line, line.version, line_values())
    reports.submit_report(editor, report)
    reports.accept_report(reviewer, report, report.version)
    db.session.commit()
    return report


def test_the_log_tells_a_report_and_its_changes_in_vietnamese(
    app, db, tree, accepted_report, login_as
):
    client, _ = login_as(Role.ADMIN, tree.province)
    page = unescape(client.get("/audit").get_data(as_text=True))
    farmers = org("nong_dan").name_vi
    assert f"Báo cáo 6 tháng đầu năm 2027 của {farmers} xã Đồng Phúc được chấp nhận" in page
    assert (
        "Đã sửa: tình trạng, phần trăm hoàn thành, tiền nhân dân đóng góp, "
        "tiền ngân sách nhà nước" in page
    )
    assert f"Danh sách đăng ký năm 2027 của {farmers} xã Đồng Phúc được duyệt" in page
    text = _visible_text(page)
    assert "report.accepted" not in text and "progress_reports" not in text
    assert not re.search(r"\b[a-z]+_[a-z]+\b", text)
    # Twice the events cost no more queries: names are fetched per kind, not per event.
    _sentences_cost(app, db)  # what is built once per process, out of the count
    few = _sentences_cost(app, db)
    for recorded in db.session.scalars(sa.select(AuditEvent)).all():
        db.session.add(
            AuditEvent(
                action=recorded.action,
                object_type=recorded.object_type,
                object_id=recorded.object_id,
                unit_id=recorded.unit_id,
                details=recorded.details,
            )
        )
    db.session.commit()
    many = _sentences_cost(app, db)
    assert many[1] == 2 * few[1]
    assert many[0] == few[0]


def _sentences_cost(app, db) -> tuple[int, int]:
    """Queries to tell every event of the log as a sentence, from an empty session (what an
    identity map still holds depends on the garbage collector), and how many events."""
    db.session.remove()
    with app.test_request_context(), force_locale("vi"):
        events = db.session.scalars(sa.select(AuditEvent)).all()
        with counting_queries() as statements:
            names = Names.load(events)
            told = [sentence(event, names) for event in events]
    assert all(told)
    return len(statements), len(events)


def _visible_text(page: str) -> str:
    body = page.split("<main", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)
