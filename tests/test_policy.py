"""The policy as one truth table: role × scope (inside / outside) × action → allowed,
followed by the state conditions and list filtering."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from webapp import policy
from webapp.auth.models import Role, User
from webapp.campaign.models import Content
from webapp.commendations.models import (
    Evaluation,
    Nomination,
    NominationState,
    NomineeKind,
    Rating,
)
from webapp.commendations.permissions import deciding_unit
from webapp.coverage.permissions import may_lead_joint_work
from webapp.extensions import db as _db
from webapp.fund.models import FundBook, FundPeriod, PeriodState
from webapp.i18n.languages import all_languages
from webapp.i18n.models import InterfaceTranslation, ReviewState
from webapp.jobs.models import ExportJob
from webapp.opinions.models import Opinion, OpinionSource, OpinionState
from webapp.pages.models import Page, PageKind, PageState, PageTranslation, TranslationState
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryKind, EntryState, ListState, RegistrationList
from webapp.reports.models import Period, ProgressReport, ReportState
from webapp.review.chain import reviewing_unit
from webapp.units.models import Level, Unit

EVERYONE = set(Role)
ADMIN = {Role.ADMIN}
OPINION_HANDLERS = {Role.ADMIN, Role.EDITOR, Role.REVIEWER}
TRANSLATING = {Role.ADMIN, Role.PUBLISHER, Role.TRANSLATOR, Role.TRANSLATION_REVIEWER}
# About one's own account: the actor is the subject inside, another person outside.
ACCOUNT_ACTIONS = (
    Action.ACCOUNT_CHANGE_PASSWORD,
    Action.ACCOUNT_SET_LANGUAGE,
    Action.ACCOUNT_MANAGE_SESSIONS,
)

# Who may act on an object inside their scope. Outside the scope nobody may, except where
# the action is public or about one's own account.
ALLOWED_INSIDE: dict[Action, set[Role]] = {
    Action.CAMPAIGN_VIEW: EVERYONE,
    Action.ACCOUNT_CHANGE_PASSWORD: EVERYONE,
    Action.UNIT_VIEW: EVERYONE,
    Action.UNIT_ADD_AREA: {Role.ADMIN, Role.EDITOR},
    Action.UNIT_REORGANIZE: ADMIN,
    Action.USER_VIEW: ADMIN,
    Action.USER_CREATE: ADMIN,
    Action.USER_DEACTIVATE: ADMIN,
    Action.USER_ACTIVATE: ADMIN,
    Action.USER_RESET_PASSWORD: ADMIN,
    Action.USER_UNLOCK: ADMIN,
    Action.USER_MANAGE_SESSIONS: ADMIN,
    Action.ROLE_GRANT: ADMIN,
    Action.ROLE_REVOKE: ADMIN,
    Action.CAMPAIGN_CONFIGURE: ADMIN,
    Action.REQUIREMENT_MANAGE: ADMIN,
    Action.REPORT_FIGURE_MANAGE: ADMIN,
    Action.LIST_VIEW: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    Action.LIST_EDIT: {Role.EDITOR},
    Action.LIST_SUBMIT: {Role.EDITOR},
    Action.ENTRY_EDIT: {Role.EDITOR},
    # The actor's D1 is the nearest unit above C1 with a reviewer: theirs to decide.
    Action.ENTRY_APPROVE: {Role.REVIEWER},
    Action.ENTRY_RETURN: {Role.REVIEWER},
    Action.ENTRY_REOPEN: {Role.REVIEWER},
    Action.LIST_APPROVE: {Role.REVIEWER},
    Action.AUDIT_VIEW: ADMIN,
    Action.PAGE_VIEW: EVERYONE,  # a published page
    Action.PAGE_EDIT: {Role.ADMIN, Role.PUBLISHER},
    Action.PAGE_PUBLISH: {Role.ADMIN, Role.PUBLISHER},
    Action.ATTACHMENT_UPLOAD: {Role.ADMIN, Role.PUBLISHER},
    # Into Tày, the language the factories give translators.
    Action.PAGE_TRANSLATE: TRANSLATING,
    Action.TRANSLATION_PUBLISH: TRANSLATING,
    # Approving a translation sent for review: the language's reviewers only.
    Action.TRANSLATION_APPROVE: {Role.TRANSLATION_REVIEWER},
    Action.ACCOUNT_SET_LANGUAGE: EVERYONE,
    Action.ACCOUNT_MANAGE_SESSIONS: EVERYONE,
    Action.TRANSLATION_STATUS: EVERYONE,
    # Interface strings serve the whole site: translators (of that language) on the top unit.
    Action.INTERFACE_TRANSLATE: {Role.ADMIN, Role.TRANSLATOR, Role.TRANSLATION_REVIEWER},
    Action.INTERFACE_EXPORT: ADMIN,
    Action.INTERFACE_REVIEW: {Role.TRANSLATION_REVIEWER},
    Action.GLOSSARY_EDIT: {Role.TRANSLATION_REVIEWER},
    Action.COVERAGE_VIEW: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    # Another person's export: the admins who could reset their password (its owner: below).
    Action.JOB_VIEW: ADMIN,
    Action.UNIT_SET_NEW_RURAL: ADMIN,
    Action.REPORT_VIEW: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    Action.REPORT_EDIT: {Role.EDITOR},
    Action.REPORT_SUBMIT: {Role.EDITOR},
    # The actor's D1 is the nearest unit above C1 with a reviewer: theirs to decide.
    Action.REPORT_DECIDE: {Role.REVIEWER},
    Action.REPORT_ROLLUP: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    Action.OVERLAP_VIEW: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    # The actor's D1 reviews C1 (reviewer), or nobody does and C1 is in the admin's subtree.
    Action.OVERLAP_DECIDE: {Role.ADMIN, Role.REVIEWER},
    Action.EVALUATION_VIEW: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    # C1 is evaluated by the level above it (D1): its reviewers and admins.
    Action.EVALUATION_RECORD: {Role.ADMIN, Role.REVIEWER},
    Action.NOMINATION_VIEW: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    Action.NOMINATION_CREATE: {Role.ADMIN, Role.EDITOR},
    Action.NOMINATION_SUBMIT: {Role.ADMIN, Role.EDITOR},
    # C1's nomination is decided at D1: its reviewers and admins.
    Action.NOMINATION_DECIDE: {Role.ADMIN, Role.REVIEWER},
    Action.COMMENDATION_VIEW: EVERYONE,
    Action.OPINION_SEND: EVERYONE,
    # The commune's Front committee staff and those above; viewers never see a sender.
    Action.OPINION_VIEW: OPINION_HANDLERS,
    # The photo may show faces and homes: like the sender, the committee's and above.
    Action.OPINION_PHOTO_VIEW: OPINION_HANDLERS,
    Action.OPINION_RECORD: OPINION_HANDLERS,
    Action.OPINION_HANDLE: OPINION_HANDLERS,
    Action.OPINION_ANSWER: OPINION_HANDLERS,
    Action.OPINION_EXPORT: OPINION_HANDLERS,
    Action.OPINION_DISPATCH: OPINION_HANDLERS,
    # The answer time is the province's: the district's admin may not set it (its own test).
    Action.OPINION_SET_DAYS: set(),
    Action.FUND_DISCLOSE: EVERYONE,
    Action.FUND_VIEW: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    Action.FUND_VIEW_PERSONAL: OPINION_HANDLERS,
    # The treasurer keeps their own unit's book: inside, the subject is D1's own year.
    Action.FUND_RECORD: {Role.ADMIN, Role.EDITOR},
    Action.FUND_CLOSE: {Role.ADMIN, Role.EDITOR},
    # C1's closed year, approved by its Standing Committee: reviewers and admins above.
    Action.FUND_APPROVE: {Role.ADMIN, Role.REVIEWER},
    Action.MODEL_VIEW: EVERYONE,  # a recognised model
    # C1's approved entry with progress is recognised by the level above it (D1).
    Action.MODEL_RECOGNISE: {Role.ADMIN, Role.REVIEWER},
    Action.MODEL_WITHDRAW: {Role.ADMIN, Role.REVIEWER},
    # Communes' editors only (into which list is LIST_EDIT's to judge): the matrix's actors sit
    # on a district, the province or a hamlet (tests/test_showcase.py has the commune's).
    Action.MODEL_REPLICATE: set(),
    Action.MODEL_SPREAD: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    Action.ENTRY_PHOTO_ADD: {Role.ADMIN, Role.EDITOR, Role.REVIEWER},
}
ALLOWED_OUTSIDE = {
    Action.MODEL_VIEW: EVERYONE,
    Action.CAMPAIGN_VIEW: EVERYONE,
    Action.PAGE_VIEW: EVERYONE,
    Action.TRANSLATION_STATUS: EVERYONE,
    Action.COMMENDATION_VIEW: EVERYONE,
    Action.OPINION_SEND: EVERYONE,
    Action.FUND_DISCLOSE: EVERYONE,
}
ALLOWED_ANONYMOUS = {
    Action.MODEL_VIEW,
    Action.CAMPAIGN_VIEW,
    Action.PAGE_VIEW,
    Action.TRANSLATION_STATUS,
    Action.COMMENDATION_VIEW,
    Action.OPINION_SEND,
    Action.FUND_DISCLOSE,
}
# Actions on things that belong to the top unit: "inside" means a role there.
TOP_UNIT_ACTIONS = {
    Action.CAMPAIGN_CONFIGURE,
    Action.REQUIREMENT_MANAGE,
    Action.REPORT_FIGURE_MANAGE,
    Action.INTERFACE_TRANSLATE,
    Action.INTERFACE_EXPORT,
    Action.INTERFACE_REVIEW,
    Action.GLOSSARY_EDIT,
}


def test_matrix_covers_every_action():
    assert set(ALLOWED_INSIDE) == set(Action)


def _target_user(unit: Unit, *, is_active: bool = True) -> User:
    return factories.make_user(roles=[(Role.EDITOR, unit)], home_unit=unit, is_active=is_active)


def _job(owner: User) -> ExportJob:
    from webapp.extensions import db

    job = ExportJob(
        owner=owner, kind="coverage.summary", parameters={}, language="vi", title="Tổng hợp",
        file_name="Tổng hợp.xlsx", source_url="/coverage",
    )  # fmt: skip
    db.session.add(job)
    db.session.flush()
    return job


def _list(unit: Unit, organization=None, state=ListState.DRAFT) -> RegistrationList:
    from webapp.extensions import db

    registration_list = RegistrationList(
        unit=unit,
        organization=organization or factories.make_organization(),
        year=2027,
        state=state,
    )
    db.session.add(registration_list)
    db.session.flush()
    return registration_list


def _entry(unit: Unit, entry_state=EntryState.DRAFT, **list_kw) -> Entry:
    from webapp.extensions import db

    registration_list = _list(unit, **list_kw)
    content = db.session.scalar(sa.select(Content).limit(1)) or _content()
    entry = Entry(
        registration_list=registration_list, kind=EntryKind.MO_HINH, name="Mô hình",
        content=content, location=unit, lead_organization=registration_list.organization,
        state=entry_state,
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    return entry


def _report(unit: Unit, state=ReportState.DRAFT, **kw) -> ProgressReport:
    from webapp.extensions import db

    report = ProgressReport(
        unit=unit, organization=factories.make_organization(), year=2027,
        period=Period.HALF_YEAR, state=state, **kw,
    )  # fmt: skip
    db.session.add(report)
    db.session.flush()
    return report


def _evaluation(unit: Unit, organization=None) -> Evaluation:
    """An evaluation not yet recorded: the policy judges it before the first save."""
    return Evaluation(
        year=2027, unit=unit, organization=organization,
        organization_id=organization.id if organization else None,
        organization_key=organization.id if organization else 0,
    )  # fmt: skip


def _nomination(unit: Unit, state=NominationState.DRAFT, **kw) -> Nomination:
    from webapp.extensions import db

    nomination = Nomination(
        year=2027, kind=NomineeKind.COLLECTIVE, proposing_unit=unit, unit=unit,
        reason="Dẫn đầu phong trào", state=state, **kw,
    )  # fmt: skip
    db.session.add(nomination)
    db.session.flush()
    return nomination


def _opinion(unit: Unit, state=OpinionState.RECEIVED) -> Opinion:
    from webapp.extensions import db

    opinion = Opinion(
        code=f"T{next(_slugs)}", unit=unit, text="Đề nghị", source=OpinionSource.ONLINE,
        state=state,
    )  # fmt: skip
    db.session.add(opinion)
    db.session.flush()
    return opinion


_slugs = itertools.count(1)


def _fund_period(unit: Unit, state=None) -> FundPeriod:
    from webapp.extensions import db

    book = FundBook(unit=unit, balance=0, last_voucher=0)
    period = FundPeriod(book=book, year=2027, state=state or PeriodState.OPEN)
    db.session.add(period)
    db.session.flush()
    return period


def _page(unit: Unit, state=PageState.DRAFT):
    from webapp.extensions import db

    page = Page(unit=unit, kind=PageKind.GUIDANCE, slug=f"trang-{next(_slugs)}", state=state)
    db.session.add(page)
    db.session.flush()
    return page


def _translation(
    unit: Unit, language: str = "tyz", state=PageState.PUBLISHED, translation_state=None, by=None
):
    """A page's translation, saved or not yet made: the policy judges both alike."""
    page = _page(unit, state)
    translation = PageTranslation(page=page, page_id=page.id, language=language)
    translation.state = translation_state or TranslationState.DRAFT
    translation.translated_by_id = by.id if by else None
    return translation


