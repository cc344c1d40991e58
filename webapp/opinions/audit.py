"""How the audit log reads the events of opinions of the people: by their receipt code, never
by their sender."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp import policy
from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, object_of, text_detail
from webapp.opinions.models import Opinion
from webapp.policy import Action

OPINIONS = Opinion.__tablename__

audit.loads(OPINIONS, audit.by_id(Opinion))


@audit.wants(OPINIONS)
def _opinions(events, names: Names):
    return audit.object_ids(events, OPINIONS)


@audit.links(OPINIONS)
def _opinion_link(event, details: dict, names: Names) -> str | None:
    opinion = names.get(OPINIONS, event.object_id)
    if opinion is None or not policy.can(current_user, Action.OPINION_VIEW, opinion):
        return None
    return url_for("opinions.show", opinion_id=opinion.id)


def _values(event, details: dict, names: Names) -> dict:
    opinion = object_of(event, names, OPINIONS)
    code = opinion.code if opinion else None
    return {
        "opinion": _("opinion %(code)s", code=code) if code else _("an opinion"),
        "into": text_detail(details, "into_code") or "—",
    }


audit.register(
    {
        "opinion.sent": (_l("%(opinion)s was sent"), _l("Opinion sent")),
        "opinion.recorded": (
            _l("%(opinion)s was recorded from a meeting"),
            _l("Opinion recorded"),
        ),
        "opinion.accepted": (_l("%(opinion)s was accepted for handling"), _l("Opinion accepted")),
        "opinion.rejected": (_l("%(opinion)s was not accepted"), _l("Opinion not accepted")),
        "opinion.reworded": (_l("The summary of %(opinion)s was changed"), _l("Opinion reworded")),
        "opinion.forwarded": (_l("%(opinion)s was sent up a level"), _l("Opinion sent up")),
        "opinion.merged": (_l("%(opinion)s was merged into %(into)s"), _l("Opinions merged")),
        "opinion.answered": (_l("The answer to %(opinion)s was recorded"), _l("Opinion answered")),
        "opinion.closed": (_l("%(opinion)s was closed"), _l("Opinion closed")),
    },
    values=_values,
)


def _sending_values(event, details: dict, names: Names) -> dict:
    count = details.get("count")
    days = details.get("days")
    return {
        "number": text_detail(details, "number") or "—",
        "recipient": text_detail(details, "recipient") or "—",
        "count": count if isinstance(count, int) else 0,
        "days": days if isinstance(days, int) else 0,
    }


audit.register(
    {
        "opinion.dispatched": (
            _l("List %(number)s of %(count)d opinions was sent to %(recipient)s"),
            _l("Opinions sent to the authorities"),
        ),
        "opinion.answer_days_set": (
            _l("The time for an answer to opinions was set to %(days)d days"),
            _l("Time for an answer set"),
        ),
    },
    values=_sending_values,
)
