"""Recording evaluations and the lifecycle of nominations; callers commit.

Every change checks the policy, takes the row's lock, compares the version the user saw,
writes an audit event, notifies and flushes — as lists and reports do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from webapp import policy
from webapp.audit.services import record
from webapp.campaign.models import MemberOrganization
from webapp.commendations.display import nominee_name
from webapp.commendations.models import (
    Evaluation,
    Nomination,
    NominationState,
    NomineeKind,
    Rating,
)
from webapp.concurrency import StaleVersion, check_version, flush_or_stale, lock_current
from webapp.coverage.services import Workbook
from webapp.db import local_today, utcnow
from webapp.extensions import db
from webapp.formats import day
from webapp.forms import Refused
from webapp.notifications.models import NotificationKind
from webapp.notifications.services import editors_at, notify
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState
from webapp.text import clean
from webapp.units.display import unit_label
from webapp.units.models import Level, Unit


class CommendationError(Refused):
    """A change that cannot be made; the message is shown next to `field` if any."""


# Evaluations


def find_evaluation(year: int, unit_id: int, organization_id: int | None) -> Evaluation | None:
    return db.session.scalar(
        sa.select(Evaluation).filter_by(
            year=year, unit_id=unit_id, organization_key=organization_id or 0
        )
    )


def evaluation_for(year: int, unit: Unit, organization: MemberOrganization | None) -> Evaluation:
    """The saved evaluation, or an unsaved one to ask the policy about and fill the form."""
    found = find_evaluation(year, unit.id, organization.id if organization else None)
    return found or Evaluation(
        year=year,
        unit=unit,
        organization=organization,
        organization_id=organization.id if organization else None,
        organization_key=organization.id if organization else 0,
    )


def record_evaluation(
    actor, evaluation: Evaluation, version: int | None, rating: str | None, remarks: str | None
) -> Evaluation:
    """Save the rating and remarks; `version` is what the user saw (None: there was none)."""
    if evaluation.id is not None:
        lock_current(evaluation)
        check_version(evaluation, version)  # None (they saw none) never matches
    elif version is not None:  # a version for a row that is not there: not what they saw
        raise StaleVersion(evaluation)
    policy.ensure(actor, Action.EVALUATION_RECORD, evaluation)
    if rating not in {r.value for r in Rating}:
        raise CommendationError(_("Choose one of the ratings."), "rating")
    remarks = clean(remarks) if remarks else ""
    if not remarks:
        raise CommendationError(_("Write the remarks that go with the rating."), "remarks")
    before = (str(evaluation.rating) if evaluation.rating else None, evaluation.remarks)
    if before == (rating, remarks):
        return evaluation
    evaluation.rating = Rating(rating)
    evaluation.remarks = remarks
    evaluation.evaluated_by_id = actor.id
    evaluation.evaluated_at = utcnow()
    if evaluation.id is None:
        db.session.add(evaluation)
        try:
            # Two first saves at once: the unique constraint keeps one; the other is stale.
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            raise StaleVersion(None) from None
    flush_or_stale(evaluation)
    record(
        actor,
        "evaluation.recorded",
        evaluation,
        unit_id=evaluation.unit_id,
        year=evaluation.year,
        organization_id=evaluation.organization_id,
        changes={"rating": [before[0], rating], "remarks": [before[1], remarks]},
    )
    return evaluation


# Nominations


@dataclass
class NomineeValues:
    """What a proposer fills in."""

    kind: str | None = None
    unit_id: int | None = None
    organization_id: int | None = None
    person_name: str | None = None
    person_role: str | None = None
    entry_id: int | None = None
    reason: str | None = None


def nominable_entries(actor, proposing_unit: Unit, year: int) -> list[Entry]:
    """Approved entries of the year that the proposer may see, in the proposing unit's tree."""
    from webapp.registrations.models import RegistrationList
    from webapp.units.queries import subtree_ids

    stmt = (
        sa.select(Entry)
        .join(RegistrationList, RegistrationList.id == Entry.list_id)
        .where(
            RegistrationList.year == year,
            Entry.state == EntryState.APPROVED,
            RegistrationList.unit_id.in_(subtree_ids([proposing_unit.id], name="proposer_tree")),
        )
        .order_by(RegistrationList.unit_id, Entry.position, Entry.id)
    )
    return list(db.session.scalars(policy.visible(actor, Action.LIST_VIEW, stmt)))


