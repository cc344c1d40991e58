"""Changing the campaign's rules (requirements): add, change, retire from a year, and delete
one never in force. Each function checks the policy for the actor, changes state, appends the
audit event and flushes; the caller commits. The coverage engine evaluates whatever is saved
here from its next request on."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp import policy
from webapp.audit.services import record
from webapp.campaign.models import (
    AppliesTo,
    Campaign,
    MemberOrganization,
    ModelType,
    Requirement,
    RequirementKind,
)
from webapp.concurrency import flush_or_stale, lock_current
from webapp.db import local_today, utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.text import clean


class RuleError(Refused):
    """A rule that cannot be saved as given."""


@dataclass
class RequirementValues:
    """What an admin fills in for a rule."""

    code: str
    kind: RequirementKind
    min_count: int
    applies_to: AppliesTo
    organization: MemberOrganization | None = None
    model_types: list[ModelType] = field(default_factory=list)
    partners: list[MemberOrganization] = field(default_factory=list)
    rule_vi: str | None = None
    source_vi: str | None = None
    valid_from_year: int | None = None
    valid_to_year: int | None = None


# What the audit trail and the conflict view compare, in the order of the form.
REQUIREMENT_FIELDS = (
    "code",
    "kind",
    "organization",
    "min_count",
    "applies_to",
    "model_types",
    "partners",
    "rule_vi",
    "source_vi",
    "valid_from_year",
    "valid_to_year",
)


# What may still change on a rule past years were judged by: its wording and its last year.
# Anything else would change how those years are judged now.
HISTORY_SAFE_FIELDS = ("rule_vi", "source_vi", "valid_to_year")

# The form field each rule field is entered in, for a message on the field.
FORM_FIELDS = {
    "organization": "organization_id",
    "model_types": "model_type_ids",
    "partners": "partner_ids",
}


def requirement_snapshot(row: Requirement | RequirementValues) -> dict:
    """The rule's fields as plain values (codes for organizations and model types)."""

    def plain(value):
        if isinstance(value, list):
            return sorted(v.code for v in value)
        if isinstance(value, MemberOrganization):
            return value.code
        return str(value) if isinstance(value, enum.Enum) else value

    return {name: plain(getattr(row, name)) for name in REQUIREMENT_FIELDS}


def _check_rule(campaign: Campaign, requirement: Requirement | None, values: RequirementValues):
    """What the engine needs, with a message for the field to correct."""
    if not values.code:
        raise RuleError(_("This field is required."), "code")
    taken = db.session.scalar(
        sa.select(Requirement.id).where(
            Requirement.campaign_id == campaign.id,
            Requirement.code == values.code,
            Requirement.id != (requirement.id if requirement else 0),
        )
    )
    if taken:
        message = _("Another rule of the campaign has the code %(code)s.", code=values.code)
        raise RuleError(message, "code")
    if values.min_count is None or values.min_count < 1:
        raise RuleError(_("The minimum is at least 1."), "min_count")
    if values.kind == RequirementKind.MODEL_TYPES and not values.model_types:
        raise RuleError(
            _("Choose the model types this rule counts: without them nothing would count."),
            "model_type_ids",
        )
    if values.kind == RequirementKind.EVERY_CONTENT and values.model_types:
        raise RuleError(
            _("A rule on every content counts every model type; leave the model types empty."),
            "model_type_ids",
        )
    if values.partners and values.organization is None:
        raise RuleError(
            _("Partner organizations count along with the rule's organization: choose it."),
            "organization_id",
        )
    if values.organization is not None and values.organization in values.partners:
        raise RuleError(_("The rule's own organization is not its partner."), "partner_ids")
    start, end = values.valid_from_year, values.valid_to_year
    if start is not None and end is not None and start > end:
        raise RuleError(_("The last year cannot come before the first year."), "valid_to_year")


