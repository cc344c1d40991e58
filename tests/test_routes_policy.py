"""Every route asks the policy: each rule of app.url_map, GET and POST, is requested with its
URL arguments filled by objects of commune C3 (district D2), by a user holding each role on
another district (D1) and on another province, and by an anonymous visitor. Outsiders get 403
or 404 (visitors are sent to sign in), never a success nor a 500, and a refused POST changes
nothing in the database; someone in scope (a role on D2 or on the province) gets the GET pages,
so a view that refuses everyone fails too. A page whose URL names no object (a list of the
user's scope, a form offering its units) may open for outsiders, but never shows C3's things,
and a POST to it naming C3 changes nothing.

A route whose URL argument has no filler below fails test_every_route_argument_has_a_filler:
add the filler (or list the route as public, with the reason) and the route is covered.

The world is built once per module and each user signs in once: a refused request changes
nothing (the POSTs check it), so the tests share the module's database, and they stay on one
xdist worker (xdist_group) so that the world is built once per run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from tests import factories
from tests.conftest import _insert_rows, _wipe
from tests.factories import content, org
from webapp import create_app
from webapp.auth.models import Role, User, UserSession
from webapp.commendations.models import Nomination, NominationState, NomineeKind
from webapp.extensions import db as _db
from webapp.fund import services as fund
from webapp.i18n.models import GlossaryTerm, message_key
from webapp.notifications.models import Notification, NotificationKind
from webapp.notifications.services import notify
from webapp.opinions import services as opinions
from webapp.pages import audio, files, translations
from webapp.pages import services as pages
from webapp.pages.models import PageKind, PageState
from webapp.registrations import services as registrations
from webapp.reports import services as reports
from webapp.reports.models import Period, ReportFigure
from webapp.review import services as review
from webapp.units import reorganize
from webapp.units.models import Level, Unit

pytestmark = pytest.mark.xdist_group("routes-policy")

YEAR = 2027
# In the names of C3's things: an outsider's page never shows it.
MARK = "Ngoài phạm vi"

# Routes anyone may open, signed in or not, whatever their scope: the reason for each.
PUBLIC = {
    "static": "the style sheet and scripts",
    "auth.login": "the sign-in form",
    "i18n.set_language": "the language link: kept in a cookie (and the signed-in visit)",
    "pages.index": "the published guidance pages",
    "pages.show_page": "a published guidance page",
    "pages.search_pages": "search runs over the published guidance pages",
    "pages.download_attachment": "an attachment of a published page is published with it",
    "pages.translation_status": "how much of the guidance is translated, per language",
    "commendations.public_list": "the commendations decided, published for everyone",
    "commendations.public_list_xlsx": "the same, as a spreadsheet",
    "campaign.show_campaign": "the campaign's contents and deadlines, published for everyone",
    "opinions.new": "anyone may send an opinion, without an account (limits: tests/test_opinions)",
    "opinions.track": "an opinion's state and answer by its code, never its sender",
    "opinions.answers_page": "the answers published back to the people, without senders",
    "fund.disclosure": "a unit's public fund statement for a year: counts, never names",
    "fund.disclosure_xlsx": "the same statement as a spreadsheet",
    "showcase.index": "the recognised effective models, published for everyone",
    "showcase.show_model": "a recognised effective model is published (a withdrawn one: 404)",
}
# Routes about the signed-in user's own account or things: nobody else's to refuse.
OWN = {
    "home.index": "the home page: the user's own queue, or the welcome for visitors",
    "auth.logout": "signing oneself out",
    "auth.change_password": "the user's own password",
    "auth.list_sessions": "the user's own sessions",
    "auth.end_session": "one of the user's own sessions (another's: 404, tests/test_sessions.py)",
    "auth.end_other_sessions": "signs the user's own other sessions out",
    "i18n.save_language": "the language kept in the user's own profile",
    "notifications.index": "the user's own notifications",
    "notifications.read_all": "marks the user's own notifications read",
    "jobs.index": "the user's own exports",
}

# Pages whose URL names no object, only a season or a language: each user's own scope's list
# (outsiders may open it, and must not find C3's things there).
SCOPED_LISTS = {
    "home.unregistered": "the units of the user's scope without a list for the year",
    "pages.worklist": "the pages of the translator's scope to translate into the language",
    "opinions.index": "the opinions of the communes in the user's scope",
    "opinions.record": "a meeting's opinion, for a commune of the user's scope",
    "opinions.consolidated_list": "a consolidated list of a unit of the user's scope",
    "opinions.consolidated_docx": "the same, as a Word file",
    "opinions.consolidated_xlsx": "the same, as a spreadsheet",
    "opinions.record_dispatch": "the sending of a list of a unit of the user's scope",
    "opinions.answer_time": "the answer time of a province of the user's scope",
    "fund.index": "the fund's books of the user's scope",
    "fund.reconciliation": "what does not add up in the books of the user's scope",
}
# The shipped reorganizations replace Bắc Kạn's 2017 structure: loaded with the world (a province
# after P, so not the top unit); an admin on its root is tried first for these routes.
REORGANIZING = {"units.show_reorganization", "units.apply_reorganization", "auth.move_roles"}

# URL arguments: a value belonging to C3 (or, for the campaign's own things, to the top unit).
# (endpoint, argument) overrides the argument name alone.
FILLERS: dict[str | tuple[str, str], Any] = {
    "year": lambda w: YEAR,
    "unit_id": lambda w: w.units["c3"],
    "list_id": lambda w: w.women_id,
    "entry_id": lambda w: w.entry_id,
    "user_id": lambda w: w.editor_id,
    "assignment_id": lambda w: w.assignment_id,
    "requirement_id": lambda w: w.requirement_id,
    "figure_id": lambda w: w.figure_id,
    "report_id": lambda w: w.report_id,
    "line_id": lambda w: w.line_id,
    "nomination_id": lambda w: w.nomination_id,
    "first_id": lambda w: min(w.entry_id, w.farmers_entry_id),
    "second_id": lambda w: max(w.entry_id, w.farmers_entry_id),
    "page_id": lambda w: w.page_id,
    "revision_id": lambda w: w.revision_id,
    "attachment_id": lambda w: w.attachment_id,
    "filename": lambda w: w.filename,
    "notification_id": lambda w: w.notification_id,
    "job_id": lambda w: w.job_id,
    "opinion_id": lambda w: w.opinion_id,
    "movement_id": lambda w: w.fund_movement_id,
    ("fund.record", "kind"): lambda w: "receipt",
    "model_id": lambda w: w.model_id,
    "photo_id": lambda w: w.photo_id,  # of the women's entry: not public
    # C3's opinion's photo, not published with an answer: its committee's only.
    ("opinions.photo_file", "photo_id"): lambda w: w.opinion_photo_id,
    "width": lambda w: 96,
    ("showcase.photo_file", "key"): lambda w: w.photo_key,
    "extension": lambda w: "webp",
    ("showcase.recognise", "entry_id"): lambda w: w.farmers_entry_id,
    "step": lambda w: "publish",
    ("pages.change_translation_state", "step"): lambda w: "approve",
    ("i18n.review", "step"): lambda w: "approve",
    ("i18n.review_word", "step"): lambda w: "approve",
    ("pages.decide_recording", "step"): lambda w: "approve",
    "code": lambda w: "tyz",
    "key": lambda w: message_key("Sign in"),
    "kind": lambda w: "contents.short",
    "row_id": lambda w: w.content_id,
    "term_id": lambda w: w.term_id,
    "recording_id": lambda w: w.recording_id,
    ("units.show_reorganization", "code"): lambda w: w.reorganization,
    ("units.apply_reorganization", "code"): lambda w: w.reorganization,
    ("auth.move_roles", "code"): lambda w: w.reorganization,
    ("pages.show_page", "path"): lambda w: w.page_path,
    ("static", "filename"): lambda w: "app.css",
}

# Form data for POSTs without URL arguments: naming C3 where the form chooses a unit.
FORMS: dict[str, Any] = {
    "registrations.start_list": lambda w: {
        "unit_id": w.units["c3"], "organization_id": w.phu_nu_id, "year": YEAR,
    },
    "reports.start_report": lambda w: {
        "unit_id": w.units["c3"], "organization_id": w.phu_nu_id, "year": YEAR,
        "period": Period.HALF_YEAR.value,
    },
    "admin.create_user": lambda w: {
        "username": "ke_la", "full_name": "Kẻ Lạ", "home_unit_id": w.units["c3"],
    },
    "pages.new_page": lambda w: {
        "title": "Trang lạ", "body": "…", "unit_id": w.units["c3"], "parent_id": w.page_parent_id,
    },
    "campaign.set_deadline": lambda w: {"kind": "registration", "year": YEAR, "day": "1/3"},
    "opinions.record": lambda w: {
        "meeting_kind": "voter_contact", "commune": w.units["c3"], "topic": "policy",
        "text": "Ý kiến lạ", "people": "3",
    },
    "opinions.record_dispatch": lambda w: {
        "unit": w.units["c3"], "start": "01/01/2020", "end": "31/12/2030",
        "recipient": "Ủy ban nhân dân xã", "number": "1/BC-MTTQ", "sent_on": "01/12/2026",
    },
    "opinions.answer_time": lambda w: {"province": w.units["province"], "days": "5"},
}  # fmt: skip


@dataclass
class World:
    """Plain values (ids, names) of the module's world: no ORM object outlives its session."""

    # Unit ids by key: province (P), d1, d2, c3, other_province, reorganized (the root of the
    # reorganization's structure).
    units: dict[str, int]
    unit_names: dict[str, str]
    editor_id: int
    assignment_id: int
    women_id: int
    entry_id: int
    farmers_entry_id: int
    report_id: int
    line_id: int
    nomination_id: int
    page_id: int
    page_parent_id: int
    page_path: str
    revision_id: int
    attachment_id: int
    filename: str
    notification_id: int
    requirement_id: int
    figure_id: int
    phu_nu_id: int
    reorganization: str
    opinion_id: int
    fund_movement_id: int
    model_id: int
    photo_id: int
    content_id: int
    term_id: int
    recording_id: int
    opinion_photo_id: int
    photo_key: str  # the key in the photo's URLs while its entry is not public
    job_id: int  # C3's editor's finished export