def _interface_draft(language: str = "tyz", by=None) -> InterfaceTranslation:
    """An interface string's translation sent for review (by someone else than the actor)."""
    return InterfaceTranslation(
        language=language, key="k", msgid="Sign in", strings=["…"],
        state=ReviewState.REVIEW, translated_by_id=by.id if by else None,
    )  # fmt: skip


def _event(unit: Unit):
    from webapp.audit.services import record

    return record(None, "unit.viewed", unit, unit_id=unit.id)


def _content() -> Content:
    from webapp.campaign.models import Campaign
    from webapp.extensions import db

    campaign = Campaign(code="c", name_vi="Cuộc vận động")
    content = Content(campaign=campaign, number=1, short_vi="Kinh tế", text_vi="Kinh tế")
    db.session.add(content)
    return content


def _progressed(unit: Unit) -> Entry:
    """An approved entry whose report line says completed."""
    from webapp.extensions import db
    from webapp.reports.models import LineStatus, ProgressLine

    entry = _entry(unit, EntryState.APPROVED, state=ListState.APPROVED)
    report = _report(unit)
    db.session.add(ProgressLine(report=report, entry=entry, status=LineStatus.COMPLETED))
    db.session.flush()
    return entry


def _model(unit: Unit):
    from webapp.showcase.models import EffectiveModel, ModelState

    return EffectiveModel(entry=_progressed(unit), year=2027, state=ModelState.RECOGNISED)