def save_requirement(
    actor,
    campaign: Campaign,
    requirement: Requirement | None,
    version: int,
    values: RequirementValues,
) -> Requirement:
    """Add a rule (requirement None) or change one; `version` is the one the admin saw."""
    policy.ensure(actor, Action.REQUIREMENT_MANAGE, campaign)
    if requirement is not None:
        lock_current(requirement, version)
    values.code = (values.code or "").strip()
    values.rule_vi = clean(values.rule_vi) if values.rule_vi else None
    values.source_vi = clean(values.source_vi) if values.source_vi else None
    _check_rule(campaign, requirement, values)
    before = requirement_snapshot(requirement) if requirement is not None else None
    if before is not None and not never_in_force(requirement):
        _keep_history(before, requirement_snapshot(values))
    if requirement is None:
        requirement = Requirement(campaign=campaign)
        db.session.add(requirement)
    for name in REQUIREMENT_FIELDS:
        setattr(requirement, name, getattr(values, name))
    after = requirement_snapshot(values)
    if before is None:
        flush_or_stale(requirement)
        record(actor, "requirement.created", requirement, unit_id=None, **after)
        return requirement
    changes = {n: [before[n], after[n]] for n in REQUIREMENT_FIELDS if before[n] != after[n]}
    if changes:
        requirement.updated_at = utcnow()  # bumps the version, even for the lists alone
        flush_or_stale(requirement)
        record(
            actor,
            "requirement.changed",
            requirement,
            unit_id=None,
            code=requirement.code,
            changes=changes,
        )
    return requirement


def _keep_history(before: dict, after: dict) -> None:
    """Past years were judged by the rule: refuse a change to what it asks."""
    changed = [n for n in REQUIREMENT_FIELDS if before[n] != after[n]]
    locked = [n for n in changed if n not in HISTORY_SAFE_FIELDS]
    if locked:
        raise RuleError(
            _(
                "Past years were judged by this rule: only its wording, source and last year "
                "can change. To ask for something else, retire it and add a new rule."
            ),
            FORM_FIELDS.get(locked[0], locked[0]),
        )
    end, new_end = before["valid_to_year"], after["valid_to_year"]
    if end is not None and end < local_today().year and (new_end is None or new_end > end):
        raise _ended(end, "valid_to_year")


def _ended(year: int, field: str) -> RuleError:
    """A retired rule is not brought back: years after its end were judged without it."""
    return RuleError(
        _(
            "The rule already ended in %(year)d: a later last year would bring it back. "
            "To ask for it again, add a new rule.",
            year=year,
        ),
        field,
    )


def retire_requirement(
    actor, requirement: Requirement, version: int, from_year: int
) -> Requirement:
    """The rule no longer holds from `from_year` on; the years before keep it."""
    policy.ensure(actor, Action.REQUIREMENT_MANAGE, requirement.campaign)
    lock_current(requirement, version)
    start = requirement.valid_from_year
    if start is not None and from_year <= start:
        raise RuleError(
            _(
                "The rule starts in %(year)d: retired from then on, it would never hold. "
                "Choose a later year, or delete the rule if no year used it.",
                year=start,
            ),
            "from_year",
        )
    before = requirement.valid_to_year
    if before is not None and from_year - 1 > before:
        raise _ended(before, "from_year")
    requirement.valid_to_year = from_year - 1
    requirement.updated_at = utcnow()
    flush_or_stale(requirement)
    record(
        actor,
        "requirement.retired",
        requirement,
        unit_id=None,
        code=requirement.code,
        valid_to_year=[before, requirement.valid_to_year],
    )
    return requirement


def never_in_force(requirement: Requirement, today: date | None = None) -> bool:
    """A rule whose first year is still to come: no year has been judged by it."""
    year = (today or local_today()).year
    return requirement.valid_from_year is not None and requirement.valid_from_year > year


def delete_requirement(actor, requirement: Requirement, version: int) -> None:
    """Only a rule never in force goes away; one that past years used is retired instead."""
    policy.ensure(actor, Action.REQUIREMENT_MANAGE, requirement.campaign)
    lock_current(requirement, version)
    if not never_in_force(requirement):
        raise RuleError(
            _("Past years were judged by this rule: retire it from a year instead of deleting it.")
        )
    snapshot = requirement_snapshot(requirement)
    record(actor, "requirement.deleted", requirement, unit_id=None, **snapshot)
    db.session.delete(requirement)
    db.session.flush()
