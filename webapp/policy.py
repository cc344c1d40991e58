"""The only place that answers "may this user do this to this object?".

Each Action has one Rule: who may act (public, any signed-in user, or holders of some roles),
the unit the object belongs to (a role on a unit covers its subtree), the organization it
belongs to (an assignment narrowed to an organization covers only that organization's objects),
the language it is written in (an assignment narrowed to a language, as translators' are,
covers only objects in that language), and a state condition. `can` and `require` judge one
object, `visible` filters list queries with the same scope, `who_can` finds the people to
notify.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, g, has_request_context
from sqlalchemy.sql import Select

from webapp.audit.models import AuditEvent
from webapp.auth.models import Role, RoleAssignment, User
from webapp.commendations.models import Evaluation, Nomination, NominationState
from webapp.db import local_today, utcnow
from webapp.extensions import db, login_manager
from webapp.pages.models import ORIGINAL_LANGUAGE, Page, PageState, PageTranslation
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.reports.models import ProgressReport, ReportState
from webapp.units.models import AREA_KINDS, Level, Unit
from webapp.units.queries import active_on, prime_successors, subtree_ids, valid_in_year


class Action(enum.StrEnum):
    CAMPAIGN_VIEW = "campaign.view"
    ACCOUNT_CHANGE_PASSWORD = "account.change_password"
    UNIT_VIEW = "unit.view"
    UNIT_ADD_AREA = "unit.add_area"
    UNIT_REORGANIZE = "unit.reorganize"
    USER_VIEW = "user.view"
    USER_CREATE = "user.create"
    USER_DEACTIVATE = "user.deactivate"
    USER_ACTIVATE = "user.activate"
    USER_RESET_PASSWORD = "user.reset_password"
    ROLE_GRANT = "role.grant"
    ROLE_REVOKE = "role.revoke"
    CAMPAIGN_CONFIGURE = "campaign.configure"
    LIST_VIEW = "list.view"
    LIST_EDIT = "list.edit"
    LIST_SUBMIT = "list.submit"
    ENTRY_EDIT = "entry.edit"
    ENTRY_APPROVE = "entry.approve"
    ENTRY_RETURN = "entry.return"
    ENTRY_REOPEN = "entry.reopen"
    LIST_APPROVE = "list.approve"
    AUDIT_VIEW = "audit.view"
    PAGE_VIEW = "page.view"
    PAGE_EDIT = "page.edit"
    PAGE_PUBLISH = "page.publish"
    ATTACHMENT_UPLOAD = "attachment.upload"
    PAGE_TRANSLATE = "page.translate"
    TRANSLATION_PUBLISH = "translation.publish"
    ACCOUNT_SET_LANGUAGE = "account.set_language"
    TRANSLATION_STATUS = "translation.status"
    INTERFACE_TRANSLATE = "interface.translate"
    INTERFACE_EXPORT = "interface.export"
    COVERAGE_VIEW = "coverage.view"
    UNIT_SET_NEW_RURAL = "unit.set_new_rural"
    REPORT_VIEW = "report.view"
    REPORT_EDIT = "report.edit"
    REPORT_SUBMIT = "report.submit"
    REPORT_DECIDE = "report.decide"  # accept, or return with a reason
    REPORT_ROLLUP = "report.rollup"  # a unit's consolidated report and completeness
    REQUIREMENT_MANAGE = "requirement.manage"  # add, change, retire the campaign's rules
    REPORT_FIGURE_MANAGE = "report_figure.manage"  # add, rename, reorder, retire report figures
    OVERLAP_VIEW = "overlap.view"  # likely duplicates among a unit's communes' entries
    OVERLAP_DECIDE = "overlap.decide"  # "not a duplicate" or "joint work", on a commune's pairs
    EVALUATION_VIEW = "evaluation.view"
    EVALUATION_RECORD = "evaluation.record"  # the year's rating and remarks, by the level above
    NOMINATION_VIEW = "nomination.view"
    NOMINATION_CREATE = "nomination.create"
    NOMINATION_SUBMIT = "nomination.submit"
    NOMINATION_DECIDE = "nomination.decide"  # approve, or reject with a reason
    COMMENDATION_VIEW = "commendation.view"  # the public list of approved commendations


class Audience(enum.Enum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    ROLES = "roles"


def _always(user: Any, obj: Any) -> bool:
    return True


def _no_unit(obj: Any) -> Unit | None:
    return None


def _no_organization(obj: Any) -> int | None:
    return None


def _no_language(obj: Any) -> str | None:
    return None


@dataclass(frozen=True)
class Rule:
    audience: Audience
    roles: frozenset[Role] = frozenset()
    unit_of: Callable[[Any], Unit | None] = _no_unit
    organization_of: Callable[[Any], int | None] = _no_organization
    # The language the object is written in, when assignments narrowed to a language count.
    language_of: Callable[[Any], str | None] = _no_language
    # The state condition ("only active users can be deactivated").
    check: Callable[[Any, Any], bool] = _always
    # For `visible`: the column holding the unit id of the listed rows.
    unit_column: Callable[[], Any] | None = None
    # For `visible`, when the objects belong to organizations: the column holding it, so an
    # assignment narrowed to an organization shows that organization's rows.
    organization_column: Callable[[], Any] | None = None
    # Whether assignments narrowed to an organization count for objects that belong to no
    # organization (an organization's officer may still browse the units of their scope).
    narrowed_ok: bool = False


# Named predicates and object → unit accessors.


def _unit_itself(unit: Unit) -> Unit:
    return unit


def _home_unit(user: User) -> Unit:
    return user.home_unit


def _assignment_unit(assignment: RoleAssignment) -> Unit:
    return assignment.unit


def _is_self(user: User, obj: User) -> bool:
    return obj is not None and obj.id == user.id


def _is_current_commune(user: User, unit: Unit) -> bool:
    return unit.level == Level.COMMUNE and unit.valid_to is None


def _can_hold_roles(user: User, unit: Unit) -> bool:
    return unit.level != Level.AREA and unit.kind not in AREA_KINDS


def _other_active_user(user: User, target: User) -> bool:
    return target.id != user.id and target.is_active


def _inactive_user_in_reach(user: User, target: User) -> bool:
    return not target.is_active and _holds_no_role_beyond(user, target)


def _holds_no_role_beyond(user: User, target: User) -> bool:
    """Every role of the target lies within the actor's admin scope: a district admin must not
    take over (reset, deactivate) a province admin whose home is a commune of the district."""
    return all(_covers(user, RULES[Action.ROLE_GRANT], a.unit, None) for a in target.roles)


def _other_user_in_reach(user: User, target: User) -> bool:
    return _other_active_user(user, target) and _holds_no_role_beyond(user, target)


def _not_own_assignment(user: User, assignment: RoleAssignment) -> bool:
    return assignment.user_id != user.id


# What the top unit's configuration actions are asked about when there is no one object.
_WHOLE_CAMPAIGN = object()


def _top_unit(obj: Any) -> Unit | None:
    """The campaign configuration belongs to the top of the tree: only its admins change it.
    Looked up once a request (the menu asks about it on every page)."""
    if has_request_context() and "top_unit" in g:
        return g.top_unit
    unit = db.session.scalar(
        sa.select(Unit).where(Unit.parent_id.is_(None), active_on(local_today())).order_by(Unit.id)
    )
    if has_request_context():
        g.top_unit = unit
    return unit


def _list_unit(registration_list: RegistrationList) -> Unit:
    return registration_list.unit


def _list_organization(registration_list: RegistrationList) -> int | None:
    # An unsaved list (asked about before it is started) has its organization but no id yet.
    organization = registration_list.organization
    return organization.id if organization is not None else registration_list.organization_id


def _entry_unit(entry: Entry) -> Unit:
    return entry.registration_list.unit


def _entry_organization(entry: Entry) -> int | None:
    return entry.registration_list.organization_id


def _list_open(user: User, registration_list: RegistrationList) -> bool:
    """Draft or returned, and made for a unit that existed in the list's year (on the day
    whose structure the year uses)."""
    return registration_list.is_editable and valid_in_year(
        registration_list.unit, registration_list.year
    )


def _entry_open(user: User, entry: Entry) -> bool:
    return entry.is_editable and _list_open(user, entry.registration_list)


def reviewing_unit(
    unit: Unit,
    organization_id: int | None = None,
    memo: dict | None = None,
    *,
    excluded_user_id: int | None = None,
) -> Unit | None:
    """Who reviews items of `unit`: the nearest unit above it where an active user holds the
    reviewer role (for this organization, or for all), passing over one who may not decide
    here (the submitter); the top unit reviews its own. A district before the 2025 reform,
    the province after it; never a fixed level. Units that still exist come first: an item of
    a commune that ended goes to its successors' reviewer (the new province) before one left
    on its ended district. `memo` spares queries over many items."""
    above = _chain_above(unit, utcnow().date())
    key = (unit.id, organization_id, excluded_user_id)
    if memo is None and has_request_context():
        memo = g.setdefault("reviewing_units", {})  # one request, one answer per unit
    if memo is None or key not in memo:
        holders = _reviewer_units([u.id for u in above], organization_id, excluded_user_id)
        found = next((u for u in above if u.id in holders), None)
        if memo is None:
            return found
        memo[key] = found
    return memo[key]


def _reviewer_units(
    unit_ids: list[int], organization_id: int | None, excluded_user_id: int | None
) -> set[int]:
    """Of these units, those where an active user (not the excluded one) holds the reviewer
    role for this organization or for all."""
    return set(
        db.session.scalars(
            sa.select(RoleAssignment.unit_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                User.is_active,
                User.id != (excluded_user_id or 0),
                RoleAssignment.role == Role.REVIEWER,
                RoleAssignment.unit_id.in_(unit_ids),
                sa.or_(
                    RoleAssignment.organization_id.is_(None),
                    RoleAssignment.organization_id == organization_id,
                ),
            )
        )
    )


def _chain_above(unit: Unit, today) -> list[Unit]:
    """The units that may review `unit`, nearest first, those still in existence before those
    that ended."""
    return sorted(unit.covering_units()[1:] or [unit], key=lambda u: u.has_ended(today))


def prime_reviewing_units(
    units: list[Unit], lists: Iterable[RegistrationList] = (), memo: dict | None = None
) -> None:
    """Answer `reviewing_unit(unit)` (for every organization) for many units at once, and who
    reviews each of these lists, in one query, for pages that judge many items in one
    request. Into `memo`, or else the request's."""
    keys = {(unit, None, None) for unit in units} | {
        (rl.unit, _list_organization(rl), rl.submitted_by_id) for rl in lists
    }
    if memo is None:
        if not has_request_context():
            return
        memo = g.setdefault("reviewing_units", {})
    if not keys:
        return
    prime_successors(unit for unit, _, _ in keys)
    today = utcnow().date()
    chains = {unit.id: _chain_above(unit, today) for unit, _, _ in keys}
    holders = db.session.execute(
        sa.select(RoleAssignment.unit_id, RoleAssignment.organization_id, User.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            User.is_active,
            RoleAssignment.role == Role.REVIEWER,
            RoleAssignment.unit_id.in_(sorted({u.id for c in chains.values() for u in c})),
        )
    ).all()
    for unit, organization_id, excluded_user_id in keys:
        here = {
            unit_id
            for unit_id, for_organization, user_id in holders
            if user_id != excluded_user_id and for_organization in (None, organization_id)
        }
        memo[(unit.id, organization_id, excluded_user_id)] = next(
            (u for u in chains[unit.id] if u.id in here), None
        )