def _subject(action: Action, tree, actor: User, inside: bool, unit: Unit | None = None):
    """An object of the kind the action works on, in (c1) or out of (c3, or `unit`) the actor's
    scope."""
    unit = unit or (tree.c1 if inside else tree.c3)
    if action in (Action.CAMPAIGN_VIEW, Action.TRANSLATION_STATUS):
        return None
    if action in (
        Action.CAMPAIGN_CONFIGURE,
        Action.REQUIREMENT_MANAGE,
        Action.REPORT_FIGURE_MANAGE,
    ):
        return object()
    if action in (Action.INTERFACE_TRANSLATE, Action.INTERFACE_EXPORT, Action.GLOSSARY_EDIT):
        return all_languages()["tyz"]
    if action is Action.INTERFACE_REVIEW:
        return _interface_draft()
    if action is Action.TRANSLATION_APPROVE:
        return _translation(unit, translation_state=TranslationState.REVIEW)
    if action in (Action.LIST_VIEW, Action.LIST_EDIT, Action.LIST_SUBMIT):
        return _list(unit)
    if action is Action.ENTRY_EDIT:
        return _entry(unit)
    if action in (Action.ENTRY_APPROVE, Action.ENTRY_RETURN):
        return _entry(unit, EntryState.SUBMITTED, state=ListState.SUBMITTED)
    if action is Action.ENTRY_REOPEN:
        return _entry(unit, EntryState.APPROVED, state=ListState.APPROVED)
    if action is Action.LIST_APPROVE:
        return _entry(unit, EntryState.SUBMITTED, state=ListState.SUBMITTED).registration_list
    if action in (Action.REPORT_VIEW, Action.REPORT_EDIT, Action.REPORT_SUBMIT):
        return _report(unit)
    if action is Action.REPORT_DECIDE:
        return _report(unit, ReportState.SUBMITTED)
    if action in (Action.EVALUATION_VIEW, Action.EVALUATION_RECORD):
        return _evaluation(unit)
    if action in (Action.NOMINATION_VIEW, Action.NOMINATION_CREATE, Action.NOMINATION_SUBMIT):
        return _nomination(unit)
    if action is Action.NOMINATION_DECIDE:
        return _nomination(unit, NominationState.SUBMITTED)
    if action in (Action.COMMENDATION_VIEW, Action.OPINION_SEND, Action.FUND_DISCLOSE):
        return None
    if action in (Action.FUND_VIEW, Action.FUND_VIEW_PERSONAL):
        return _fund_period(unit)
    if action in (Action.FUND_RECORD, Action.FUND_CLOSE):
        # A treasurer's own book: the subject's parent is the actor's unit in "inside".
        return _fund_period(unit.parent or unit)
    if action is Action.FUND_APPROVE:
        return _fund_period(unit, PeriodState.CLOSED)
    if action in (Action.OPINION_VIEW, Action.OPINION_HANDLE, Action.OPINION_PHOTO_VIEW):
        return _opinion(unit)
    if action is Action.OPINION_ANSWER:
        return _opinion(unit, OpinionState.FORWARDED)
    if action is Action.AUDIT_VIEW:
        return _event(unit)
    if action in (Action.MODEL_RECOGNISE, Action.ENTRY_PHOTO_ADD):
        return _progressed(unit)
    if action in (Action.MODEL_VIEW, Action.MODEL_WITHDRAW, Action.MODEL_REPLICATE):
        return _model(unit)
    if action in (Action.PAGE_VIEW, Action.PAGE_EDIT, Action.PAGE_PUBLISH):
        return _page(unit, PageState.PUBLISHED)
    if action is Action.ATTACHMENT_UPLOAD:
        return _page(unit)
    if action in (Action.PAGE_TRANSLATE, Action.TRANSLATION_PUBLISH):
        return _translation(unit)
    if action in ACCOUNT_ACTIONS:
        return actor if inside else _target_user(unit)
    if action in (
        Action.UNIT_VIEW,
        Action.UNIT_ADD_AREA,
        Action.UNIT_REORGANIZE,
        Action.USER_CREATE,
        Action.ROLE_GRANT,
        Action.USER_CREATE,
        Action.ROLE_GRANT,
        Action.COVERAGE_VIEW,
        Action.UNIT_SET_NEW_RURAL,
        Action.REPORT_ROLLUP,
        Action.OVERLAP_VIEW,
        Action.OVERLAP_DECIDE,
        Action.OPINION_RECORD,
        Action.OPINION_EXPORT,
        Action.OPINION_DISPATCH,
        Action.OPINION_SET_DAYS,
        Action.MODEL_SPREAD,
    ):
        return unit
    if action is Action.JOB_VIEW:
        return _job(_target_user(unit))
    if action is Action.USER_ACTIVATE:
        return _target_user(unit, is_active=False)
    if action is Action.ROLE_REVOKE:
        return _target_user(unit).roles[0]
    return _target_user(unit)


# A narrowed assignment covers only its organization's things; it still lets its holder browse
# the units below (UNIT_VIEW) and open their rollup, whose figures are then filtered.
ALLOWED_NARROWED = ALLOWED_OUTSIDE | {
    Action.UNIT_VIEW: EVERYONE,
    Action.REPORT_ROLLUP: {Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
}


@dataclass(frozen=True)
class Layout:
    """Where the actor's role is and where the subject lives, in the tree fixture (P: D1 with C1
    and C2, D2 with C3) or the units the layout adds: "area", a hamlet of C1, and "far", a
    commune of another province."""

    actor: str
    subject: str
    allowed: dict[Action, set[Role]]
    narrowed: bool = False  # the role is narrowed to an organization (not the subject's)


LAYOUTS = {
    "inside": Layout("d1", "c1", ALLOWED_INSIDE),
    "outside": Layout("d1", "c3", ALLOWED_OUTSIDE),
    "another-district": Layout("d2", "c1", ALLOWED_OUTSIDE),  # the other way round
    "area-below": Layout("area", "c1", ALLOWED_OUTSIDE),  # a role below reaches nothing above
    "province-narrowed": Layout("province", "c1", ALLOWED_NARROWED, narrowed=True),
    # The top unit's admin configures the campaign, but reaches nothing of another province.
    "another-province": Layout("province", "far", ALLOWED_OUTSIDE),
}


def _layout_unit(tree, name: str) -> Unit:
    if name == "area":
        return factories.make_unit("Thôn Nà Mò", level=Level.AREA, parent=tree.c1)
    if name == "far":
        province = factories.make_unit("Tỉnh Khác", level=Level.PROVINCE)  # after P: not the top
        district = factories.make_unit("Huyện Khác", level=Level.DISTRICT, parent=province)
        return factories.make_unit("Xã Khác", parent=district)
    return getattr(tree, name)


def _expected(layout: str, action: Action, role: Role) -> bool:
    """The campaign configuration and the interface strings belong to the top unit: there
    "inside" means a role on it, and the province layouts' actor has one."""
    allowed = LAYOUTS[layout].allowed
    if action in TOP_UNIT_ACTIONS and layout == "another-province":
        allowed = ALLOWED_INSIDE
    return role in allowed.get(action, set())


@pytest.fixture
def unsaved_tree(app) -> Iterator[factories.Tree]:
    """The tree in a transaction rolled back after the test: the matrix's ~1,800 cases write
    nothing, so nothing needs wiping (emptying every table per case was most of their time,
    on PostgreSQL above all)."""
    with app.app_context():
        yield factories.make_tree(commit=False)
        _db.session.rollback()
        _db.session.remove()


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_policy_matrix(unsaved_tree, action, role, layout):
    tree = unsaved_tree
    spec = LAYOUTS[layout]
    inside = layout == "inside"
    unit = (
        tree.province if action in TOP_UNIT_ACTIONS and inside else _layout_unit(tree, spec.actor)
    )
    organization = factories.make_organization() if spec.narrowed else None
    actor = factories.make_user(roles=[(role, unit, organization)])
    subject = _subject(action, tree, actor, inside, unit=_layout_unit(tree, spec.subject))
    expected = _expected(layout, action, role)
    assert policy.can(actor, action, subject) is expected
    verdict = policy.check(actor, action, subject)  # the full answer agrees, with a reason
    assert verdict.allowed is expected
    assert bool(verdict.reason) is not expected


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_anonymous_may_only_read_public_things(db, tree, action):
    from flask_login import AnonymousUserMixin

    subject = _subject(action, tree, None, inside=True) if action not in ACCOUNT_ACTIONS else None
    assert policy.can(AnonymousUserMixin(), action, subject) is (action in ALLOWED_ANONYMOUS)
    verdict = policy.check(AnonymousUserMixin(), action, subject)
    assert verdict.allowed is (action in ALLOWED_ANONYMOUS)
    assert verdict.out_of_scope is (action not in ALLOWED_ANONYMOUS)  # sign in first


def test_role_on_a_unit_covers_its_whole_subtree(db, tree):
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    area = factories.make_unit("Thôn Nà Mò", level=Level.AREA, parent=tree.c3)
    assert policy.can(admin, Action.UNIT_VIEW, area)
    assert policy.can(admin, Action.USER_VIEW, _target_user(tree.c3))


def test_inactive_user_may_do_nothing_but_read_public(db, tree):
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)], is_active=False)
    assert not policy.can(admin, Action.UNIT_VIEW, tree.c1)
    assert policy.can(admin, Action.CAMPAIGN_VIEW)


