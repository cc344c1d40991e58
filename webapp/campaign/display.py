"""How a campaign rule reads in words, from its data (administrators add rules without touching
code): the rules screens and the coverage pages say it the same way."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.campaign.models import AppliesTo, Requirement, RequirementKind


def rule_label(requirement: Requirement) -> str:
    """The rule in words, from its data (admins add rules without touching code)."""
    if requirement.kind == RequirementKind.EVERY_CONTENT:
        text = ngettext(
            "each content has at least %(num)d entry",
            "each content has at least %(num)d entries",
            requirement.min_count,
        )
    else:
        models = " / ".join(m.tr("name") for m in requirement.model_types)
        text = ngettext(
            "at least %(num)d entry of: %(models)s",
            "at least %(num)d entries of: %(models)s",
            requirement.min_count,
            models=models,
        )
    if requirement.organization is not None:
        names = [requirement.organization, *requirement.partners]
        text = _(
            "%(organizations)s: %(rule)s",
            organizations=", ".join(o.tr("name") for o in names),
            rule=text,
        )
    if requirement.applies_to == AppliesTo.NEW_RURAL_COMMUNES:
        text = _("%(rule)s (new-rural communes only)", rule=text)
    return text
