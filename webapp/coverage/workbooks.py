"""The coverage spreadsheets (the aggregated list and the gap list) of a unit for a year, as a
user may see them: built the same way for a direct download and for a background job
(webapp/jobs), which a scope of EXPORT_JOB_MIN_COMMUNES communes or more becomes.

The job kinds registered here rebuild the scope from the job's parameters and ask the policy
again for its owner: a role lost between the asking and the running ends the job with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from webapp import policy
from webapp.campaign.deadlines import current_campaign, registration_years
from webapp.campaign.models import Campaign, Content, MemberOrganization
from webapp.coverage import services, summary
from webapp.coverage.queries import communes_in_year, counted_states, evaluate
from webapp.db import local_today
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.units.models import Level, Unit

SUMMARY = "coverage.summary"
GAPS = "coverage.gaps"


@dataclass
class Scope:
    """What one coverage spreadsheet covers: a unit's communes the user may see, in a year,
    maybe narrowed to one organization and one content (the aggregated list)."""

    user: Any
    unit: Unit
    year: int
    include_submitted: bool
    campaign: Campaign
    organization: MemberOrganization | None = None
    content: Content | None = None

    @property
    def communes(self) -> sa.Select:
        return policy.visible(
            self.user, Action.COVERAGE_VIEW, communes_in_year(self.unit.id, self.year)
        )

    @property
    def states(self):
        return counted_states(self.include_submitted)

    def parameters(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit.id,
            "year": self.year,
            "submitted": self.include_submitted,
            "organization_id": self.organization.id if self.organization else None,
            "content_id": self.content.id if self.content else None,
        }

    def is_large(self) -> bool:
        """Large enough to be a background job rather than a download in the request."""
        count = db.session.scalar(sa.select(sa.func.count()).select_from(self.communes.subquery()))
        return (count or 0) >= job_threshold()


def job_threshold() -> int:
    """The fewest communes whose spreadsheet is a background job (EXPORT_JOB_MIN_COMMUNES)."""
    return int(current_app.config["EXPORT_JOB_MIN_COMMUNES"])


def summary_title(scope: Scope) -> str:
    return _("Summary of registrations %(year)d - %(unit)s", year=scope.year, unit=scope.unit.name)


def gaps_title(scope: Scope) -> str:
    return _("Gaps %(year)d - %(unit)s", year=scope.year, unit=scope.unit.name)


def counting_line(include_submitted: bool) -> str:
    if include_submitted:
        return _("Counting approved entries and submitted ones not yet approved.")
    return _("Counting approved entries only.")


def chosen(organization: MemberOrganization | None, content: Content | None) -> str:
    """What the summary is narrowed to, in words ("" for everything)."""
    names = [organization.tr("name")] if organization else []
    names += [services.content_label(content)] if content else []
    return _("Only: %(chosen)s", chosen="; ".join(names)) if names else ""


def summary_entries(scope: Scope) -> sa.Select:
    """The entries the summary counts: located in the unit's communes (all in reach once the
    unit is), narrowed to the lists the user may open."""
    entries = summary.summary_entries(
        communes_in_year(scope.unit.id, scope.year),
        scope.year,
        scope.states,
        organization_id=scope.organization.id if scope.organization else None,
        content_id=scope.content.id if scope.content else None,
    )
    return policy.visible(scope.user, Action.LIST_VIEW, entries)


def summary_workbook(scope: Scope, progress: services.Progress | None = None) -> bytes:
    """The aggregated list's spreadsheet: the totals, and every entry counted."""
    titles = [summary_title(scope), counting_line(scope.include_submitted)]
    if narrowed := chosen(scope.organization, scope.content):
        titles.append(narrowed)
    titles.append(_("Produced on %(day)s", day=format_date(local_today(), "dd/MM/yyyy")))
    entries = summary_entries(scope)
    return services.summary_xlsx(
        summary.summarize(scope.campaign, entries),
        summary.entry_lines(scope.campaign, entries),
        titles,
        scope.include_submitted,
        progress,
    )


def gaps_workbook(scope: Scope, progress: services.Progress | None = None) -> bytes:
    coverage = evaluate(
        scope.campaign,
        scope.unit,
        scope.year,
        include_submitted=scope.include_submitted,
        communes=scope.communes,
    )
    return services.gaps_xlsx(coverage, gaps_title(scope), progress)


def _scope_of(job, user) -> Scope:
    """The job's scope, as its owner may see it now."""
    values = job.parameters
    unit = db.session.get(Unit, values["unit_id"])
    campaign = current_campaign()
    year = values["year"]
    if (
        unit is None
        or unit.level == Level.AREA
        or campaign is None
        or year not in registration_years()
        or not policy.can(user, Action.COVERAGE_VIEW, unit)
    ):
        raise Refused(_("You may no longer see the coverage this export was asked for."))
    organization = content = None
    if values.get("organization_id") is not None:
        organization = db.session.get(MemberOrganization, values["organization_id"])
    if values.get("content_id") is not None:
        content = db.session.get(Content, values["content_id"])
    return Scope(user, unit, year, bool(values["submitted"]), campaign, organization, content)


def build_summary(job, user, progress) -> bytes:
    return summary_workbook(_scope_of(job, user), progress)


def build_gaps(job, user, progress) -> bytes:
    return gaps_workbook(_scope_of(job, user), progress)