@pytest.mark.parametrize(
    ("action", "make_subject"),
    [
        (Action.UNIT_ADD_AREA, lambda tree, actor: tree.d1),  # areas go under communes only
        (
            Action.UNIT_ADD_AREA,
            lambda tree, actor: factories.make_unit(level=Level.AREA, parent=tree.c1),
        ),
        (Action.USER_DEACTIVATE, lambda tree, actor: actor),  # not oneself
        (Action.USER_DEACTIVATE, lambda tree, actor: _target_user(tree.c1, is_active=False)),
        (Action.USER_ACTIVATE, lambda tree, actor: _target_user(tree.c1)),  # already active
        (Action.USER_RESET_PASSWORD, lambda tree, actor: actor),  # own: change it instead
        (Action.USER_MANAGE_SESSIONS, lambda tree, actor: actor),  # own: the account's page
        (Action.ROLE_REVOKE, lambda tree, actor: actor.roles[0]),  # not one's own role
        (
            Action.ROLE_GRANT,
            lambda tree, actor: factories.make_unit(level=Level.AREA, parent=tree.c1),
        ),
    ],
)
def test_state_conditions_refuse_even_inside_scope(db, tree, action, make_subject):
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province), (Role.EDITOR, tree.province)])
    assert not policy.can(admin, action, make_subject(tree, admin))


@pytest.mark.parametrize(
    ("spec", "language", "allowed"),
    [
        ((Role.TRANSLATOR, "province", None, "tyz"), "tyz", True),
        ((Role.TRANSLATOR, "province", None, "tyz"), "nut", False),  # another language
        ((Role.TRANSLATOR, "d1", None, "tyz"), "tyz", False),  # not on the top unit
        ((Role.ADMIN, "province"), "hmn", True),
        ((Role.PUBLISHER, "province"), "tyz", False),
    ],
)
def test_interface_translations_by_language_and_level(db, tree, spec, language, allowed):
    role, unit, *rest = spec
    actor = factories.make_user(roles=[(role, getattr(tree, unit), *rest)])
    assert policy.can(actor, Action.INTERFACE_TRANSLATE, all_languages()[language]) is allowed


def test_ended_commune_gets_no_new_areas(db, tree):
    from datetime import date

    editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    tree.c1.valid_to = date(2025, 6, 30)
    assert not policy.can(editor, Action.UNIT_ADD_AREA, tree.c1)


def test_assignment_narrowed_to_an_organization_does_not_cover_the_committee(db, tree):
    organization = factories.make_organization()
    officer = factories.make_user(roles=[(Role.EDITOR, tree.d1, organization)])
    assert not policy.can(officer, Action.UNIT_ADD_AREA, tree.c1)
    assert policy.scope_roots(officer, Action.UNIT_ADD_AREA) == []


def test_visible_filters_lists_to_the_scope(db, tree):
    admin = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    inside = _target_user(tree.c2)
    outside = _target_user(tree.c3)
    shown = set(db.session.scalars(policy.visible(admin, Action.USER_VIEW, sa.select(User))))
    assert inside in shown and admin in shown
    assert outside not in shown
    units = set(db.session.scalars(policy.visible(admin, Action.UNIT_VIEW, sa.select(Unit))))
    assert units == {tree.d1, tree.c1, tree.c2}


def test_visible_shows_nothing_without_a_role(db, tree):
    nobody = factories.make_user(home_unit=tree.c1)
    assert list(db.session.scalars(policy.visible(nobody, Action.USER_VIEW, sa.select(User)))) == []


def test_who_can_lists_the_admins_above(db, tree):
    province_admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    district_admin = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    factories.make_user(roles=[(Role.ADMIN, tree.d2)])
    factories.make_user(roles=[(Role.ADMIN, tree.province)], is_active=False)
    target = _target_user(tree.c1)
    assert policy.who_can(Action.USER_RESET_PASSWORD, target) == sorted(
        [province_admin, district_admin], key=lambda u: u.username
    )


def test_district_admin_cannot_take_over_a_province_admin_living_in_the_district(db, tree):
    district_admin = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    province_admin = factories.make_user(roles=[(Role.ADMIN, tree.province)], home_unit=tree.c1)
    for action in (
        Action.USER_RESET_PASSWORD,
        Action.USER_DEACTIVATE,
        Action.USER_UNLOCK,
        Action.USER_MANAGE_SESSIONS,
    ):
        assert not policy.can(district_admin, action, province_admin)
    province_admin.is_active = False
    assert not policy.can(district_admin, Action.USER_ACTIVATE, province_admin)
    assert not policy.can(district_admin, Action.ROLE_REVOKE, province_admin.roles[0])


def test_a_job_is_its_owners_and_never_a_stranger_admins(db, tree):
    """Whatever roles its owner holds (none at all included), a job is theirs; an admin above
    sees it only when every role of the owner lies in the admin's scope."""
    owner = factories.make_user(roles=[(Role.VIEWER, tree.c1), (Role.VIEWER, tree.c3)])
    job = _job(owner)
    assert policy.can(owner, Action.JOB_VIEW, job)
    assert not policy.can(factories.make_user(roles=[(Role.ADMIN, tree.d1)]), Action.JOB_VIEW, job)
    assert policy.can(
        factories.make_user(roles=[(Role.ADMIN, tree.province)]), Action.JOB_VIEW, job
    )
    owner.roles.clear()
    db.session.flush()
    assert policy.can(owner, Action.JOB_VIEW, job)
    assert not policy.can(
        factories.make_user(roles=[(Role.ADMIN, tree.province)]), Action.JOB_VIEW, job
    )


def test_organization_officer_may_browse_the_units_of_their_scope(db, tree):
    organization = factories.make_organization()
    officer = factories.make_user(roles=[(Role.EDITOR, tree.d1, organization)])
    assert policy.can(officer, Action.UNIT_VIEW, tree.c1)
    assert not policy.can(officer, Action.UNIT_VIEW, tree.c3)
    assert policy.can_somewhere(officer, Action.UNIT_VIEW)
    assert not policy.can_somewhere(officer, Action.UNIT_ADD_AREA)


@pytest.mark.parametrize("state", [ListState.SUBMITTED, ListState.APPROVED])
def test_a_submitted_list_and_its_entries_cannot_be_changed(db, tree, state):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    entry = _entry(tree.c1, state=state)
    for action, obj in [
        (Action.LIST_EDIT, entry.registration_list),
        (Action.LIST_SUBMIT, entry.registration_list),
        (Action.ENTRY_EDIT, entry),
    ]:
        assert not policy.can(editor, action, obj)
    assert policy.can(editor, Action.LIST_VIEW, entry.registration_list)