def _list_reviewing_unit(registration_list: RegistrationList) -> Unit | None:
    return reviewing_unit(
        registration_list.unit,
        _list_organization(registration_list),
        excluded_user_id=registration_list.submitted_by_id,
    )


def _entry_reviewing_unit(entry: Entry) -> Unit | None:
    return _list_reviewing_unit(entry.registration_list)


def _overlap_reviewing_unit(commune: Unit) -> Unit:
    """Overlaps span organizations: the unit whose reviewers (for every organization) review
    the commune's items decides on them, or the commune itself when nobody reviews above."""
    return reviewing_unit(commune) or commune


def may_lead_joint_work(user: Any, entry: Entry) -> bool:
    """Joint work adds the other entry's organization to the lead entry as a partner: only
    those who decide on the lead entry's list (reviewers of its reviewing unit, or admins
    there or above) may have a decision change it."""
    if not _signed_in(user):
        return False
    registration_list = entry.registration_list
    unit = _list_reviewing_unit(registration_list) or registration_list.unit
    return _covers(user, RULES[Action.OVERLAP_DECIDE], unit, registration_list.organization_id)


def _not_own_submission(user: User, registration_list: RegistrationList) -> bool:
    """Nobody decides on what they submitted themselves."""
    return registration_list.submitted_by_id != user.id