def _values(kind, name, organization, unit) -> registrations.EntryValues:
    return registrations.EntryValues(
        kind=kind, name=name, content=content(1), location=unit, lead_organization=organization
    )


def build_world(tree) -> World:
    """C3's things, made through the services by C3's editor and D2's reviewer: the farmers'
    list approved (with a half-year report), the women's list sent with an entry of the same
    name (a likely duplicate), a nomination, a published guidance page with two revisions, an
    attachment and a Tày translation, and a notification for the editor; and the structure
    the shipped reorganizations replace, for their routes."""
    from webapp.campaign.models import Requirement
    from webapp.reports.models import ProgressReport
    from webapp.seed import loader

    province2 = factories.make_unit("Tỉnh Khác", level=Level.PROVINCE)
    district3 = factories.make_unit("Huyện Khác", level=Level.DISTRICT, parent=province2)
    factories.make_unit("Xã Khác", parent=district3)
    c3 = tree.c3
    editor = factories.make_user(
        roles=[(Role.EDITOR, c3)], full_name=f"{MARK} biên tập", home_unit=c3
    )
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d2)])
    name = f"{MARK} đường bê tông thôn Nà Mò"
    farmers = registrations.start_list(editor, c3, org("nong_dan"), YEAR)
    farmers_entry = registrations.add_entry(
        editor, farmers, _values("cong_trinh", name, org("nong_dan"), c3)
    )
    registrations.submit_list(editor, farmers)
    review.approve_all(reviewer, farmers, {e.id: e.version for e in farmers.entries})
    women = registrations.start_list(editor, c3, org("phu_nu"), YEAR)
    entry = registrations.add_entry(editor, women, _values("cong_trinh", name, org("phu_nu"), c3))
    registrations.submit_list(editor, women)
    report = reports.start_report(editor, c3, org("nong_dan"), YEAR, Period.HALF_YEAR)
    nomination = Nomination(
        year=YEAR, kind=NomineeKind.COLLECTIVE, proposing_unit=c3, unit=c3,
        reason=f"{MARK}: dẫn đầu phong trào", state=NominationState.SUBMITTED,
        proposed_by_id=editor.id,
    )  # fmt: skip
    _db.session.add(nomination)
    publisher = factories.make_user(roles=[(Role.PUBLISHER, c3)])
    page = pages.create_page(
        publisher, unit=c3, parent=factories.section_for(c3), kind=PageKind.GUIDANCE,
        values=pages.PageValues(f"{MARK} hướng dẫn", "Lần đầu"),
    )  # fmt: skip
    pages.save(publisher, page, page.version, pages.PageValues(f"{MARK} hướng dẫn", "Lần hai"))
    pages.set_state(publisher, page, page.version, PageState.PUBLISHED)
    attachment = files.add_attachment(publisher, page, _pdf(), "Kế hoạch")
    translator = factories.make_user(roles=[(Role.TRANSLATOR, c3, None, "tyz")])
    translation = translations.translation_for(page, "tyz")
    translations.save_translation(
        translator, translation, translation.version, pages.PageValues("[tyz] Hướng dẫn", "…"),
        source_revision_id=page.current_revision_id,
    )  # fmt: skip
    factories.approve_translation(translator, translation)
    recording = audio.add_recording(
        translator, page, "tyz",
        _file((bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * 40, "a.mp3"),
    )  # fmt: skip
    notify([editor], NotificationKind.SUBMITTED, women)
    opinion = opinions.send(
        opinions.OpinionValues(
            unit=c3, content=None, text=f"{MARK}: đèn đường thôn Nà Mò", photo=_picture()
        ),
        "10.0.0.1",
    )
    # Not answered yet: its document is the committee's (public once answered).
    opinions._attach_answer_document(opinion, _pdf())
    fund_year = fund.period_of(fund.book_of(c3), YEAR - 1)
    movement = fund.record_receipt(
        editor, fund_year,
        fund.MovementValues(on=date(YEAR - 1, 3, 1), amount=1_000_000, counterparty=MARK),
    )  # fmt: skip
    model_id, photo_id, photo_key = _model_and_photo(reviewer, report, farmers_entry, entry)
    term = GlossaryTerm(language="tyz", term_vi="nông thôn mới", term="[tyz] thuật ngữ")
    _db.session.add(term)
    _db.session.commit()
    first, _specs = reorganize.read_manifest()
    loader.load_units(loader.DATA / first["units"], as_of=first["as_of"])
    _db.session.commit()
    reorganization = "2020"
    units = {
        "province": tree.province,
        "d1": tree.d1,
        "d2": tree.d2,
        "c3": c3,
        "other_province": province2,
        "reorganized": reorganize.plan_by_code(reorganization).root,
    }
    report = _db.session.get(ProgressReport, report.id)
    return World(
        units={key: unit.id for key, unit in units.items()},
        unit_names={key: unit.name for key, unit in units.items()},
        editor_id=editor.id, assignment_id=editor.roles[0].id, women_id=women.id,
        entry_id=entry.id, farmers_entry_id=farmers_entry.id, report_id=report.id,
        line_id=report.lines[0].id, nomination_id=nomination.id, page_id=page.id,
        page_parent_id=page.parent_id, page_path=page.path, revision_id=page.revisions[0].id,
        attachment_id=attachment.id, filename=attachment.filename,
        notification_id=_db.session.scalar(
            sa.select(Notification.id).filter_by(user_id=editor.id)
        ),
        requirement_id=_db.session.scalar(sa.select(Requirement.id).limit(1)),
        figure_id=_db.session.scalar(sa.select(ReportFigure.id).limit(1)),
        phu_nu_id=org("phu_nu").id, reorganization=reorganization, opinion_id=opinion.id,
        fund_movement_id=movement.id,
        model_id=model_id, photo_id=photo_id, photo_key=photo_key,
        opinion_photo_id=opinion.photo_id,
        content_id=content(1).id, term_id=term.id, recording_id=recording.id,
        job_id=_export_job(editor),
    )  # fmt: skip


def _export_job(owner) -> int:
    """A finished export of C3's editor, its file kept."""
    from webapp.jobs import services as jobs
    from webapp.jobs.models import ExportJob, JobState

    directory = jobs.exports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "0123456789abcdef.xlsx").write_bytes(b"PK\x05\x06" + bytes(18))
    job = ExportJob(
        owner=owner, kind="coverage.summary", parameters={}, language="vi",
        title=f"{MARK} tổng hợp", file_name=f"{MARK}.xlsx", source_url="/coverage",
        state=JobState.DONE, stored_name="0123456789abcdef.xlsx", size=22,
    )  # fmt: skip
    _db.session.add(job)
    _db.session.commit()
    return job.id


