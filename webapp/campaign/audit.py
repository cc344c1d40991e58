"""How the audit log reads the campaign settings' events (deadlines, rules), and the member
organizations other capabilities' sentences name."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.audit import sentences as audit
from webapp.audit.sentences import (
    Names,
    as_int,
    event_details,
    lower_first,
    object_ids,
    object_of,
    text_detail,
)
from webapp.campaign.models import DeadlineKind, MemberOrganization, Requirement
from webapp.extensions import db

ORGANIZATIONS = MemberOrganization.__tablename__
REQUIREMENTS = Requirement.__tablename__
DEADLINE_KINDS = {kind.value for kind in DeadlineKind}


def _organizations_by_code(codes: set) -> dict:
    stmt = sa.select(MemberOrganization).where(MemberOrganization.code.in_(codes))
    return {o.code: o for o in db.session.scalars(stmt)}


audit.loads(ORGANIZATIONS, audit.by_id(MemberOrganization))
audit.loads("organization_codes", _organizations_by_code)
audit.loads(REQUIREMENTS, audit.by_id(Requirement))


@audit.wants(ORGANIZATIONS)
def _organizations(events, names: Names):
    return {as_int(event_details(e).get("organization_id")) for e in events}


@audit.wants("organization_codes")
def _organization_codes(events, names: Names):
    return {text_detail(event_details(e), "organization") for e in events}


@audit.wants(REQUIREMENTS)
def _requirements(events, names: Names):
    return object_ids(events, REQUIREMENTS)


def _deadline(details: dict) -> str | None:
    kind = text_detail(details, "kind")
    return DeadlineKind(kind).label if kind in DEADLINE_KINDS else None


def _deadline_values(event, details: dict, names: Names) -> dict:
    deadline = _deadline(details)
    return {"deadline": lower_first(deadline) if deadline else _("a deadline")}


def _deadline_note(event, details: dict, names: Names) -> list[str]:
    kind = text_detail(details, "kind") or ""
    label = _deadline(details) or kind
    if year := as_int(details.get("year")):
        label = f"{label} {year}"
    before, after = text_detail(details, "before") or "—", text_detail(details, "after") or "—"
    return [f"{label}: {before} → {after}"]


def _rule_values(event, details: dict, names: Names) -> dict:
    """A rule by its text (its code only when the text is not known): codes are for the
    administrators' forms, not for sentences."""
    rule = object_of(event, names, REQUIREMENTS)
    text = rule.rule_vi if rule else text_detail(details, "rule_vi")
    return {"code": text or text_detail(details, "code") or "—"}


audit.register(
    {
        "deadline.set": (
            _l("The due date of %(deadline)s was changed"),
            _l("Deadline changed"),
        ),
    },
    values=_deadline_values,
    notes=_deadline_note,
)
audit.register(
    {
        "requirement.created": (
            _l("Rule “%(code)s” was added"),
            _l("Rule added"),
        ),
        "requirement.changed": (
            _l("Rule “%(code)s” was changed"),
            _l("Rule changed"),
        ),
        "requirement.retired": (
            _l("Rule “%(code)s” was retired"),
            _l("Rule retired"),
        ),
        "requirement.deleted": (
            _l("Rule “%(code)s” was deleted"),
            _l("Rule deleted"),
        ),
    },
    values=_rule_values,
)
audit.field_labels(
    {
        "code": _l("Code"),
        "organization": _l("Organization"),
        "min_count": _l("Minimum count"),
        "applies_to": _l("Applies to"),
        "model_types": _l("Model types"),
        "rule_vi": _l("Rule text"),
        "source_vi": _l("Source"),
        "valid_from_year": _l("First year"),
        "valid_to_year": _l("Last year"),
    }
)