def _reviews_here(
    user: User, registration_list: RegistrationList, memo: dict | None = None
) -> bool:
    """The user is a reviewer of the reviewing unit itself, not merely above it."""
    unit = reviewing_unit(
        registration_list.unit,
        _list_organization(registration_list),
        memo=memo,
        excluded_user_id=registration_list.submitted_by_id,
    )
    organization_id = registration_list.organization_id
    return unit is not None and any(
        a.role == Role.REVIEWER
        and a.unit_id == unit.id
        and a.organization_id in (None, organization_id)
        for a in user.roles
    )


def routed_to(user: Any, registration_list: RegistrationList, memo: dict | None = None) -> bool:
    """Whether the list's review falls to this user (for worklists; decisions ask `can`)."""
    return (
        _signed_in(user)
        and _not_own_submission(user, registration_list)
        and _reviews_here(user, registration_list, memo)
    )


def routed_among(user: Any, items: Iterable) -> list:
    """Of these lists or reports (their units loaded), those whose review falls to the user:
    a fixed number of queries however many units and submitters they span."""
    items = list(items)
    memo: dict = {}
    prime_reviewing_units([], items, memo)
    return [item for item in items if routed_to(user, item, memo)]


def in_review_chain(user: Any, action: Action, obj: Entry | RegistrationList) -> bool:
    """Whether the user is the one to take this decision on the item whenever it is in the
    right state: a reviewer of its reviewing unit (or above it, to reopen), not the submitter.
    Lets views tell "not yours" (403) from "already decided" (show it as it stands)."""
    registration_list = obj if isinstance(obj, RegistrationList) else obj.registration_list
    if not _signed_in(user) or not _not_own_submission(user, registration_list):
        return False
    if isinstance(obj, Entry) and obj.authored_by(user.id):
        return False
    if action is Action.ENTRY_REOPEN:
        unit = _list_reviewing_unit(registration_list)
        return unit is not None and _covers(
            user, RULES[action], unit, registration_list.organization_id
        )
    return _reviews_here(user, registration_list)


