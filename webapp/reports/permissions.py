"""Rules for progress reports. Reports go up the same chain as lists: they carry the same
unit, organization and submitter, so the list accessors and the reviewer chain judge them too.
The rollup (a unit's consolidated figures and completeness) is for whoever reads reports
there."""

from __future__ import annotations

from typing import Any

from webapp.auth.permissions import EDITOR, LIST_READERS, REVIEWER
from webapp.policy import Action, Audience, Rule
from webapp.registrations.permissions import editable, in_year, list_organization, list_unit
from webapp.reports.models import ProgressReport, ReportState
from webapp.review.chain import list_reviewing_unit, not_own_submission, reviews_here
from webapp.units.permissions import unit_id_column, unit_itself


def _report_unit_column():
    return ProgressReport.unit_id


def _report_organization_column():
    return ProgressReport.organization_id


def _reviewer_of_report(user: Any, report: ProgressReport) -> bool:
    return not_own_submission(user, report) and reviews_here(user, report)


def _submitted(user: Any, report: ProgressReport) -> bool:
    return report.state == ReportState.SUBMITTED


RULES: dict[Action, Rule] = {
    Action.REPORT_VIEW: Rule(
        Audience.ROLES,
        LIST_READERS,
        list_unit,
        list_organization,
        unit_column=_report_unit_column,
        organization_column=_report_organization_column,
    ),
    Action.REPORT_EDIT: Rule(
        Audience.ROLES,
        EDITOR,
        list_unit,
        list_organization,
        check=in_year,
        state=editable,
        unit_column=_report_unit_column,
        organization_column=_report_organization_column,
    ),
    Action.REPORT_SUBMIT: Rule(
        Audience.ROLES, EDITOR, list_unit, list_organization, check=in_year, state=editable
    ),
    # Decided by the reviewing unit of the report's unit and organization, as lists are.
    Action.REPORT_DECIDE: Rule(
        Audience.ROLES,
        REVIEWER,
        list_reviewing_unit,
        list_organization,
        check=_reviewer_of_report,
        state=_submitted,
        unit_column=_report_unit_column,
        organization_column=_report_organization_column,
    ),
    # An officer narrowed to an organization opens the rollup too; the figures are then
    # filtered with REPORT_VIEW, so they see their organization's reports only.
    Action.REPORT_ROLLUP: Rule(
        Audience.ROLES, LIST_READERS, unit_itself, unit_column=unit_id_column, narrowed_ok=True
    ),
}