def _nominee(actor, nomination: Nomination, values: NomineeValues) -> None:
    """Check and set who is nominated; the messages name the field to fix."""
    if values.kind not in {k.value for k in NomineeKind}:
        raise CommendationError(_("Choose whom to commend."), "kind")
    nomination.kind = NomineeKind(values.kind)
    nomination.unit_id = nomination.organization_id = nomination.entry_id = None
    nomination.person_name = nomination.person_role = None
    proposing = nomination.proposing_unit
    if nomination.kind == NomineeKind.COLLECTIVE:
        unit = db.session.get(Unit, values.unit_id) if values.unit_id else None
        if unit is None or proposing not in unit.ancestors():
            raise CommendationError(_("Choose a unit of your own area."), "unit_id")
        nomination.unit_id = unit.id
        if values.organization_id:
            if db.session.get(MemberOrganization, values.organization_id) is None:
                raise CommendationError(_("Choose one of the organizations."), "organization_id")
            nomination.organization_id = values.organization_id
    elif nomination.kind == NomineeKind.INDIVIDUAL:
        name = clean(values.person_name) if values.person_name else ""
        if not name:
            raise CommendationError(_("Write the person's full name."), "person_name")
        nomination.person_name = name
        nomination.person_role = clean(values.person_role) if values.person_role else None
    else:
        offered = {e.id for e in nominable_entries(actor, proposing, nomination.year)}
        if values.entry_id not in offered:
            raise CommendationError(
                _("Choose one of the approved entries of the year."), "entry_id"
            )
        nomination.entry_id = values.entry_id


def create_nomination(actor, proposing_unit: Unit, year: int, values: NomineeValues) -> Nomination:
    nomination = Nomination(
        proposing_unit=proposing_unit, year=year, proposed_by_id=actor.id, reason=""
    )
    policy.ensure(actor, Action.NOMINATION_CREATE, nomination)
    _nominee(actor, nomination, values)
    reason = clean(values.reason) if values.reason else ""
    if not reason:
        raise CommendationError(_("Say why they deserve commendation."), "reason")
    nomination.reason = reason
    db.session.add(nomination)
    db.session.flush()
    record(
        actor,
        "nomination.created",
        nomination,
        unit_id=proposing_unit.id,
        year=year,
        kind=str(nomination.kind),
    )
    return nomination


def update_nomination(
    actor, nomination: Nomination, version: int, values: NomineeValues
) -> Nomination:
    """Change a draft; the version the proposer saw guards it."""
    lock_current(nomination, version)
    policy.ensure(actor, Action.NOMINATION_CREATE, nomination)
    before = _nominee_snapshot(nomination)
    _nominee(actor, nomination, values)
    reason = clean(values.reason) if values.reason else ""
    if not reason:
        raise CommendationError(_("Say why they deserve commendation."), "reason")
    nomination.reason = reason
    after = _nominee_snapshot(nomination)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if changes:
        flush_or_stale(nomination)
        record(
            actor,
            "nomination.updated",
            nomination,
            unit_id=nomination.proposing_unit_id,
            changes=changes,
        )
    return nomination


def delete_nomination(actor, nomination: Nomination, version: int) -> None:
    """Withdraw a draft: those who may edit it may delete it; once sent it stays."""
    lock_current(nomination, version)
    if nomination.state != NominationState.DRAFT:
        raise CommendationError(_("Only a draft nomination can be withdrawn."))
    policy.ensure(actor, Action.NOMINATION_CREATE, nomination)
    record(
        actor,
        "nomination.deleted",
        nomination,
        unit_id=nomination.proposing_unit_id,
        year=nomination.year,
        values=_nominee_snapshot(nomination),
    )
    db.session.delete(nomination)
    db.session.flush()