def _not_own_work(user: User, entry: Entry) -> bool:
    """Nobody decides on an entry they wrote, last changed or submitted, nor on a list they
    submitted."""
    return not entry.authored_by(user.id) and _not_own_submission(user, entry.registration_list)


def _may_decide(user: User, entry: Entry) -> bool:
    return (
        entry.state == EntryState.SUBMITTED
        and _not_own_work(user, entry)
        and _reviews_here(user, entry.registration_list)
    )


def _may_approve_list(user: User, registration_list: RegistrationList) -> bool:
    return _reviews_here(user, registration_list) and any(
        e.state == EntryState.SUBMITTED and _not_own_work(user, e)
        for e in registration_list.entries
    )


def _may_reopen(user: User, entry: Entry) -> bool:
    """Approved entries are locked; the reviewer, or one above, may unlock one."""
    return entry.state == EntryState.APPROVED and _not_own_work(user, entry)


# Progress reports go up the same chain as lists: they carry the same unit, organization and
# submitter, so the list predicates judge them too.


def _report_open(user: User, report: ProgressReport) -> bool:
    """Draft or returned, for a unit that existed in the report's year."""
    return report.is_editable and valid_in_year(report.unit, report.year)


def _may_decide_report(user: User, report: ProgressReport) -> bool:
    return (
        report.state == ReportState.SUBMITTED
        and _not_own_submission(user, report)
        and _reviews_here(user, report)
    )


def _report_unit_column():
    return ProgressReport.unit_id


def _report_organization_column():
    return ProgressReport.organization_id


# Evaluations are recorded by the level above the evaluated unit (the province for districts
# and, where no district does it, communes; a district for its communes): reviewers and
# admins there or above. Nobody rates their own unit.


def _evaluation_unit(evaluation: Evaluation) -> Unit:
    return evaluation.unit


def _evaluation_organization(evaluation: Evaluation) -> int | None:
    return evaluation.organization_id


def _unit_above(evaluation: Evaluation) -> Unit | None:
    return evaluation.unit.parent


def _evaluable(user: User, evaluation: Evaluation) -> bool:
    """Units that existed in the year, above the residential areas."""
    unit = evaluation.unit
    return unit.level in (Level.DISTRICT, Level.COMMUNE) and valid_in_year(unit, evaluation.year)


def _evaluation_unit_column():
    return Evaluation.unit_id


def _evaluation_organization_column():
    return Evaluation.organization_id


# Nominations are the proposing unit's committee's (editors and admins, not organization
# officers); the level above decides: the nearest unit above still in force, where a
# reviewer of the unit itself or an admin on it or above decides. The top unit's own
# nominations are decided by its admins (the Standing Committee), never by the proposer.


def _proposing_unit(nomination: Nomination) -> Unit:
    return nomination.proposing_unit


def deciding_unit(nomination: Nomination) -> Unit:
    unit = nomination.proposing_unit
    today = utcnow().date()
    above = sorted(unit.covering_units()[1:], key=lambda u: u.has_ended(today))
    return above[0] if above else unit


def _nomination_open(user: User, nomination: Nomination) -> bool:
    unit = nomination.proposing_unit
    return (
        nomination.state == NominationState.DRAFT
        and unit.level != Level.AREA
        and valid_in_year(unit, nomination.year)
    )


