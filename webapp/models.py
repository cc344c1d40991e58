"""Imports every model module, so the metadata is complete for migrations and tests."""

from webapp.audit.models import AuditEvent
from webapp.auth.models import LoginThrottle, RoleAssignment, User, UserSession
from webapp.campaign.models import (
    Campaign,
    Content,
    Deadline,
    MemberOrganization,
    ModelType,
    Requirement,
)
from webapp.commendations.models import Evaluation, Nomination
from webapp.coverage.models import OverlapDecision
from webapp.fund.models import FundBeneficiary, FundBook, FundMovement, FundPeriod
from webapp.i18n.models import CatalogGeneration, InterfaceTranslation
from webapp.jobs.models import ExportJob
from webapp.notifications.models import Notification
from webapp.opinions.models import (
    Opinion,
    OpinionDispatch,
    OpinionDispatchItem,
    OpinionProvinceSetting,
    OpinionSetting,
)
from webapp.pages.models import Attachment, Page, PageTranslation, Revision
from webapp.photos import Photo
from webapp.registrations.models import Entry, RegistrationList
from webapp.reports.models import ProgressLine, ProgressReport, ReportFigure, ReportFigureValue
from webapp.review.models import ReviewDecision
from webapp.showcase.models import EffectiveModel, EntryPhoto, Replication
from webapp.units.models import Reorganization, Unit, UnitSuccession, UnitYearAttribute

__all__ = [
    "Attachment",
    "AuditEvent",
    "Campaign",
    "CatalogGeneration",
    "Content",
    "Deadline",
    "EffectiveModel",
    "Entry",
    "EntryPhoto",
    "Evaluation",
    "ExportJob",
    "FundBeneficiary",
    "FundBook",
    "FundMovement",
    "FundPeriod",
    "InterfaceTranslation",
    "LoginThrottle",
    "MemberOrganization",
    "ModelType",
    "Nomination",
    "Notification",
    "Opinion",
    "OpinionDispatch",
    "OpinionDispatchItem",
    "OpinionProvinceSetting",
    "OpinionSetting",
    "OverlapDecision",
    "Page",
    "PageTranslation",
    "Photo",
    "ProgressLine",
    "ProgressReport",
    "RegistrationList",
    "Reorganization",
    "Replication",
    "ReportFigure",
    "ReportFigureValue",
    "Requirement",
    "ReviewDecision",
    "Revision",
    "RoleAssignment",
    "Unit",
    "UnitSuccession",
    "UnitYearAttribute",
    "User",
    "UserSession",
]