def _nominee_snapshot(nomination: Nomination) -> dict:
    names = ("kind", "unit_id", "organization_id", "person_name", "person_role", "entry_id")
    snapshot = {name: getattr(nomination, name) for name in names}
    snapshot["kind"] = str(snapshot["kind"])
    snapshot["reason"] = nomination.reason
    return snapshot


def submit_nomination(actor, nomination: Nomination, version: int) -> Nomination:
    lock_current(nomination, version)
    policy.ensure(actor, Action.NOMINATION_SUBMIT, nomination)
    nomination.state = NominationState.SUBMITTED
    nomination.submitted_at = utcnow()
    nomination.submitted_by_id = actor.id
    flush_or_stale(nomination)
    notify(
        policy.who_can(Action.NOMINATION_DECIDE, nomination),
        NotificationKind.NOMINATION_SUBMITTED,
        nomination=nomination,
        actor=actor,
    )
    record(actor, "nomination.submitted", nomination, unit_id=nomination.proposing_unit_id)
    return nomination


def approve_nomination(
    actor,
    nomination: Nomination,
    version: int,
    decision_number: str | None = None,
    decision_date: date | None = None,
) -> Nomination:
    """Approve; the commendation decision's number and date are recorded if given."""
    if decision_date is not None and decision_date > local_today():
        raise CommendationError(_("The decision date cannot be later than today."), "decision_date")
    number = clean(decision_number) if decision_number else None
    return _decide(
        actor, nomination, version, NominationState.APPROVED, None, (number, decision_date)
    )


def reject_nomination(
    actor, nomination: Nomination, version: int, reason: str | None
) -> Nomination:
    return _decide(actor, nomination, version, NominationState.REJECTED, reason)


def _decide(
    actor,
    nomination: Nomination,
    version: int,
    state: NominationState,
    reason: str | None,
    decision: tuple[str | None, date | None] = (None, None),
) -> Nomination:
    lock_current(nomination, version)
    policy.ensure(actor, Action.NOMINATION_DECIDE, nomination)
    reason = clean(reason) if reason else None
    if state == NominationState.REJECTED and not reason:
        raise CommendationError(_("Say why, so the proposers know."), "reason")
    nomination.state = state
    nomination.decided_at = utcnow()
    nomination.decided_by_id = actor.id
    nomination.reject_reason = reason if state == NominationState.REJECTED else None
    nomination.decision_number, nomination.decision_date = decision
    flush_or_stale(nomination)
    proposers = editors_at(nomination.proposing_unit_id, None, nomination.submitted_by)
    notify(
        [*proposers, nomination.proposed_by],
        NotificationKind.NOMINATION_APPROVED
        if state == NominationState.APPROVED
        else NotificationKind.NOMINATION_REJECTED,
        nomination=nomination,
        actor=actor,
    )
    record(
        actor,
        f"nomination.{state}",
        nomination,
        unit_id=nomination.proposing_unit_id,
        reason=reason,
        decision_number=nomination.decision_number,
        decision_date=nomination.decision_date.isoformat() if nomination.decision_date else None,
    )
    return nomination


# The year's approved commendations as a spreadsheet


def commendations_xlsx(groups, title: str) -> bytes:
    """One sheet, in the public page's order: level, kind, whom, proposing unit as it was,
    reason, and the decision's number and date."""
    book = Workbook()
    rows = []
    for level, kinds in groups:
        for kind, nominations in kinds:
            for n in nominations:
                name = nominee_name(n)
                if n.entry is not None:
                    name = f"{name} ({unit_label(n.entry.registration_list.unit)})"
                rows.append(
                    [
                        Level(level).label,
                        NomineeKind(kind).label,
                        name,
                        unit_label(n.proposing_unit),
                        n.reason,
                        n.decision_number or "",
                        day(n.decision_date) if n.decision_date else "",
                    ]
                )
    book.sheet(
        _("Commendations"),
        [title],
        [_("Level"), _("Kind"), _("Commended"), _("Proposed by"), _("Reason"),
         _("Decision number"), _("Decision date")],
        [14, 16, 36, 28, 60, 20, 14],
        rows,
    )  # fmt: skip
    return book.close()