def _may_decide_nomination(user: User, nomination: Nomination) -> bool:
    if nomination.state != NominationState.SUBMITTED or user.id in (
        nomination.submitted_by_id,
        nomination.proposed_by_id,
    ):
        return False
    unit = deciding_unit(nomination)
    top = unit is nomination.proposing_unit
    covering = {u.id for u in unit.covering_units()}
    return any(
        a.organization_id is None
        and (
            (a.role == Role.ADMIN and a.unit_id in covering)
            or (a.role == Role.REVIEWER and not top and a.unit_id == unit.id)
        )
        for a in user.roles
    )


def _nomination_unit_column():
    return Nomination.proposing_unit_id


def _page_unit(page: Page) -> Unit | None:
    return page.unit


def _page_editable(user: User, page: Page) -> bool:
    return page.state != PageState.ARCHIVED


def _page_readable(user: Any, page: Page) -> bool:
    """Published pages under published sections are public; the rest only for publishers."""
    public = all(p.state == PageState.PUBLISHED for p in page.ancestors())
    return public or can(user, Action.PAGE_PUBLISH, page)


def _page_unit_column():
    return Page.unit_id


def _translation_unit(translation: PageTranslation) -> Unit | None:
    return translation.page.unit


def _translation_language(translation: PageTranslation) -> str:
    return translation.language


def _translatable(user: User, translation: PageTranslation) -> bool:
    """Not the original itself, and not an archived page."""
    return (
        translation.language != ORIGINAL_LANGUAGE and translation.page.state != PageState.ARCHIVED
    )


def _translation_publishable(user: User, translation: PageTranslation) -> bool:
    """Translations of published pages only: a draft page is not read in any language."""
    return (
        translation.language != ORIGINAL_LANGUAGE and translation.page.state == PageState.PUBLISHED
    )


def _event_unit(event: AuditEvent) -> Unit | None:
    # Events about no unit (campaign settings) belong to the top of the tree.
    return db.session.get(Unit, event.unit_id) if event.unit_id else _top_unit(event)


def _language_code(language: Any) -> str:
    return language.code


def _event_unit_column():
    return AuditEvent.unit_id


def _unit_id_column():
    return Unit.id


def _list_unit_column():
    return RegistrationList.unit_id


def _list_organization_column():
    return RegistrationList.organization_id


def _home_unit_column():
    return User.home_unit_id


ADMIN = frozenset({Role.ADMIN})
EDITOR = frozenset({Role.EDITOR})
EVERY_ROLE = frozenset(Role)
# Who reads registrations: the committees that make, review, manage or watch them.
LIST_READERS = frozenset({Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER})
REVIEWER = frozenset({Role.REVIEWER})
# Guidance is published by publishers; a province admin may publish too (DESIGN §4).
PUBLISHERS = frozenset({Role.PUBLISHER, Role.ADMIN})
EVALUATORS = frozenset({Role.REVIEWER, Role.ADMIN})
PROPOSERS = frozenset({Role.EDITOR, Role.ADMIN})
# Translations: translators in their language, and those who publish the originals.
TRANSLATORS = frozenset({Role.TRANSLATOR, Role.PUBLISHER, Role.ADMIN})