def _picture():
    """A small JPEG upload."""
    import io

    from PIL import Image
    from werkzeug.datastructures import FileStorage

    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (40, 120, 60)).save(picture, format="JPEG")
    picture.seek(0)
    return FileStorage(picture, filename="anh.jpg")


def _model_and_photo(reviewer, report, farmers_entry, women_entry) -> tuple[int, int, str]:
    """The farmers' entry completed and recognised by D2 (public); a photo of the women's
    entry, still under review (not public)."""
    from datetime import date

    from webapp import photos
    from webapp.reports.models import LineStatus
    from webapp.showcase import services as showcase
    from webapp.showcase.models import EntryPhoto

    _db.session.flush()
    for line in report.lines:
        line.status, line.percent_done = LineStatus.COMPLETED, 100
    values = showcase.Recognition(YEAR, f"{MARK}: 85 hộ", "1/QĐ", date(YEAR, 12, 1))
    model = showcase.recognise(reviewer, farmers_entry, values)
    photo = photos.add_photo(_picture())
    _db.session.add(EntryPhoto(entry=women_entry, photo=photo))
    _db.session.flush()
    return model.id, photo.id, photos.key(photo, public=False)


def _file(data: bytes, name: str):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=name)


def _pdf():
    data = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return _file(data, "Kế hoạch.pdf")