def test_a_returned_list_is_editable_again(db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    entry = _entry(tree.c1, state=ListState.RETURNED)
    assert policy.can(editor, Action.LIST_EDIT, entry.registration_list)
    assert policy.can(editor, Action.ENTRY_EDIT, entry)


def test_no_list_for_a_unit_that_did_not_exist_that_year(db, tree):
    from datetime import date

    editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    tree.c1.valid_to = date(2020, 1, 31)
    assert not policy.can(editor, Action.LIST_EDIT, _list(tree.c1))  # a 2027 list
    assert policy.can(editor, Action.LIST_VIEW, _list(tree.c1))


def test_an_officer_covers_only_their_organization_lists(db, tree):
    from webapp.extensions import db as _db

    women, farmers = factories.make_organization(), factories.make_organization()
    officer = factories.make_user(roles=[(Role.EDITOR, tree.d1, women)])
    own, other = _list(tree.c1, women), _list(tree.c1, farmers)
    outside = _list(tree.c3, women)
    for action in (Action.LIST_VIEW, Action.LIST_EDIT, Action.LIST_SUBMIT):
        assert policy.can(officer, action, own)
        assert not policy.can(officer, action, other)
        assert not policy.can(officer, action, outside)
    assert policy.scope(officer, Action.LIST_VIEW) == [(tree.d1.id, women.id)]
    assert policy.scope_roots(officer, Action.LIST_VIEW) == []
    assert policy.can_somewhere(officer, Action.LIST_EDIT)
    shown = set(
        _db.session.scalars(policy.visible(officer, Action.LIST_VIEW, sa.select(RegistrationList)))
    )
    assert shown == {own}


def test_visible_lists_follow_the_committee_scope(db, tree):
    from webapp.extensions import db as _db

    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    inside, below, outside = _list(tree.d1), _list(tree.c2), _list(tree.c3)
    shown = set(
        _db.session.scalars(policy.visible(reviewer, Action.LIST_VIEW, sa.select(RegistrationList)))
    )
    assert shown == {inside, below}
    assert outside not in shown


@pytest.mark.parametrize(
    "action",
    [Action.CAMPAIGN_CONFIGURE, Action.REQUIREMENT_MANAGE, Action.REPORT_FIGURE_MANAGE],
    ids=str,
)
def test_only_an_admin_of_the_top_unit_configures_the_campaign(db, tree, action):
    top = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    district = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    assert policy.can(top, action, object())
    assert policy.can_somewhere(top, action)
    assert not policy.can(district, action, object())
    assert not policy.can_somewhere(district, action)
    assert not policy.can(reviewer, action, object())


# Review: who decides, along the chain of units


def _submitted_entry(unit: Unit, submitter: User | None = None) -> Entry:
    entry = _entry(unit, EntryState.SUBMITTED, state=ListState.SUBMITTED)
    entry.registration_list.submitted_by_id = submitter.id if submitter else None
    return entry


def test_the_nearest_unit_with_a_reviewer_decides_three_levels(db, tree):
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    commune_entry, district_entry = _submitted_entry(tree.c1), _submitted_entry(tree.d1)
    assert reviewing_unit(tree.c1) == tree.d1
    assert policy.can(district, Action.ENTRY_APPROVE, commune_entry)
    assert not policy.can(province, Action.ENTRY_APPROVE, commune_entry)  # not the nearest
    # A district's own list goes to the province; D2 has no reviewer, so its communes do too.
    assert reviewing_unit(tree.d1) == tree.province
    assert policy.can(province, Action.ENTRY_APPROVE, district_entry)
    assert not policy.can(district, Action.ENTRY_APPROVE, district_entry)
    assert policy.can(province, Action.ENTRY_APPROVE, _submitted_entry(tree.c3))
    assert policy.who_can(Action.LIST_APPROVE, commune_entry.registration_list) == [district]


def test_after_the_reform_the_province_reviews_communes_two_levels(db):
    province = factories.make_unit("Tỉnh Thái Nguyên", level=Level.PROVINCE)
    commune = factories.make_unit("Xã Bằng Thành", parent=province)
    reviewer = factories.make_user(roles=[(Role.REVIEWER, province)])
    entry = _submitted_entry(commune)
    assert reviewing_unit(commune) == province
    assert policy.can(reviewer, Action.ENTRY_APPROVE, entry)
    assert policy.can(reviewer, Action.ENTRY_RETURN, entry)


def test_an_inactive_reviewer_does_not_hold_up_the_chain(db, tree):
    factories.make_user(roles=[(Role.REVIEWER, tree.d1)], is_active=False)
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    assert reviewing_unit(tree.c1) == tree.province
    assert policy.can(province, Action.ENTRY_APPROVE, _submitted_entry(tree.c1))


def test_nobody_decides_on_their_own_submission(db, tree):
    both = factories.make_user(roles=[(Role.REVIEWER, tree.d1), (Role.EDITOR, tree.c1)])
    entry = _submitted_entry(tree.c1, submitter=both)
    for action in (Action.ENTRY_APPROVE, Action.ENTRY_RETURN):
        assert not policy.can(both, action, entry)
        assert policy.check(both, action, entry).out_of_scope
    assert not policy.can(both, Action.LIST_APPROVE, entry.registration_list)


def test_only_submitted_entries_are_decided_and_only_approved_ones_reopened(db, tree):
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    returned = _entry(tree.c1, EntryState.RETURNED, state=ListState.RETURNED)
    approved = _entry(tree.c1, EntryState.APPROVED, state=ListState.APPROVED)
    assert not policy.can(reviewer, Action.ENTRY_APPROVE, returned)
    assert not policy.can(reviewer, Action.ENTRY_APPROVE, approved)
    assert not policy.can(reviewer, Action.ENTRY_REOPEN, returned)
    assert policy.can(reviewer, Action.ENTRY_REOPEN, approved)
    assert policy.can(province, Action.ENTRY_REOPEN, approved)  # a reviewer above may reopen
    # In the chain, but already decided: the view shows it as it stands (409), not 403.
    verdict = policy.check(reviewer, Action.ENTRY_APPROVE, approved)
    assert (verdict.in_scope, verdict.wrong_state, verdict.reason) == (True, True, "submitted")


def test_a_reviewer_narrowed_to_an_organization_reviews_only_its_lists(db, tree):
    women = factories.make_organization()
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1, women)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    own = _entry(tree.c1, EntryState.SUBMITTED, state=ListState.SUBMITTED, organization=women)
    other = _submitted_entry(tree.c1)
    assert policy.can(reviewer, Action.ENTRY_APPROVE, own)
    assert not policy.can(reviewer, Action.ENTRY_APPROVE, other)
    assert policy.can(province, Action.ENTRY_APPROVE, other)  # no reviewer of it in D1


def test_audit_log_scope(db, tree):
    district = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    top = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    from webapp.audit.models import AuditEvent
    from webapp.audit.services import record
    from webapp.extensions import db as _db

    inside, outside = _event(tree.c2), _event(tree.c3)
    unitless = record(None, "deadline.set", tree.province, unit_id=None)
    shown = set(
        _db.session.scalars(policy.visible(district, Action.AUDIT_VIEW, sa.select(AuditEvent)))
    )
    assert inside in shown and outside not in shown and unitless not in shown
    assert policy.can(top, Action.AUDIT_VIEW, unitless)
    assert not policy.can(district, Action.AUDIT_VIEW, unitless)


def test_visible_combines_a_committee_role_and_organization_roles(db, tree):
    from webapp.extensions import db as _db

    women, farmers = factories.make_organization(), factories.make_organization()
    user = factories.make_user(
        roles=[
            (Role.EDITOR, tree.c1),
            (Role.EDITOR, tree.d2, women),
            (Role.EDITOR, tree.province, farmers),
        ]
    )
    committee, women_c3, farmers_c2, other_c2 = (
        _list(tree.c1),
        _list(tree.c3, women),
        _list(tree.c2, farmers),
        _list(tree.c2),
    )
    shown = set(
        _db.session.scalars(policy.visible(user, Action.LIST_VIEW, sa.select(RegistrationList)))
    )
    assert shown == {committee, women_c3, farmers_c2}
    assert other_c2 not in shown


# Guidance pages