RULES: dict[Action, Rule] = {
    Action.CAMPAIGN_VIEW: Rule(Audience.PUBLIC),
    Action.ACCOUNT_CHANGE_PASSWORD: Rule(Audience.SIGNED_IN, check=_is_self),
    Action.UNIT_VIEW: Rule(
        Audience.ROLES, EVERY_ROLE, _unit_itself, unit_column=_unit_id_column, narrowed_ok=True
    ),
    Action.UNIT_ADD_AREA: Rule(
        Audience.ROLES,
        frozenset({Role.ADMIN, Role.EDITOR}),
        _unit_itself,
        check=_is_current_commune,
    ),
    # Applying a reorganization of a subtree and moving the roles held on its ended units.
    Action.UNIT_REORGANIZE: Rule(Audience.ROLES, ADMIN, _unit_itself),
    Action.USER_VIEW: Rule(Audience.ROLES, ADMIN, _home_unit, unit_column=_home_unit_column),
    Action.USER_CREATE: Rule(Audience.ROLES, ADMIN, _unit_itself, check=_can_hold_roles),
    Action.USER_DEACTIVATE: Rule(Audience.ROLES, ADMIN, _home_unit, check=_other_user_in_reach),
    Action.USER_ACTIVATE: Rule(Audience.ROLES, ADMIN, _home_unit, check=_inactive_user_in_reach),
    Action.USER_RESET_PASSWORD: Rule(Audience.ROLES, ADMIN, _home_unit, check=_other_user_in_reach),
    Action.ROLE_GRANT: Rule(Audience.ROLES, ADMIN, _unit_itself, check=_can_hold_roles),
    Action.ROLE_REVOKE: Rule(Audience.ROLES, ADMIN, _assignment_unit, check=_not_own_assignment),
    Action.CAMPAIGN_CONFIGURE: Rule(Audience.ROLES, ADMIN, _top_unit),
    # The rules and the report figures hold for the whole campaign: the top unit's admins.
    Action.REQUIREMENT_MANAGE: Rule(Audience.ROLES, ADMIN, _top_unit),
    Action.REPORT_FIGURE_MANAGE: Rule(Audience.ROLES, ADMIN, _top_unit),
    Action.LIST_VIEW: Rule(
        Audience.ROLES,
        LIST_READERS,
        _list_unit,
        _list_organization,
        unit_column=_list_unit_column,
        organization_column=_list_organization_column,
    ),
    Action.LIST_EDIT: Rule(
        Audience.ROLES,
        EDITOR,
        _list_unit,
        _list_organization,
        check=_list_open,
        unit_column=_list_unit_column,
        organization_column=_list_organization_column,
    ),
    Action.LIST_SUBMIT: Rule(
        Audience.ROLES, EDITOR, _list_unit, _list_organization, check=_list_open
    ),
    Action.ENTRY_EDIT: Rule(
        Audience.ROLES, EDITOR, _entry_unit, _entry_organization, check=_entry_open
    ),
    # Decisions belong to the reviewing unit (the nearest above with a reviewer).
    Action.ENTRY_APPROVE: Rule(
        Audience.ROLES,
        REVIEWER,
        _entry_reviewing_unit,
        _entry_organization,
        check=_may_decide,
        unit_column=_list_unit_column,
        organization_column=_list_organization_column,
    ),
    Action.ENTRY_RETURN: Rule(
        Audience.ROLES, REVIEWER, _entry_reviewing_unit, _entry_organization, check=_may_decide
    ),
    Action.LIST_APPROVE: Rule(
        Audience.ROLES,
        REVIEWER,
        _list_reviewing_unit,
        _list_organization,
        check=_may_approve_list,
    ),
    Action.ENTRY_REOPEN: Rule(
        Audience.ROLES, REVIEWER, _entry_reviewing_unit, _entry_organization, check=_may_reopen
    ),
    Action.AUDIT_VIEW: Rule(Audience.ROLES, ADMIN, _event_unit, unit_column=_event_unit_column),
    Action.PAGE_VIEW: Rule(Audience.PUBLIC, check=_page_readable),
    Action.PAGE_EDIT: Rule(
        Audience.ROLES,
        PUBLISHERS,
        _page_unit,
        check=_page_editable,
        unit_column=_page_unit_column,
    ),
    Action.PAGE_PUBLISH: Rule(
        Audience.ROLES, PUBLISHERS, _page_unit, unit_column=_page_unit_column
    ),
    Action.ATTACHMENT_UPLOAD: Rule(Audience.ROLES, PUBLISHERS, _page_unit, check=_page_editable),
    Action.PAGE_TRANSLATE: Rule(
        Audience.ROLES,
        TRANSLATORS,
        _translation_unit,
        language_of=_translation_language,
        check=_translatable,
        unit_column=_page_unit_column,
    ),
    # Translators put their own language's translations online (and take them back); the
    # page itself stays the publishers' to publish.
    Action.TRANSLATION_PUBLISH: Rule(
        Audience.ROLES,
        TRANSLATORS,
        _translation_unit,
        language_of=_translation_language,
        check=_translation_publishable,
    ),
    Action.ACCOUNT_SET_LANGUAGE: Rule(Audience.SIGNED_IN, check=_is_self),
    Action.TRANSLATION_STATUS: Rule(Audience.PUBLIC),
    # Interface strings serve the whole site: translators of the language on the top unit, or
    # its admins.
    Action.INTERFACE_TRANSLATE: Rule(
        Audience.ROLES,
        frozenset({Role.TRANSLATOR, Role.ADMIN}),
        _top_unit,
        language_of=_language_code,
    ),
    Action.INTERFACE_EXPORT: Rule(Audience.ROLES, ADMIN, _top_unit),
    # Coverage counts every organization's entries: assignments narrowed to one do not reach it.
    # Which communes are recognised new-rural in a year decides where the cooperative rule applies.
    Action.UNIT_SET_NEW_RURAL: Rule(Audience.ROLES, ADMIN, _unit_itself, check=_is_current_commune),
    Action.COVERAGE_VIEW: Rule(
        Audience.ROLES, LIST_READERS, _unit_itself, unit_column=_unit_id_column
    ),
    # Likely duplicates: read by those who read coverage; decided by the reviewers of the
    # commune's reviewing unit and by admins there or above. Assignments narrowed to one
    # organization reach neither: a pair spans organizations.
    Action.OVERLAP_VIEW: Rule(
        Audience.ROLES, LIST_READERS, _unit_itself, unit_column=_unit_id_column
    ),
    Action.OVERLAP_DECIDE: Rule(
        Audience.ROLES, frozenset({Role.REVIEWER, Role.ADMIN}), _overlap_reviewing_unit
    ),
    Action.REPORT_VIEW: Rule(
        Audience.ROLES,
        LIST_READERS,
        _list_unit,
        _list_organization,
        unit_column=_report_unit_column,
        organization_column=_report_organization_column,
    ),
    Action.REPORT_EDIT: Rule(
        Audience.ROLES,
        EDITOR,
        _list_unit,
        _list_organization,
        check=_report_open,
        unit_column=_report_unit_column,
        organization_column=_report_organization_column,
    ),
    Action.REPORT_SUBMIT: Rule(
        Audience.ROLES, EDITOR, _list_unit, _list_organization, check=_report_open
    ),
    # Decided by the reviewing unit of the report's unit and organization, as lists are.
    Action.REPORT_DECIDE: Rule(
        Audience.ROLES,
        REVIEWER,
        _list_reviewing_unit,
        _list_organization,
        check=_may_decide_report,
        unit_column=_report_unit_column,
        organization_column=_report_organization_column,
    ),
    # The consolidated figures and the completeness of a unit's subtree: whoever reads reports
    # there. An officer narrowed to an organization opens it too; the figures are then filtered
    # with REPORT_VIEW, so they see their organization's reports only.
    Action.REPORT_ROLLUP: Rule(
        Audience.ROLES, LIST_READERS, _unit_itself, unit_column=_unit_id_column, narrowed_ok=True
    ),
    Action.EVALUATION_VIEW: Rule(
        Audience.ROLES,
        LIST_READERS,
        _evaluation_unit,
        _evaluation_organization,
        unit_column=_evaluation_unit_column,
        organization_column=_evaluation_organization_column,
    ),
    Action.EVALUATION_RECORD: Rule(
        Audience.ROLES, EVALUATORS, _unit_above, _evaluation_organization, check=_evaluable
    ),
    Action.NOMINATION_VIEW: Rule(
        Audience.ROLES, LIST_READERS, _proposing_unit, unit_column=_nomination_unit_column
    ),
    Action.NOMINATION_CREATE: Rule(
        Audience.ROLES, PROPOSERS, _proposing_unit, check=_nomination_open
    ),
    Action.NOMINATION_SUBMIT: Rule(
        Audience.ROLES, PROPOSERS, _proposing_unit, check=_nomination_open
    ),
    Action.NOMINATION_DECIDE: Rule(
        Audience.ROLES,
        EVALUATORS,
        deciding_unit,
        check=_may_decide_nomination,
        unit_column=_nomination_unit_column,
    ),
    Action.COMMENDATION_VIEW: Rule(Audience.PUBLIC),
}


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _qualifying(user: User, rule: Rule, language: str | None = None) -> list[RoleAssignment]:
    """The user's assignments of the rule's roles; for rules about objects in a language, those
    for every language and those narrowed to `language`."""
    return [
        a
        for a in user.roles
        if a.role in rule.roles
        and (rule.language_of is _no_language or a.language in (None, language))
    ]