def _routes() -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every GET and POST of the app."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule.endpoint, rule.rule, method))
    return sorted(found, key=lambda r: (r[1], r[2]))


ROUTES = _routes()


def _filler(endpoint: str, argument: str):
    return FILLERS.get((endpoint, argument)) or FILLERS.get(argument)


def _rule(app: Flask, endpoint: str, path: str) -> Rule:
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)


def _url(app: Flask, world: World, endpoint: str, path: str) -> str:
    rule = _rule(app, endpoint, path)
    values = {
        a: _filler(endpoint, a)(world) for a in rule.arguments if a not in (rule.defaults or {})
    }
    return rule.build(values)[1]  # this very rule, not another of the endpoint


def test_every_route_argument_has_a_filler(app):
    """A new route's URL arguments need a filler (an object outside the actor's scope), or the
    route is listed as public or one's own with the reason: then it is requested below."""
    missing = [
        f"{rule.endpoint} {rule.rule}: <{argument}>"
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC and rule.endpoint not in OWN
        for argument in rule.arguments
        if _filler(rule.endpoint, argument) is None and argument not in (rule.defaults or {})
    ]
    assert missing == []
    known = {(r.endpoint, r.rule) for r in app.url_map.iter_rules()}
    assert {(e, p) for e, p, _m in ROUTES} == known  # the parametrization is the app's map
    assert set(PUBLIC) | set(OWN) <= {e for e, _p in known}  # no stale exemptions


