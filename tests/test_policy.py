"""The policy as one truth table: role × scope (inside / outside) × action → allowed,
followed by the state conditions and list filtering."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from webapp import policy
from webapp.auth.models import Role, User
from webapp.policy import Action
from webapp.units.models import Level, Unit

EVERYONE = set(Role)
ADMIN = {Role.ADMIN}

# Who may act on an object inside their scope. Outside the scope nobody may, except where
# the action is public or about one's own account.
ALLOWED_INSIDE: dict[Action, set[Role]] = {
    Action.CAMPAIGN_VIEW: EVERYONE,
    Action.ACCOUNT_CHANGE_PASSWORD: EVERYONE,
    Action.UNIT_VIEW: EVERYONE,
    Action.UNIT_ADD_AREA: {Role.ADMIN, Role.EDITOR},
    Action.USER_VIEW: ADMIN,
    Action.USER_CREATE: ADMIN,
    Action.USER_DEACTIVATE: ADMIN,
    Action.USER_ACTIVATE: ADMIN,
    Action.USER_RESET_PASSWORD: ADMIN,
    Action.ROLE_GRANT: ADMIN,
    Action.ROLE_REVOKE: ADMIN,
}
ALLOWED_OUTSIDE = {Action.CAMPAIGN_VIEW: EVERYONE}
ALLOWED_ANONYMOUS = {Action.CAMPAIGN_VIEW}


def test_matrix_covers_every_action():
    assert set(ALLOWED_INSIDE) == set(Action)


def _target_user(unit: Unit, *, is_active: bool = True) -> User:
    return factories.make_user(roles=[(Role.EDITOR, unit)], home_unit=unit, is_active=is_active)


def _subject(action: Action, tree, actor: User, inside: bool):
    """An object of the kind the action works on, in (c1) or out of (c3) the actor's scope."""
    unit = tree.c1 if inside else tree.c3
    if action is Action.CAMPAIGN_VIEW:
        return None
    if action is Action.ACCOUNT_CHANGE_PASSWORD:
        return actor if inside else _target_user(tree.c3)
    if action in (Action.UNIT_VIEW, Action.UNIT_ADD_AREA, Action.USER_CREATE, Action.ROLE_GRANT):
        return unit
    if action is Action.USER_ACTIVATE:
        return _target_user(unit, is_active=False)
    if action is Action.ROLE_REVOKE:
        return _target_user(unit).roles[0]
    return _target_user(unit)


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_policy_matrix(db, tree, action, role, inside):
    actor = factories.make_user(roles=[(role, tree.d1)])  # scope: D1 with C1, C2
    subject = _subject(action, tree, actor, inside)
    expected = role in (ALLOWED_INSIDE if inside else ALLOWED_OUTSIDE).get(action, set())
    assert policy.can(actor, action, subject) is expected


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_anonymous_may_only_read_public_things(db, tree, action):
    from flask_login import AnonymousUserMixin

    subject = (
        _subject(action, tree, None, inside=True)
        if action not in (Action.ACCOUNT_CHANGE_PASSWORD,)
        else None
    )
    assert policy.can(AnonymousUserMixin(), action, subject) is (action in ALLOWED_ANONYMOUS)


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
    for action in (Action.USER_RESET_PASSWORD, Action.USER_DEACTIVATE):
        assert not policy.can(district_admin, action, province_admin)
    province_admin.is_active = False
    assert not policy.can(district_admin, Action.USER_ACTIVATE, province_admin)
    assert not policy.can(district_admin, Action.ROLE_REVOKE, province_admin.roles[0])


def test_organization_officer_may_browse_the_units_of_their_scope(db, tree):
    organization = factories.make_organization()
    officer = factories.make_user(roles=[(Role.EDITOR, tree.d1, organization)])
    assert policy.can(officer, Action.UNIT_VIEW, tree.c1)
    assert not policy.can(officer, Action.UNIT_VIEW, tree.c3)
    assert policy.can_somewhere(officer, Action.UNIT_VIEW)
    assert not policy.can_somewhere(officer, Action.UNIT_ADD_AREA)