def _covers(
    user: User, rule: Rule, unit: Unit, organization_id: int | None, language: str | None = None
) -> bool:
    """Some assignment of the user, of the rule's roles, is on this unit or above it (or on a
    unit that took it over), and for the object's organization and language where the rule
    asks."""
    above = {u.id for u in unit.covering_units()}
    return any(
        a.unit_id in above and (rule.narrowed_ok or a.organization_id in (None, organization_id))
        for a in _qualifying(user, rule, language)
    )


def can(user: Any, action: Action, obj: Any = None) -> bool:
    rule = RULES[action]
    if rule.audience is Audience.PUBLIC:
        return rule.check(user, obj)
    if not _signed_in(user):
        return False
    if rule.audience is Audience.SIGNED_IN:
        return rule.check(user, obj)
    unit = rule.unit_of(obj) if obj is not None else None
    if unit is None:
        return False
    return _covers(
        user, rule, unit, rule.organization_of(obj), rule.language_of(obj)
    ) and rule.check(user, obj)


def can_somewhere(user: Any, action: Action, language: str | None = None) -> bool:
    """Whether the user may do this to anything at all (for menus and index pages); for
    actions on objects in a language, to anything in `language`, or in any language if None."""
    rule = RULES[action]
    if rule.audience is not Audience.ROLES:
        return rule.audience is Audience.PUBLIC or _signed_in(user)
    if language is None and rule.language_of is not _no_language:
        return _signed_in(user) and any(a.role in rule.roles for a in user.roles)
    if rule.unit_of is _top_unit and rule.language_of is _no_language:
        return can(user, action, _WHOLE_CAMPAIGN)  # a role below the top does not reach it
    return bool(scope(user, action, language))