def test_drafts_and_archived_pages_are_for_their_publishers_only(db, tree):
    from flask_login import AnonymousUserMixin

    publisher = factories.make_user(roles=[(Role.PUBLISHER, tree.d1)])
    outsider = factories.make_user(roles=[(Role.PUBLISHER, tree.d2)])
    for state in (PageState.DRAFT, PageState.ARCHIVED):
        page = _page(tree.c1, state)
        assert policy.can(publisher, Action.PAGE_VIEW, page)
        assert not policy.can(outsider, Action.PAGE_VIEW, page)
        assert not policy.can(AnonymousUserMixin(), Action.PAGE_VIEW, page)
    archived = _page(tree.d1, PageState.ARCHIVED)
    assert not policy.can(publisher, Action.PAGE_EDIT, archived)
    assert not policy.can(publisher, Action.ATTACHMENT_UPLOAD, archived)
    assert policy.can(publisher, Action.PAGE_PUBLISH, archived)  # may publish it again


# Translations


@pytest.mark.parametrize("action", [Action.PAGE_TRANSLATE, Action.TRANSLATION_PUBLISH], ids=str)
def test_a_translator_works_only_in_their_language(db, tree, action):
    tay = factories.make_user(roles=[(Role.TRANSLATOR, tree.d1, None, "tyz")])
    publisher = factories.make_user(roles=[(Role.PUBLISHER, tree.d1)])
    assert policy.can(tay, action, _translation(tree.c1, "tyz"))
    for language in ("nut", "hmn", "vi"):
        assert not policy.can(tay, action, _translation(tree.c1, language))
    assert not policy.can(tay, action, _translation(tree.c3, "tyz"))  # outside the scope
    assert policy.can(publisher, action, _translation(tree.c1, "nut"))  # any language
    assert not policy.can(publisher, action, _translation(tree.c1, "vi"))  # not the original


def test_translator_scope_and_lists_follow_their_language(db, tree):
    from webapp.extensions import db as _db

    both = factories.make_user(
        roles=[
            (Role.TRANSLATOR, tree.province, None, "tyz"),
            (Role.TRANSLATOR, tree.d1, None, "nut"),
        ]
    )
    on_d2 = _page(tree.c3, PageState.PUBLISHED)
    on_c1 = _page(tree.c1, PageState.PUBLISHED)
    assert policy.scope(both, Action.PAGE_TRANSLATE, "tyz") == [(tree.province.id, None)]
    assert policy.scope(both, Action.PAGE_TRANSLATE, "nut") == [(tree.d1.id, None)]
    assert policy.scope(both, Action.PAGE_TRANSLATE, "hmn") == []
    nut_pages = set(
        _db.session.scalars(policy.visible(both, Action.PAGE_TRANSLATE, sa.select(Page), "nut"))
    )
    assert on_c1 in nut_pages and on_d2 not in nut_pages
    assert policy.languages_of(both, Action.PAGE_TRANSLATE, ["tyz", "nut", "hmn"]) == [
        "tyz",
        "nut",
    ]
    assert policy.can_somewhere(both, Action.PAGE_TRANSLATE)
    assert not policy.can_somewhere(both, Action.PAGE_PUBLISH)


def test_a_reviewer_approves_others_work_sent_for_review_in_their_language_only(db, tree):
    tay = factories.make_user(roles=[(Role.TRANSLATION_REVIEWER, tree.province, None, "tyz")])
    translator = factories.make_user(roles=[(Role.TRANSLATOR, tree.province, None, "tyz")])
    review = TranslationState.REVIEW
    page_draft = _translation(tree.c1, translation_state=review, by=translator)
    assert policy.can(tay, Action.TRANSLATION_APPROVE, page_draft)
    assert policy.can(tay, Action.INTERFACE_REVIEW, _interface_draft(by=translator))
    # Out of scope: a Tày reviewer approves no Mông, and the translator not their own work.
    mong = _translation(tree.c1, "hmn", translation_state=review, by=translator)
    assert policy.check(tay, Action.TRANSLATION_APPROVE, mong).out_of_scope
    assert policy.check(tay, Action.INTERFACE_REVIEW, _interface_draft("hmn")).out_of_scope
    assert not policy.can(tay, Action.GLOSSARY_EDIT, all_languages()["hmn"])
    assert not policy.can(translator, Action.TRANSLATION_APPROVE, page_draft)
    own = _translation(tree.c1, translation_state=review, by=tay)
    assert policy.check(tay, Action.TRANSLATION_APPROVE, own).out_of_scope
    assert policy.check(tay, Action.INTERFACE_REVIEW, _interface_draft(by=tay)).out_of_scope
    # Wrong state: a draft not yet sent for review.
    draft = _translation(tree.c1, by=translator)
    assert policy.check(tay, Action.TRANSLATION_APPROVE, draft).wrong_state


def test_translations_of_archived_pages_are_not_changed_nor_of_drafts_published(db, tree):
    tay = factories.make_user(roles=[(Role.TRANSLATOR, tree.d1, None, "tyz")])
    archived = _translation(tree.c1, state=PageState.ARCHIVED)
    draft = _translation(tree.c1, state=PageState.DRAFT)
    assert not policy.can(tay, Action.PAGE_TRANSLATE, archived)
    assert policy.can(tay, Action.PAGE_TRANSLATE, draft)  # ready when the page goes out
    assert not policy.can(tay, Action.TRANSLATION_PUBLISH, draft)


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.ACCEPTED])
def test_a_sent_report_cannot_be_changed(db, tree, state):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    report = _report(tree.c1, state)
    assert not policy.can(editor, Action.REPORT_EDIT, report)
    assert not policy.can(editor, Action.REPORT_SUBMIT, report)
    assert policy.can(editor, Action.REPORT_VIEW, report)


def test_a_returned_report_is_editable_again(db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    report = _report(tree.c1, ReportState.RETURNED, return_reason="Thiếu số liệu")
    assert policy.can(editor, Action.REPORT_EDIT, report)


@pytest.mark.parametrize("state", [ReportState.DRAFT, ReportState.ACCEPTED, ReportState.RETURNED])
def test_only_a_submitted_report_is_decided(db, tree, state):
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    report = _report(tree.c1, state, return_reason="x")
    assert not policy.can(reviewer, Action.REPORT_DECIDE, report)


def test_reports_follow_the_nearest_reviewer_and_never_their_submitter(db, tree):
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    report = _report(tree.c1, ReportState.SUBMITTED)
    assert policy.can(district, Action.REPORT_DECIDE, report)
    assert not policy.can(province, Action.REPORT_DECIDE, report)  # not the nearest
    report.submitted_by_id = district.id  # a reviewer who also edits: not their own
    assert not policy.can(district, Action.REPORT_DECIDE, report)
    assert policy.can(province, Action.REPORT_DECIDE, report)


def test_visible_reports_follow_the_scope(db, tree):
    viewer = factories.make_user(roles=[(Role.VIEWER, tree.d1)])
    inside, outside = _report(tree.c1), _report(tree.c3)
    shown = _db_scalars(policy.visible(viewer, Action.REPORT_VIEW, sa.select(ProgressReport)))
    assert inside in shown and outside not in shown


def _db_scalars(stmt):
    from webapp.extensions import db

    return db.session.scalars(stmt).all()


def test_overlap_decisions_belong_to_the_communes_reviewing_unit_and_above(db, tree):
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    commune = factories.make_user(roles=[(Role.REVIEWER, tree.c1)])
    district_admin = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    narrowed = factories.make_user(roles=[(Role.REVIEWER, tree.d1, factories.make_organization())])
    assert policy.can(district, Action.OVERLAP_DECIDE, tree.c1)
    assert policy.can(province, Action.OVERLAP_DECIDE, tree.c1)
    assert not policy.can(commune, Action.OVERLAP_DECIDE, tree.c1)  # below the reviewing unit
    assert policy.can(district_admin, Action.OVERLAP_DECIDE, tree.c1)
    assert not policy.can(district, Action.OVERLAP_DECIDE, tree.c3)  # another district
    assert not policy.can(narrowed, Action.OVERLAP_DECIDE, tree.c1)  # a pair spans organizations
    assert not policy.can(narrowed, Action.OVERLAP_VIEW, tree.c1)


def test_joint_work_is_led_only_by_an_entry_whose_list_the_decider_reviews(db, tree):
    from flask_login import AnonymousUserMixin

    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    district_admin = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    narrowed = factories.make_user(roles=[(Role.REVIEWER, tree.d1, factories.make_organization())])
    communes, provinces = _submitted_entry(tree.c1), _submitted_entry(tree.province)
    districts, elsewhere = _submitted_entry(tree.d1), _submitted_entry(tree.c3)
    assert may_lead_joint_work(district, communes)
    assert not may_lead_joint_work(district, provinces)  # a province list's entry
    assert not may_lead_joint_work(district, districts)  # the province reviews it
    assert not may_lead_joint_work(district, elsewhere)  # another district's commune
    assert may_lead_joint_work(province, communes)  # above the reviewing unit
    assert may_lead_joint_work(province, provinces)
    assert may_lead_joint_work(district_admin, communes)
    assert not may_lead_joint_work(narrowed, communes)  # not the list's organization
    assert not may_lead_joint_work(AnonymousUserMixin(), communes)


# Evaluations and commendations


def test_evaluations_are_recorded_by_the_level_above_and_never_for_oneself(db, tree):
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    district_admin = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    province = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    commune = factories.make_user(roles=[(Role.REVIEWER, tree.c1), (Role.ADMIN, tree.c1)])
    assert policy.can(district, Action.EVALUATION_RECORD, _evaluation(tree.c1))
    assert not policy.can(district, Action.EVALUATION_RECORD, _evaluation(tree.c3))
    assert not policy.can(district, Action.EVALUATION_RECORD, _evaluation(tree.d1))  # itself
    assert not policy.can(district_admin, Action.EVALUATION_RECORD, _evaluation(tree.d1))
    assert policy.can(province, Action.EVALUATION_RECORD, _evaluation(tree.d1))
    assert policy.can(province, Action.EVALUATION_RECORD, _evaluation(tree.c3))
    assert not policy.can(province, Action.EVALUATION_RECORD, _evaluation(tree.province))
    assert not policy.can(commune, Action.EVALUATION_RECORD, _evaluation(tree.c1))


def test_an_organization_reviewer_evaluates_only_its_organization(db, tree):
    women, farmers = factories.make_organization(), factories.make_organization()
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1, women)])
    assert policy.can(reviewer, Action.EVALUATION_RECORD, _evaluation(tree.c1, women))
    assert not policy.can(reviewer, Action.EVALUATION_RECORD, _evaluation(tree.c1, farmers))
    assert not policy.can(reviewer, Action.EVALUATION_RECORD, _evaluation(tree.c1))