def _snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after a refused request. Of the stored
    sessions, which person holds which: any request touches its own (last seen, flashes) and a
    visitor sent to sign in gets one; a refused request must end nobody's."""
    found = {}
    with app.app_context():
        for table in _db.metadata.sorted_tables:
            if table.name == UserSession.__tablename__:
                query = sa.select(table.c.key, table.c.user_id).where(table.c.user_id.is_not(None))
                rows = _db.session.execute(query).all()
            else:
                rows = _db.session.execute(table.select()).all()
            found[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        _db.session.remove()
    return found


def _changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@pytest.fixture(scope="module")
def world(app) -> Iterator[World]:
    """The campaign, the tree and C3's world, once for the module's tests (wiped after them)."""
    with app.app_context():
        _insert_rows(app.extensions["test_campaign_rows"])
        _db.session.commit()
        world = build_world(factories.make_tree())
        editor = _db.session.get(User, world.editor_id).username
        _db.session.remove()
    # C3's editor signed in: a session that the refused requests below must not end.
    signed_in = app.test_client().post(
        "/login", data={"username": editor, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 303
    yield world
    _wipe(app)


class Users:
    """A user holding a role on a unit of the world, signed in through the login form once for
    the module: its client, made when first asked for."""

    def __init__(self, app: Flask, world: World):
        self.app, self.world = app, world
        self.clients: dict[tuple[Role, str], Any] = {}

    def client(self, role: Role, unit: str):
        if (role, unit) not in self.clients:
            with self.app.app_context():
                home = _db.session.get(Unit, self.world.units[unit])
                user = factories.make_user(roles=[(role, home)])
                username = user.username
                _db.session.commit()
                _db.session.remove()
            client = self.app.test_client()
            response = client.post(
                "/login", data={"username": username, "password": factories.PASSWORD}
            )
            assert response.status_code == 303, response.get_data(as_text=True)
            client.token = None
            self.clients[role, unit] = client
        return self.clients[role, unit]


@pytest.fixture(scope="module")
def users(app, world) -> Users:
    return Users(app, world)


def _outsiders():
    """(label, role, unit): each role on another district and on another province."""
    for role in Role:
        yield f"{role} on D1", role, "d1"
        yield f"{role} on another province", role, "other_province"


def _request(client, method: str, url: str, data: dict | None = None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data or {})


@pytest.mark.parametrize(
    ("endpoint", "path", "method"),
    [r for r in ROUTES if r[0] not in PUBLIC and r[0] not in OWN],
    ids=[f"{m} {p}" for e, p, m in ROUTES if e not in PUBLIC and e not in OWN],
)
def test_outsiders_are_refused_and_change_nothing(app, world, users, endpoint, path, method):
    url = _url(app, world, endpoint, path)
    form = FORMS.get(endpoint, lambda w: {})(world)
    has_object = bool(_rule(app, endpoint, path).arguments) and endpoint not in SCOPED_LISTS
    visitors = [("anonymous", app.test_client())] + [
        (label, users.client(role, unit)) for label, role, unit in _outsiders()
    ]
    if method == "POST":
        for _label, client in visitors:
            client.csrf_token()  # before the snapshot: signing in and the token page write
        before = _snapshot(app)
    failures = []
    for label, client in visitors:
        response = _request(client, method, url, form)
        status, location = response.status_code, response.headers.get("Location", "")
        if label == "anonymous":
            if not (status in (302, 303) and "/login" in location) and status not in (403, 404):
                failures.append(f"{label}: {status} {location}")
        elif status >= 500:
            failures.append(f"{label}: {status}")
        elif has_object and status not in (403, 404):
            failures.append(f"{label}: {status} {location}")
        elif status == 200 and MARK in response.get_data(as_text=True):
            failures.append(f"{label}: shows C3's things")
    if method == "POST" and (changed := _changed(before, _snapshot(app))):
        failures.append(f"the requests changed {changed}")
    if failures:
        pytest.fail(f"{method} {url}:\n" + "\n".join(failures), pytrace=False)


# The in-scope users tried on each GET page, the most powerful first.
INSIDERS = [(Role.ADMIN, "province")] + [
    (role, unit) for unit in ("d2", "c3", "province") for role in Role if role != Role.ADMIN
]


@pytest.mark.parametrize(
    ("endpoint", "path"),
    [(e, p) for e, p, m in ROUTES if m == "GET" and e not in PUBLIC and e not in OWN],
    ids=[p for e, p, m in ROUTES if m == "GET" and e not in PUBLIC and e not in OWN],
)
def test_someone_in_scope_gets_each_page(app, world, users, endpoint, path):
    """The same URLs open for a role on D2, C3 or the province: the refusals above are the
    policy's answer about scope, not a page that refuses everyone (or an object not found)."""
    url = _url(app, world, endpoint, path)
    answers = []
    insiders = list(INSIDERS)
    if endpoint in REORGANIZING:
        insiders.insert(0, (Role.ADMIN, "reorganized"))
    for role, unit in insiders:
        with users.client(role, unit).get(url) as response:  # files are streamed: close them
            answers.append(f"{role} on {world.unit_names[unit]}: {response.status_code}")
        if response.status_code < 400:
            return
    pytest.fail(f"nobody in scope may open {url}: {answers}")


@pytest.mark.parametrize(
    ("endpoint", "path"),
    [(e, p) for e, p, m in ROUTES if m == "GET" and e in PUBLIC],
    ids=[p for e, p, m in ROUTES if m == "GET" and e in PUBLIC],
)
def test_public_routes_are_open_to_visitors(app, world, endpoint, path):
    """What PUBLIC exempts is public indeed: a visitor gets it (C3's published page, its
    attachment), so the list cannot hide a page that should have been checked above. Only the
    sign-in form gives a visitor a session cookie: the rest may be cached by a proxy."""
    with app.test_client().get(_url(app, world, endpoint, path)) as response:
        assert response.status_code < 400, response.status_code
        cookies = response.headers.getlist("Set-Cookie")
        if endpoint != "auth.login":
            assert not [c for c in cookies if c.startswith("session=")], cookies


# Viewers read their scope and change nothing in it: each POST, sent by a viewer on C3 itself,
# on its district D2 and on the province, with the outsiders' form data (naming C3).
VIEWERS = [(Role.VIEWER, "c3"), (Role.VIEWER, "d2"), (Role.VIEWER, "province")]


@dataclass
class Actionable:
    """C3's things in the state where the action applies, for the viewers: where the world's
    object has moved on (a list already sent, a report not yet sent), the view tells any
    reader so (policy.require_unless_moved_on) whatever the role, and the role is never asked."""

    draft_list_id: int
    draft_entry_id: int
    draft_nomination_id: int
    submitted_report_id: int
    youth_id: int


# (endpoint, argument): the Actionable object the viewers' request names instead of the world's.
ACTIONABLE: dict[tuple[str, str], Any] = {
    ("registrations.submit_list", "list_id"): lambda a: a.draft_list_id,
    ("registrations.delete_entry", "entry_id"): lambda a: a.draft_entry_id,
    ("registrations.duplicate_entry", "entry_id"): lambda a: a.draft_entry_id,
    ("commendations.edit_nomination", "nomination_id"): lambda a: a.draft_nomination_id,
    ("commendations.submit_nomination", "nomination_id"): lambda a: a.draft_nomination_id,
    ("reports.accept_report", "report_id"): lambda a: a.submitted_report_id,
    ("reports.return_report", "report_id"): lambda a: a.submitted_report_id,
}
# A list not started yet: starting it (not opening the one that exists) is the change.
VIEWER_FORMS: dict[str, Any] = {
    "registrations.start_list": lambda w, a: {
        "unit_id": w.units["c3"], "organization_id": a.youth_id, "year": YEAR,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def actionable(app, world) -> Actionable:
    """Made by C3's editor on top of the world; the viewers' refused requests leave them so."""
    from webapp.commendations import services as commendations
    from webapp.reports.models import ProgressReport

    with app.app_context():
        editor = _db.session.get(factories.User, world.editor_id)
        c3 = _db.session.get(Unit, world.units["c3"])
        draft = registrations.start_list(editor, c3, org("cuu_chien_binh"), YEAR)
        entry = registrations.add_entry(
            editor, draft, _values("phan_viec", "Dọn vệ sinh", org("cuu_chien_binh"), c3)
        )
        nomination = commendations.create_nomination(
            editor, c3, YEAR,
            commendations.NomineeValues(kind="collective", unit_id=c3.id, reason="Dẫn đầu"),
        )  # fmt: skip
        report = reports.start_report(editor, c3, org("nong_dan"), YEAR, Period.YEAR)
        reports.submit_report(editor, report)
        _db.session.commit()
        made = Actionable(
            draft_list_id=draft.id, draft_entry_id=entry.id,
            draft_nomination_id=nomination.id,
            submitted_report_id=_db.session.get(ProgressReport, report.id).id,
            youth_id=org("doan_thanh_nien").id,
        )  # fmt: skip
        _db.session.remove()
    return made


@pytest.mark.parametrize(
    ("endpoint", "path"),
    [(e, p) for e, p, m in ROUTES if m == "POST" and e not in PUBLIC and e not in OWN],
    ids=[p for e, p, m in ROUTES if m == "POST" and e not in PUBLIC and e not in OWN],
)
def test_viewers_in_scope_change_nothing(app, world, actionable, users, endpoint, path):
    """The scope is right, the role is not: a view that asked the policy only about the unit
    (or only whether the user is signed in) would let a viewer approve, publish or delete."""
    rule = _rule(app, endpoint, path)
    values = {}
    for argument in rule.arguments - set(rule.defaults or {}):
        pick = ACTIONABLE.get((endpoint, argument))
        values[argument] = pick(actionable) if pick else _filler(endpoint, argument)(world)
    url = rule.build(values)[1]
    if endpoint in VIEWER_FORMS:
        form = VIEWER_FORMS[endpoint](world, actionable)
    else:
        form = FORMS.get(endpoint, lambda w: {})(world)
    clients = [(f"viewer on {unit}", users.client(role, unit)) for role, unit in VIEWERS]
    for _label, client in clients:
        client.csrf_token()
    before = _snapshot(app)
    failures = []
    for label, client in clients:
        status = client.post(url, data=form).status_code
        if not 400 <= status < 500:
            failures.append(f"{label}: {status}")
    if changed := _changed(before, _snapshot(app)):
        failures.append(f"the requests changed {changed}")
    if failures:
        pytest.fail(f"POST {url}:\n" + "\n".join(failures), pytrace=False)