def languages_of(user: Any, action: Action, offered: list[str]) -> list[str]:
    """Of the `offered` languages, those in which the user may do this somewhere."""
    return [code for code in offered if can_somewhere(user, action, code)]


class Denied(PermissionError):
    """Raised by services acting for someone who may not; answered with 403."""


def ensure(user: Any, action: Action, obj: Any = None) -> None:
    """For services: raise Denied unless allowed."""
    if not can(user, action, obj):
        raise Denied(action)


def require(user: Any, action: Action, obj: Any = None) -> None:
    """Abort the request unless allowed: anonymous visitors are sent to sign in, others get 403."""
    if can(user, action, obj):
        return
    if not _signed_in(user):
        abort(login_manager.unauthorized())
    abort(403)


def scope(user: Any, action: Action, language: str | None = None) -> list[tuple[int, int | None]]:
    """(unit id, organization id) pairs: the subtrees the user may act on, each for every
    organization (None) or for one. Narrowed assignments count where the rule's objects belong
    to organizations, or where the rule accepts them for everything. For rules about objects
    in a language, the subtrees for objects in `language`."""
    if not _signed_in(user):
        return []
    rule = RULES[action]
    pairs = set()
    for a in _qualifying(user, rule, language):
        if a.organization_id is None or rule.narrowed_ok:
            pairs.add((a.unit_id, None))
        elif rule.organization_of is not _no_organization:
            pairs.add((a.unit_id, a.organization_id))
    return sorted(pairs, key=lambda pair: (pair[0], pair[1] or 0))


def scope_roots(user: Any, action: Action) -> list[int]:
    """Unit ids whose subtrees the user may act on for every organization."""
    return [unit_id for unit_id, organization_id in scope(user, action) if organization_id is None]


def visible(
    user: Any,
    action: Action,
    stmt: Select,
    language: str | None = None,
    *,
    cte_name: str = "subtree",
) -> Select:
    """Narrow a list query to the rows the user may see under `action` (for objects in
    `language`, where the rule is about objects in a language). `cte_name` names the subtree
    queries, for a statement that combines two narrowed ones.

    Scope only: per-object state conditions are for `can`.
    """
    rule = RULES[action]
    if rule.audience is Audience.PUBLIC:
        return stmt
    if not _signed_in(user):
        return stmt.where(sa.false())
    if rule.audience is Audience.SIGNED_IN:
        return stmt
    if rule.unit_column is None:
        raise ValueError(f"{action} has no unit column to filter lists by")
    pairs = scope(user, action, language)
    if not pairs:
        return stmt.where(sa.false())
    unit_column = rule.unit_column()
    roots = [unit_id for unit_id, organization_id in pairs if organization_id is None]
    allowed = [unit_column.in_(subtree_ids(roots, name=cte_name))] if roots else []
    for number, (unit_id, organization_id) in enumerate(pairs):
        if organization_id is not None:
            allowed.append(
                sa.and_(
                    unit_column.in_(subtree_ids([unit_id], name=f"{cte_name}_{number}")),
                    rule.organization_column() == organization_id,
                )
            )
    return stmt.where(sa.or_(*allowed))


def who_can(action: Action, obj: Any) -> list[User]:
    """Active users allowed to do `action` to `obj`: whom to notify or route work to."""
    rule = RULES[action]
    if rule.audience is not Audience.ROLES:
        raise ValueError(f"{action} is not limited to roles")
    unit = rule.unit_of(obj)
    if unit is None:
        return []
    above = [u.id for u in unit.covering_units()]
    candidates = db.session.scalars(
        sa.select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.is_active,
            RoleAssignment.role.in_(rule.roles),
            RoleAssignment.unit_id.in_(above),
        )
        .distinct()
        .order_by(User.username)
    )
    return [user for user in candidates if can(user, action, obj)]
