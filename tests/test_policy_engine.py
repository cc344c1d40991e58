"""The policy engine's own answers, beyond the truth table of tests/test_policy.py: how views
are refused (sign in, 403), the verdict for strangers, scope and its order, list filtering with
several narrowed assignments, who is routed work, the registry's checks, and the few rules
whose conditions the matrix's layouts never vary (units that did not exist in the year, an
unsaved list, one's own entry, the top unit). Each test here was written against a mutant that
the matrix let live (`make mutants MODULE=policy`)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, HTTPException

from tests import factories
from tests.test_policy import (
    _entry,
    _evaluation,
    _fund_period,
    _list,
    _nomination,
    _opinion,
    _report,
)
from webapp import policy
from webapp.auth.models import Role
from webapp.commendations.permissions import deciding_unit
from webapp.coverage.permissions import may_lead_joint_work
from webapp.fund.models import FundBook, PeriodState
from webapp.opinions.models import OpinionState
from webapp.opinions.permissions import province_of
from webapp.policy import Action, engine, rules
from webapp.registrations.models import EntryState, ListState, RegistrationList
from webapp.reports.models import LineStatus, ProgressLine
from webapp.showcase.models import EffectiveModel, ModelState
from webapp.showcase.permissions import has_progress
from webapp.units import permissions as units
from webapp.units.models import Kind, Level, Unit

VISITOR = AnonymousUserMixin()


def _refusal(call) -> HTTPException:
    with pytest.raises(HTTPException) as refused:
        call()
    return refused.value


def test_views_send_visitors_to_sign_in_and_refuse_others_with_403(app, db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c3)])
    draft = _list(tree.c1)
    with app.test_request_context("/registrations/lists/1"):
        for refuse in (policy.require, policy.require_in_scope):
            sent = _refusal(lambda r=refuse: r(VISITOR, Action.LIST_EDIT, draft))
            assert sent.response.status_code == 302
            assert "/login" in sent.response.headers["Location"]
            assert isinstance(
                _refusal(lambda r=refuse: r(editor, Action.LIST_EDIT, draft)), Forbidden
            )
        # Someone in scope passes, and learns whether the state allows it now.
        own = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
        policy.require(own, Action.LIST_EDIT, draft)
        assert policy.require_in_scope(own, Action.LIST_EDIT, draft).allowed
        assert policy.require_unless_moved_on(own, Action.LIST_EDIT, draft).allowed
        draft.state = ListState.SUBMITTED
        verdict = policy.require_unless_moved_on(own, Action.LIST_EDIT, draft)
        assert verdict.wrong_state and not verdict.allowed
        # Out of scope, an object in the state where the action applies is refused.
        draft.state = ListState.DRAFT
        refused = _refusal(lambda: policy.require_unless_moved_on(editor, Action.LIST_EDIT, draft))
        assert isinstance(refused, Forbidden)


def test_services_raise_denied_unless_allowed(db, tree):
    own = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    other = factories.make_user(roles=[(Role.EDITOR, tree.c3)])
    draft = _list(tree.c1)
    policy.ensure(own, Action.LIST_EDIT, draft)
    for who in (other, VISITOR):
        with pytest.raises(policy.Denied, match=r"^list\.edit$"):
            policy.ensure(who, Action.LIST_EDIT, draft)


def test_unit_for_is_the_unit_whose_roles_decide(db, tree):
    assert policy.unit_for(Action.LIST_EDIT, _list(tree.c1)) == tree.c1


def test_strangers_are_told_to_sign_in_whatever_the_state(db, tree):
    submitted = _list(tree.c1, state=ListState.SUBMITTED)
    verdict = policy.check(VISITOR, Action.LIST_EDIT, submitted)
    assert (verdict.allowed, verdict.in_state, verdict.reason) == (False, True, engine.SIGN_IN)
    assert verdict.out_of_scope and not verdict.wrong_state


def test_without_an_object_no_unit_can_be_judged(db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.province)])
    verdict = policy.check(editor, Action.LIST_EDIT, None)
    assert (verdict.allowed, verdict.reason) == (False, engine.NO_UNIT)
    assert policy.check(editor, Action.LIST_EDIT, _list(tree.c1)).reason == ""


def test_public_things_are_open_to_visitors_and_account_pages_to_the_signed_in(db, tree):
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    for who in (VISITOR, editor):
        assert policy.can_somewhere(who, Action.CAMPAIGN_VIEW)
        assert policy.can(who, Action.CAMPAIGN_VIEW)
    assert policy.can_somewhere(editor, Action.ACCOUNT_CHANGE_PASSWORD)
    assert not policy.can_somewhere(VISITOR, Action.ACCOUNT_CHANGE_PASSWORD)


def test_covers_asks_about_the_organization(db, tree):
    farmers, women = factories.make_organization(), factories.make_organization()
    officer = factories.make_user(roles=[(Role.REVIEWER, tree.d1, farmers)])
    assert policy.covers(officer, Action.LIST_APPROVE, tree.c1, farmers.id)
    assert not policy.covers(officer, Action.LIST_APPROVE, tree.c1, women.id)
    assert not policy.covers(officer, Action.LIST_APPROVE, tree.c3, farmers.id)


def test_scope_lists_each_unit_for_everyone_before_its_narrowed_pairs(db, tree):
    farmers = factories.make_organization()
    user = factories.make_user(
        roles=[(Role.EDITOR, tree.c1, farmers), (Role.EDITOR, tree.c1), (Role.EDITOR, tree.c3)]
    )
    assert policy.scope(user, Action.LIST_EDIT) == sorted(
        [(tree.c1.id, None), (tree.c1.id, farmers.id), (tree.c3.id, None)],
        key=lambda pair: (pair[0], pair[1] or 0),
    )
    assert policy.scope_roots(user, Action.LIST_EDIT) == sorted([tree.c1.id, tree.c3.id])
    assert policy.scope_roots(VISITOR, Action.LIST_EDIT) == []


def test_visible_with_several_narrowed_assignments(db, tree):
    """Each narrowed assignment adds its own subtree query to the one statement: each needs a
    name of its own."""
    farmers, women, youth = (factories.make_organization() for _ in range(3))
    officer = factories.make_user(
        roles=[(Role.EDITOR, tree.d1, farmers), (Role.EDITOR, tree.d2, women)]
    )
    shown = {_list(tree.c1, farmers).id, _list(tree.c3, women).id}
    hidden = {_list(tree.c1, women).id, _list(tree.c3, farmers).id, _list(tree.c2, youth).id}
    query = policy.visible(officer, Action.LIST_VIEW, sa.select(RegistrationList.id))
    found = set(db.session.scalars(query))
    assert found == shown and not found & hidden


def test_who_can_is_every_allowed_active_user_once_by_username(db, tree):
    # Made in the reverse of their usernames' order, each holding two qualifying roles.
    later = factories.make_user(
        username="z_reviewer", roles=[(Role.REVIEWER, tree.d1), (Role.REVIEWER, tree.province)]
    )
    earlier = factories.make_user(
        username="a_reviewer", roles=[(Role.REVIEWER, tree.d1), (Role.ADMIN, tree.d1)]
    )
    factories.make_user(username="m_inactive", roles=[(Role.REVIEWER, tree.d1)], is_active=False)
    factories.make_user(username="b_editor", roles=[(Role.EDITOR, tree.d1)])
    factories.make_user(username="c_elsewhere", roles=[(Role.REVIEWER, tree.d2)])
    entry = _entry(tree.c1, EntryState.SUBMITTED, state=ListState.SUBMITTED)
    assert policy.who_can(Action.LIST_APPROVE, entry.registration_list) == [earlier, later]


def test_role_holders_join_each_user_to_their_own_roles(db, tree):
    lonely = factories.make_user(username="a_lonely", home_unit=tree.c1)
    admin = factories.make_user(username="b_admin", roles=[(Role.ADMIN, tree.province)])
    holders = rules.HOOKS.role_holders(frozenset({Role.ADMIN}), [tree.province.id])
    assert holders == [admin] and lonely not in holders


def test_the_registry_names_a_missing_rule_and_refuses_unknown_hooks(app):
    with app.app_context():
        forgotten = (Action.USER_UNLOCK, Action.USER_MANAGE_SESSIONS)
        saved = {action: rules.RULES.pop(action) for action in forgotten}
        try:
            with pytest.raises(
                RuntimeError, match=r"^no rule registered for user\.unlock, user\.manage_sessions$"
            ):
                rules.ensure_complete()
        finally:
            rules.RULES.update(saved)
        rules.ensure_complete()
        with pytest.raises(TypeError, match="unknown policy hook 'top_units'"):
            rules.register_hooks(top_units=lambda: None)
        before = rules.HOOKS.top_unit
        try:
            rules.register_hooks(top_unit=lambda: "the top")
            assert rules.HOOKS.top_unit() == "the top"
        finally:
            rules.register_hooks(top_unit=before)


def _ended_commune(tree) -> Unit:
    return factories.make_unit(
        "Xã đã sáp nhập", parent=tree.d1, valid_from=date(2000, 1, 1), valid_to=date(2020, 1, 1)
    )


def test_no_evaluation_nor_nomination_for_a_unit_that_did_not_exist_that_year(db, tree):
    ended = _ended_commune(tree)
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.province)])
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    assert policy.can(reviewer, Action.EVALUATION_RECORD, _evaluation(tree.c1))
    assert not policy.can(reviewer, Action.EVALUATION_RECORD, _evaluation(ended))
    assert policy.can(admin, Action.NOMINATION_CREATE, _nomination(tree.c1))
    assert not policy.can(admin, Action.NOMINATION_CREATE, _nomination(ended))


def test_an_unsaved_list_is_judged_by_its_organization(db, tree):
    farmers, women = factories.make_organization(), factories.make_organization()
    officer = factories.make_user(roles=[(Role.EDITOR, tree.c1, farmers)])
    for organization, allowed in ((farmers, True), (women, False)):
        unsaved = RegistrationList(unit=tree.c1, organization=organization, year=2027)
        assert unsaved.organization_id is None  # not flushed: only the relationship is set
        assert policy.can(officer, Action.LIST_EDIT, unsaved) is allowed


def test_nobody_approves_an_entry_they_wrote(db, tree):
    both = factories.make_user(roles=[(Role.REVIEWER, tree.d1), (Role.EDITOR, tree.c1)])
    entry = _entry(tree.c1, EntryState.SUBMITTED, state=ListState.SUBMITTED)
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    assert policy.can(both, Action.ENTRY_APPROVE, entry)
    assert policy.can(both, Action.LIST_APPROVE, entry.registration_list)
    entry.created_by_id = both.id
    assert not policy.can(both, Action.ENTRY_APPROVE, entry)
    # Their own entry is the only one to approve: nothing on the list is theirs to approve.
    assert not policy.can(both, Action.LIST_APPROVE, entry.registration_list)
    assert policy.can(reviewer, Action.ENTRY_APPROVE, entry)


def test_joint_work_is_decided_for_the_lead_entry_organization(db, tree):
    farmers, women = factories.make_organization(), factories.make_organization()
    entry = _entry(tree.c1, EntryState.SUBMITTED, organization=farmers)
    assert may_lead_joint_work(
        factories.make_user(roles=[(Role.REVIEWER, tree.d1, farmers)]), entry
    )
    assert not may_lead_joint_work(
        factories.make_user(roles=[(Role.REVIEWER, tree.d1, women)]), entry
    )


def test_the_top_unit_is_the_current_root_and_stays_so_within_a_request(app, db, tree):
    # The tree's province has ended (merged): the root made after it is the top, not the old
    # province nor its districts, which still run and come first by id.
    tree.province.valid_to = date(2025, 7, 1)
    merged = factories.make_unit("Tỉnh mới", level=Level.PROVINCE, valid_from=date(2025, 7, 1))
    assert units.top_unit() == merged
    with app.test_request_context("/"):
        assert units.top_unit() == merged
        assert units.top_unit() == merged  # the second answer comes from the request


def test_a_nomination_goes_to_the_nearest_unit_above_that_still_exists(db, tree):
    assert deciding_unit(_nomination(tree.c1)) == tree.d1
    tree.d1.valid_to = date(2025, 7, 1)  # the 2025 reform: no district level any more
    assert deciding_unit(_nomination(tree.c2)) == tree.province


def test_only_units_above_residential_areas_hold_roles(db, tree):
    area = factories.make_unit("Thôn Nà Mò", level=Level.AREA, parent=tree.c1)
    assert units.can_hold_roles(None, tree.c1) and not units.can_hold_roles(None, area)


def test_only_the_units_own_treasurer_records_in_its_book(db, tree):
    """A role above the commune reaches its book but does not keep it: each level keeps its
    own."""
    book = _fund_period(tree.c1)
    assert policy.can(factories.make_user(roles=[(Role.EDITOR, tree.c1)]), Action.FUND_RECORD, book)
    for above in (Role.EDITOR, Role.ADMIN):
        district = factories.make_user(roles=[(above, tree.d1)])
        assert policy.check(district, Action.FUND_RECORD, book).reason == "own unit"
        assert not policy.can(district, Action.FUND_CLOSE, book)


def test_nobody_approves_a_year_they_closed(db, tree):
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    treasurer = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    closed = _fund_period(tree.c1, PeriodState.CLOSED)
    assert policy.can(reviewer, Action.FUND_APPROVE, closed)  # closed before anyone was recorded
    closed.closed_by_id = treasurer.id
    assert policy.can(reviewer, Action.FUND_APPROVE, closed)
    closed.closed_by_id = reviewer.id
    verdict = policy.check(reviewer, Action.FUND_APPROVE, closed)
    assert (verdict.allowed, verdict.reason) == (False, "not who closed")


def test_a_units_answer_time_is_set_by_the_admins_of_its_province(db, tree):
    assert [province_of(u) for u in (tree.c1, tree.d1, tree.province)] == [tree.province] * 3
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    assert policy.can(admin, Action.OPINION_SET_DAYS, tree.c1)
    assert not policy.can(
        factories.make_user(roles=[(Role.ADMIN, tree.d1)]), Action.OPINION_SET_DAYS, tree.c1
    )


def test_only_a_communes_editors_replicate_a_model(db, tree):
    assert policy.can(factories.make_user(roles=[(Role.EDITOR, tree.c1)]), Action.MODEL_REPLICATE)
    for role, unit in ((Role.VIEWER, tree.c1), (Role.REVIEWER, tree.c1), (Role.EDITOR, tree.d1)):
        assert not policy.can(factories.make_user(roles=[(role, unit)]), Action.MODEL_REPLICATE)


def test_the_unit_of_no_book_is_none(db, tree):
    assert policy.unit_for(Action.FUND_VIEW, None) is None
    book = FundBook(unit=tree.c1, balance=0, last_voucher=0)
    assert policy.unit_for(Action.FUND_VIEW, book) == tree.c1


def test_an_opinion_sent_up_is_handled_by_the_level_it_was_sent_to(db, tree):
    forwarded = _opinion(tree.c1, OpinionState.FORWARDED)
    forwarded.forwarded_to = tree.d1
    commune = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    district = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    assert policy.can(district, Action.OPINION_HANDLE, forwarded)
    verdict = policy.check(commune, Action.OPINION_HANDLE, forwarded)
    assert verdict.in_scope and verdict.wrong_state  # the commune handed it on
    answered = _opinion(tree.c1, OpinionState.ANSWERED)
    answered.forwarded_to = tree.d1
    assert not policy.can(district, Action.OPINION_HANDLE, answered)


def test_a_model_is_recognised_for_work_completed_or_at_least_half_done(db, tree):
    report = _report(tree.c1)

    def entry_with(status=None, percent=None, state=EntryState.APPROVED):
        entry = _entry(tree.c1, state, state=ListState.APPROVED)
        if status is not None:
            line = ProgressLine(report=report, entry=entry, status=status, percent_done=percent)
            db.session.add(line)
        return entry

    # Entries whose line says so, and one of each kind that does not (a line of another entry,
    # done, is present all along).
    entries = {
        "completed": entry_with(LineStatus.COMPLETED, 100),
        "half done": entry_with(LineStatus.IN_PROGRESS, 50),
        "just under half": entry_with(LineStatus.IN_PROGRESS, 49),
        "stopped when done": entry_with(LineStatus.STOPPED, 100),
        "not started": entry_with(LineStatus.NOT_STARTED, 0),
        "no line": entry_with(),
        "done, not approved": entry_with(LineStatus.COMPLETED, 100, EntryState.SUBMITTED),
    }
    db.session.flush()
    progressed = {name for name, entry in entries.items() if has_progress(entry)}
    assert progressed == {"completed", "half done", "done, not approved"}
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    recognisable = {
        name
        for name, entry in entries.items()
        if policy.can(reviewer, Action.MODEL_RECOGNISE, entry)
    }
    assert recognisable == {"completed", "half done"}


def test_a_withdrawn_model_is_shown_to_nobody(db, tree):
    model = EffectiveModel(
        entry=_entry(tree.c1, EntryState.APPROVED), year=2027, state=ModelState.RECOGNISED
    )
    assert policy.can(VISITOR, Action.MODEL_VIEW, model)
    assert policy.can(VISITOR, Action.MODEL_VIEW)  # the showcase of them all
    model.state = ModelState.WITHDRAWN
    assert not policy.can(VISITOR, Action.MODEL_VIEW, model)


def _large_district(db, tree) -> None:
    """More units below D1 than `subtree_ids` inlines: its subtree stays a CTE, whose name
    must be unique in the statement."""
    areas = [
        Unit(name=f"Thôn {n}", level=Level.AREA, kind=Kind.THON, parent=tree.c1) for n in range(100)
    ]
    db.session.add_all(areas)
    db.session.flush()


def test_visible_names_each_subtree_apart_in_large_trees(db, tree):
    _large_district(db, tree)
    farmers, women = factories.make_organization(), factories.make_organization()
    editor = factories.make_user(roles=[(Role.EDITOR, tree.d1)])
    ours, theirs = _list(tree.c1, farmers).id, _list(tree.c3, farmers).id
    # Two narrowings of one statement, as the home queue's open lists: each its own name.
    both = policy.visible(
        editor,
        Action.LIST_EDIT,
        policy.visible(editor, Action.LIST_VIEW, sa.select(RegistrationList.id)),
        cte_name="editable",
    )
    found = set(db.session.scalars(both))
    assert ours in found and theirs not in found
    # Two narrowed assignments on large subtrees: a subtree query each.
    officer = factories.make_user(
        roles=[(Role.EDITOR, tree.d1, farmers), (Role.EDITOR, tree.province, women)]
    )
    shown = {ours, _list(tree.c3, women).id}
    hidden = {theirs, _list(tree.c1).id}
    query = policy.visible(officer, Action.LIST_VIEW, sa.select(RegistrationList.id))
    found = set(db.session.scalars(query))
    assert shown <= found and not found & hidden
