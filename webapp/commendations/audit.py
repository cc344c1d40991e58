"""How the audit log reads the events of evaluations and nominations for commendation."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, as_int, object_ids, object_of
from webapp.campaign.audit import ORGANIZATIONS
from webapp.commendations.models import Evaluation, Nomination
from webapp.registrations.audit import ENTRIES, entry_phrase, kept_values
from webapp.units.audit import UNITS, owner

EVALUATIONS = Evaluation.__tablename__
NOMINATIONS = Nomination.__tablename__

audit.loads(EVALUATIONS, audit.by_id(Evaluation))
audit.loads(NOMINATIONS, audit.by_id(Nomination))


@audit.wants(EVALUATIONS)
def _evaluations(events, names: Names):
    return object_ids(events, EVALUATIONS)


@audit.wants(NOMINATIONS)
def _nominations(events, names: Names):
    return object_ids(events, NOMINATIONS)


@audit.wants(ENTRIES, reads=(NOMINATIONS,))
def _nominated_entries(events, names: Names):
    return {n.entry_id for n in names.of(NOMINATIONS).values()}


@audit.wants(UNITS, reads=(EVALUATIONS, NOMINATIONS))
def _units(events, names: Names):
    owners = [*names.of(EVALUATIONS).values(), *names.of(NOMINATIONS).values()]
    return {o.unit_id for o in owners}


@audit.wants(ORGANIZATIONS, reads=(EVALUATIONS, NOMINATIONS))
def _organizations(events, names: Names):
    owners = [*names.of(EVALUATIONS).values(), *names.of(NOMINATIONS).values()]
    return {o.organization_id for o in owners}


def nominee_phrase(names: Names, nomination_id: int | None, values: dict | None) -> str:
    nomination = names.get(NOMINATIONS, nomination_id)
    if nomination is not None:
        if nomination.person_name:
            return nomination.person_name
        if nomination.entry_id:
            return entry_phrase(names, nomination.entry_id)
        if nomination.unit_id:
            return owner(
                names, names.get(ORGANIZATIONS, nomination.organization_id), nomination.unit_id
            )
    if values and isinstance(values.get("person_name"), str) and values["person_name"]:
        return values["person_name"]
    return _("a nominee")


def _evaluation_values(event, details: dict, names: Names) -> dict:
    evaluation = object_of(event, names, EVALUATIONS)
    organization = names.get(
        ORGANIZATIONS,
        evaluation.organization_id if evaluation else as_int(details.get("organization_id")),
    )
    return {
        "year": as_int(details.get("year")) or (evaluation.year if evaluation else "—"),
        "owner": owner(names, organization, evaluation.unit_id if evaluation else event.unit_id),
    }


def _nomination_values(event, details: dict, names: Names) -> dict:
    nomination_id = event.object_id if event.object_type == NOMINATIONS else None
    return {"nominee": nominee_phrase(names, nomination_id, kept_values(details))}


audit.register(
    {
        "evaluation.recorded": (
            _l("The %(year)s evaluation of %(owner)s was recorded"),
            _l("Evaluation recorded"),
        ),
    },
    values=_evaluation_values,
)
audit.register(
    {
        "nomination.created": (
            _l("%(nominee)s was proposed for commendation"),
            _l("Nomination for commendation proposed"),
        ),
        "nomination.updated": (
            _l("The nomination of %(nominee)s for commendation was edited"),
            _l("Nomination for commendation edited"),
        ),
        "nomination.submitted": (
            _l("The nomination of %(nominee)s for commendation was sent for approval"),
            _l("Nomination sent for approval"),
        ),
        "nomination.deleted": (
            _l("The nomination of %(nominee)s for commendation was withdrawn"),
            _l("Nomination withdrawn"),
        ),
        "nomination.approved": (
            _l("The commendation of %(nominee)s was approved"),
            _l("Commendation approved"),
        ),
        "nomination.rejected": (
            _l("The nomination of %(nominee)s for commendation was not approved"),
            _l("Nomination not approved"),
        ),
    },
    values=_nomination_values,
)
audit.field_labels(
    {
        "rating": _l("Rating"),
        "remarks": _l("Remarks"),
        "unit_id": _l("Unit"),
        "organization_id": _l("Organization"),
        "person_name": _l("Person's name"),
        "person_role": _l("Person's position"),
        "entry_id": _l("Work, model or task"),
        "reason": _l("Reason"),
    }
)
