"""Who may see a job, follow its progress and download its file: the person who asked for it,
and an admin whose scope holds every role of that person (the admins who may reset their
password, and so could sign in as them anyway). The file was built within the owner's scope."""

from __future__ import annotations

from webapp.jobs.models import ExportJob
from webapp.policy import Action, Audience, Rule, covers


def _own_or_administered(user, job: ExportJob) -> bool:
    if job.user_id == user.id:
        return True
    roles = job.owner.roles
    return bool(roles) and all(covers(user, Action.ROLE_GRANT, a.unit, None) for a in roles)


RULES: dict[Action, Rule] = {
    Action.JOB_VIEW: Rule(Audience.SIGNED_IN, check=_own_or_administered),
}
