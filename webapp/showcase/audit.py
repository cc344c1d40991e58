"""How the audit log reads the events of effective models, their photos and replications."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, as_int, text_detail


def _model_values(event, details: dict, names: Names) -> dict:
    return {
        "name": text_detail(details, "name") or "—",
        "year": as_int(details.get("year")) or "—",
    }


audit.register(
    {
        "model.recognised": (
            _l("The entry “%(name)s” was recognised as an effective model of %(year)s"),
            _l("Effective model recognised"),
        ),
        "model.withdrawn": (
            _l("The recognition of “%(name)s” as an effective model of %(year)s was withdrawn"),
            _l("Effective model withdrawn"),
        ),
        "model.replicated": (
            _l("The effective model “%(name)s” was taken up for replication"),
            _l("Effective model replicated"),
        ),
        "photo.added": (_l("A photo was added to “%(name)s”"), _l("Photo added")),
        "photo.removed": (_l("A photo was removed from “%(name)s”"), _l("Photo removed")),
    },
    values=_model_values,
)
audit.field_labels(
    {
        "citation": _l("Results"),
        "decision_number": _l("Decision number"),
        "decision_date": _l("Decision date"),
        "withdrawal_reason": _l("Reason for withdrawal"),
        "model_id": _l("Effective model"),
    }
)