def test_nominations_are_decided_by_the_level_above_the_proposer(db, tree):
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    province_reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    province_admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    from_commune = _nomination(tree.c1, NominationState.SUBMITTED)
    from_district = _nomination(tree.d1, NominationState.SUBMITTED)
    from_province = _nomination(tree.province, NominationState.SUBMITTED)
    assert deciding_unit(from_commune) == tree.d1
    assert policy.can(district, Action.NOMINATION_DECIDE, from_commune)
    assert not policy.can(province_reviewer, Action.NOMINATION_DECIDE, from_commune)
    assert policy.can(province_admin, Action.NOMINATION_DECIDE, from_commune)
    assert not policy.can(district, Action.NOMINATION_DECIDE, from_district)
    assert policy.can(province_reviewer, Action.NOMINATION_DECIDE, from_district)
    # The province's own: its admins (the Standing Committee), never a reviewer.
    assert policy.can(province_admin, Action.NOMINATION_DECIDE, from_province)
    assert not policy.can(province_reviewer, Action.NOMINATION_DECIDE, from_province)
    from_province.submitted_by_id = province_admin.id
    assert not policy.can(province_admin, Action.NOMINATION_DECIDE, from_province)


@pytest.mark.parametrize(
    "state", [NominationState.DRAFT, NominationState.APPROVED, NominationState.REJECTED]
)
def test_only_a_submitted_nomination_is_decided_and_only_a_draft_sent(db, tree, state):
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    nomination = _nomination(tree.c1, state, reject_reason="x")
    assert not policy.can(reviewer, Action.NOMINATION_DECIDE, nomination)
    expected = state == NominationState.DRAFT
    assert policy.can(editor, Action.NOMINATION_SUBMIT, nomination) is expected
    assert policy.can(editor, Action.NOMINATION_VIEW, nomination)


def test_an_organization_officer_does_not_propose_for_the_committee(db, tree):
    officer = factories.make_user(roles=[(Role.EDITOR, tree.c1, factories.make_organization())])
    assert not policy.can(officer, Action.NOMINATION_CREATE, _nomination(tree.c1))


def test_visible_evaluations_follow_the_scope(db, tree):
    from webapp.extensions import db as _db

    viewer = factories.make_user(roles=[(Role.VIEWER, tree.d1)])
    recorder = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    rows = []
    for unit in (tree.c1, tree.c3):
        evaluation = _evaluation(unit)
        evaluation.rating, evaluation.remarks = Rating.GOOD, "Tốt"
        evaluation.evaluated_by_id = recorder.id
        _db.session.add(evaluation)
        rows.append(evaluation)
    _db.session.flush()
    shown = _db_scalars(policy.visible(viewer, Action.EVALUATION_VIEW, sa.select(Evaluation)))
    assert shown == [rows[0]]


# The reports awaiting acceptance (/reports/queue): the same truth table through the page.


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_report_queue_lists_and_decides_only_what_is_routed_to_the_reviewer(
    app, db, tree, login_as, role, inside
):
    """A sent report of C1 waits for D1's reviewer: the queue opens for reviewers (403 for the
    rest), lists it inside only, and a decision from outside is refused."""
    report = _report(tree.c1, ReportState.SUBMITTED)
    db.session.commit()
    client, _ = login_as(role, tree.d1 if inside else tree.d2)
    response = client.get("/reports/queue")
    routed = role in ALLOWED_INSIDE[Action.REPORT_DECIDE]
    assert response.status_code == (200 if routed else 403)
    listed = f'href="/reports/{report.id}"' in response.get_data(as_text=True)
    assert listed is (routed and inside)
    if not inside:
        decided = client.post(f"/reports/{report.id}/accept", data={"version": report.version})
        assert decided.status_code == 403
        db.session.expire_all()
        assert db.session.get(ProgressReport, report.id).state == ReportState.SUBMITTED


def _with_colleague(tree, subject):
    """Another reviewer at D1, so D1 still reviews what the actor submitted."""
    factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    return subject


def _reviewed_entry(tree, state: EntryState, list_state: ListState) -> Entry:
    factories.make_user(roles=[(Role.REVIEWER, tree.d1)])  # D1 reviews C1
    return _entry(tree.c1, state, state=list_state)


# The verdict's two findings, which views turn into 403 (out of scope), 409 or the page as it
# stands (wrong state): (action, the actor's role and unit, the subject) → (in scope, in state,
# reason). The unit is in the tree fixture: D1 covers C1 and C2, not C3.
VERDICTS = [
    # An editor's list, sent meanwhile: theirs, but locked.
    (Action.LIST_EDIT, (Role.EDITOR, "d1"), lambda t, a: _list(t.c1, state=ListState.SUBMITTED),
     (True, False, "editable")),
    (Action.LIST_SUBMIT, (Role.EDITOR, "d1"), lambda t, a: _list(t.c1, state=ListState.APPROVED),
     (True, False, "editable")),
    (Action.ENTRY_EDIT, (Role.EDITOR, "d1"),
     lambda t, a: _entry(t.c1, EntryState.SUBMITTED, state=ListState.SUBMITTED),
     (True, False, "editable")),
    # Outside the scope, whatever the state: not theirs.
    (Action.LIST_EDIT, (Role.EDITOR, "d1"), lambda t, a: _list(t.c3, state=ListState.SUBMITTED),
     (False, False, policy.engine.NO_ROLE)),
    (Action.LIST_EDIT, (Role.VIEWER, "d1"), lambda t, a: _list(t.c1),
     (False, True, policy.engine.NO_ROLE)),
    # A reviewer of the reviewing unit, on an entry already decided.
    (Action.ENTRY_APPROVE, (Role.REVIEWER, "d1"),
     lambda t, a: _entry(t.c1, EntryState.APPROVED, state=ListState.APPROVED),
     (True, False, "submitted")),
    (Action.ENTRY_RETURN, (Role.REVIEWER, "d1"),
     lambda t, a: _entry(t.c1, EntryState.RETURNED, state=ListState.RETURNED),
     (True, False, "submitted")),
    (Action.ENTRY_REOPEN, (Role.REVIEWER, "d1"),
     lambda t, a: _entry(t.c1, EntryState.SUBMITTED, state=ListState.SUBMITTED),
     (True, False, "approved")),
    (Action.LIST_APPROVE, (Role.REVIEWER, "d1"),
     lambda t, a: _entry(t.c1, EntryState.APPROVED, state=ListState.APPROVED).registration_list,
     (True, False, "something to approve")),
    # Their own submission: out of scope, though it awaits a decision (with nobody else at D1,
    # no unit reviews it at all).
    (Action.ENTRY_APPROVE, (Role.REVIEWER, "d1"), lambda t, a: _submitted_entry(t.c1, a),
     (False, True, policy.engine.NO_UNIT)),
    (Action.ENTRY_APPROVE, (Role.REVIEWER, "d1"),
     lambda t, a: _with_colleague(t, _submitted_entry(t.c1, a)),
     (False, True, "reviewer of entry")),
    (Action.LIST_APPROVE, (Role.REVIEWER, "d1"),
     lambda t, a: _with_colleague(t, _submitted_entry(t.c1, a).registration_list),
     (False, True, "reviewer of list")),
    # A reviewer above the reviewing unit does not decide, but may reopen.
    (Action.ENTRY_APPROVE, (Role.REVIEWER, "province"),
     lambda t, a: _reviewed_entry(t, EntryState.SUBMITTED, ListState.SUBMITTED),
     (False, True, "reviewer of entry")),
    (Action.ENTRY_REOPEN, (Role.REVIEWER, "province"),
     lambda t, a: _reviewed_entry(t, EntryState.APPROVED, ListState.APPROVED),
     (True, True, "")),
    (Action.REPORT_EDIT, (Role.EDITOR, "d1"), lambda t, a: _report(t.c1, ReportState.SUBMITTED),
     (True, False, "editable")),
    (Action.REPORT_DECIDE, (Role.REVIEWER, "d1"), lambda t, a: _report(t.c1, ReportState.ACCEPTED),
     (True, False, "submitted")),
    (Action.REPORT_DECIDE, (Role.REVIEWER, "d1"),
     lambda t, a: _with_colleague(t, _report(t.c1, ReportState.SUBMITTED, submitted_by_id=a.id)),
     (False, True, "reviewer of report")),
    (Action.NOMINATION_SUBMIT, (Role.EDITOR, "c1"),
     lambda t, a: _nomination(t.c1, NominationState.SUBMITTED),
     (True, False, "draft")),
    (Action.NOMINATION_CREATE, (Role.EDITOR, "c3"), lambda t, a: _nomination(t.c1),
     (False, True, policy.engine.NO_ROLE)),
    (Action.NOMINATION_DECIDE, (Role.REVIEWER, "d1"), lambda t, a: _nomination(t.c1),
     (True, False, "submitted")),
    (Action.USER_ACTIVATE, (Role.ADMIN, "d1"), lambda t, a: _target_user(t.c1),
     (True, False, "inactive")),
    (Action.USER_DEACTIVATE, (Role.ADMIN, "d1"), lambda t, a: a,
     (False, True, "other user in reach")),
    (Action.PAGE_EDIT, (Role.PUBLISHER, "d1"), lambda t, a: _page(t.c1, PageState.ARCHIVED),
     (True, False, "not archived")),
    (Action.TRANSLATION_PUBLISH, (Role.TRANSLATOR, "d1"),
     lambda t, a: _translation(t.c1, state=PageState.DRAFT),
     (True, False, "page published")),
]  # fmt: skip


@pytest.mark.parametrize(("action", "spec", "make_subject", "expected"), VERDICTS)
def test_verdict_tells_wrong_state_from_out_of_scope(
    db, tree, action, spec, make_subject, expected
):
    role, unit = spec
    actor = factories.make_user(roles=[(role, getattr(tree, unit))])
    subject = make_subject(tree, actor)
    verdict = policy.check(actor, action, subject)
    assert (verdict.in_scope, verdict.in_state, verdict.reason) == expected
    assert verdict.allowed is policy.can(actor, action, subject)


def test_the_engine_imports_no_capability():
    """Every capability uses the policy, so the engine may use none of them: units and auth
    plug in through hooks, the rules are registered by create_app."""
    import ast
    from pathlib import Path

    allowed = {"webapp.extensions", "webapp.policy"}
    for path in Path(policy.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names
        }
        imported = {m for m in modules if m and m.split(".")[0] == "webapp"}
        assert {m for m in imported if not m.startswith(tuple(allowed))} == set(), path.name


def test_every_action_has_a_rule_registered_by_its_capability(app):
    assert set(policy.RULES) == set(Action)
    with pytest.raises(ValueError, match="already has another rule"):
        policy.register({Action.CAMPAIGN_VIEW: policy.Rule(policy.Audience.SIGNED_IN)})


@pytest.mark.parametrize(
    ("state", "handle", "answer"),
    [
        (OpinionState.RECEIVED, True, False),
        (OpinionState.ACCEPTED, True, True),
        (OpinionState.FORWARDED, False, True),
        (OpinionState.ANSWERED, False, True),  # corrected, or closed
        (OpinionState.CLOSED, False, False),
        (OpinionState.REJECTED, False, False),
        (OpinionState.MERGED, False, False),
    ],
)
def test_opinion_steps_follow_its_state(db, tree, state, handle, answer):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    opinion = _opinion(tree.c1, state)
    assert policy.can(editor, Action.OPINION_HANDLE, opinion) is handle
    assert policy.can(editor, Action.OPINION_ANSWER, opinion) is answer
    assert policy.can(editor, Action.OPINION_VIEW, opinion)


def test_opinions_are_recorded_for_communes_in_force_only(db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    assert policy.can(editor, Action.OPINION_RECORD, tree.c1)
    assert not policy.can(editor, Action.OPINION_RECORD, tree.d1)  # not a commune
    tree.c2.valid_to = date(2025, 6, 30)
    assert not policy.can(editor, Action.OPINION_RECORD, tree.c2)  # ended


def test_visible_opinions_are_those_of_the_scope(db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    mine, other = _opinion(tree.c1), _opinion(tree.c2)
    found = _db.session.scalars(policy.visible(editor, Action.OPINION_VIEW, sa.select(Opinion)))
    assert [o.id for o in found] == [mine.id]
    assert other.id


def test_a_provinces_answer_time_is_for_its_own_admins(db, tree):
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    district_admin = factories.make_user(roles=[(Role.ADMIN, tree.d1)])
    editor = factories.make_user(roles=[(Role.EDITOR, tree.province)])
    far = factories.make_unit("Tỉnh Khác", level=Level.PROVINCE)
    assert policy.can(admin, Action.OPINION_SET_DAYS, tree.province)
    assert not policy.can(admin, Action.OPINION_SET_DAYS, far)  # another province
    assert not policy.can(district_admin, Action.OPINION_SET_DAYS, tree.province)
    assert not policy.can(editor, Action.OPINION_SET_DAYS, tree.province)


def test_consolidated_lists_are_for_committee_units_in_force(db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    area = factories.make_unit("Thôn Nà Mò", level=Level.AREA, parent=tree.c1)
    for action in (Action.OPINION_EXPORT, Action.OPINION_DISPATCH):
        assert policy.can(editor, action, tree.d1) and policy.can(editor, action, tree.c1)
        assert not policy.can(editor, action, area)  # no committee of its own
        assert not policy.can(editor, action, tree.c3)  # another district's commune
