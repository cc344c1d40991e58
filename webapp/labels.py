"""Translated labels for the states and kinds stored as codes, shared by views and templates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from webapp.auth.models import Role
from webapp.campaign.models import AppliesTo, DeadlineKind, RequirementKind
from webapp.commendations.models import NominationState, NomineeKind, Rating
from webapp.i18n.queries import MessageState
from webapp.notifications.models import NotificationKind
from webapp.pages.models import PageState, TranslationState
from webapp.registrations.models import EntryKind, EntryState, ListState
from webapp.reports.models import FigureMeasure, LineStatus, Period, ReportState
from webapp.units.models import Kind, Level

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.EDITOR: _l("Editor"),
    Role.REVIEWER: _l("Reviewer"),
    Role.PUBLISHER: _l("Publisher"),
    Role.TRANSLATOR: _l("Translator"),
    Role.VIEWER: _l("Viewer"),
}

LEVEL_LABELS = {
    Level.PROVINCE: lazy_pgettext("level", "Province"),
    Level.DISTRICT: lazy_pgettext("level", "District"),
    Level.COMMUNE: lazy_pgettext("level", "Commune"),
    Level.AREA: lazy_pgettext("level", "Residential area"),
}

KIND_LABELS = {
    Kind.TINH: _l("Province (tỉnh)"),
    Kind.THANH_PHO: _l("City (thành phố)"),
    Kind.HUYEN: _l("District (huyện)"),
    Kind.THI_XA: _l("Town (thị xã)"),
    Kind.XA: _l("Commune (xã)"),
    Kind.PHUONG: _l("Ward (phường)"),
    Kind.THI_TRAN: _l("Township (thị trấn)"),
    Kind.THON: _l("Hamlet (thôn)"),
    Kind.BAN: _l("Village (bản)"),
    Kind.TO_DAN_PHO: _l("Residential group (tổ dân phố)"),
}

DEADLINE_LABELS = {
    DeadlineKind.REGISTRATION: _l("Registration of works, models and tasks"),
    DeadlineKind.REPORT_HALF_YEAR: _l("Six-month report"),
    DeadlineKind.REPORT_YEAR: _l("Annual report"),
}

ENTRY_KIND_LABELS = {
    EntryKind.CONG_TRINH: _l("Work"),
    EntryKind.MO_HINH: _l("Model"),
    EntryKind.PHAN_VIEC: _l("Task"),
}

LIST_STATE_LABELS = {
    ListState.DRAFT: lazy_pgettext("list", "Draft"),
    ListState.SUBMITTED: lazy_pgettext("list", "Submitted"),
    ListState.RETURNED: lazy_pgettext("list", "Returned"),
    ListState.APPROVED: lazy_pgettext("list", "Approved"),
}

ENTRY_STATE_LABELS = {
    EntryState.DRAFT: lazy_pgettext("entry", "Draft"),
    EntryState.SUBMITTED: lazy_pgettext("entry", "Submitted"),
    EntryState.RETURNED: lazy_pgettext("entry", "Returned"),
    EntryState.APPROVED: lazy_pgettext("entry", "Approved"),
}

NOTIFICATION_LABELS = {
    NotificationKind.SUBMITTED: _l("Submitted for your review"),
    NotificationKind.RETURNED: _l("An entry was returned"),
    NotificationKind.APPROVED: _l("The list was approved"),
    NotificationKind.REOPENED: _l("An approved entry was reopened"),
    NotificationKind.REPORT_SUBMITTED: _l("A report was sent for your review"),
    NotificationKind.REPORT_ACCEPTED: _l("The report was accepted"),
    NotificationKind.REPORT_RETURNED: _l("The report was returned"),
    NotificationKind.NOMINATION_SUBMITTED: _l("A nomination awaits your decision"),
    NotificationKind.NOMINATION_APPROVED: _l("The nomination was approved"),
    NotificationKind.NOMINATION_REJECTED: _l("The nomination was not approved"),
}

PAGE_STATE_LABELS = {
    PageState.DRAFT: lazy_pgettext("page", "Draft"),
    PageState.PUBLISHED: lazy_pgettext("page", "Published"),
    PageState.ARCHIVED: lazy_pgettext("page", "Archived"),
}

MESSAGE_STATE_LABELS = {
    MessageState.UNTRANSLATED: _l("Not translated"),
    MessageState.CHANGED: _l("Vietnamese text changed"),
    MessageState.TRANSLATED: lazy_pgettext("string", "Translated"),
}

# What a page's translation into a language is: not made yet, a draft, published; and whether
# the original changed since.
TRANSLATION_STATE_LABELS = {
    None: lazy_pgettext("translation", "Missing"),
    TranslationState.DRAFT: lazy_pgettext("translation", "Draft"),
    TranslationState.PUBLISHED: lazy_pgettext("translation", "Published"),
    "outdated": lazy_pgettext("translation", "Outdated"),
}

PERIOD_LABELS = {
    Period.HALF_YEAR: _l("First six months"),
    Period.YEAR: _l("Whole year"),
}

REPORT_STATE_LABELS = {
    ReportState.DRAFT: lazy_pgettext("report", "Draft"),
    ReportState.SUBMITTED: lazy_pgettext("report", "Submitted"),
    ReportState.ACCEPTED: lazy_pgettext("report", "Accepted"),
    ReportState.RETURNED: lazy_pgettext("report", "Returned"),
}

LINE_STATUS_LABELS = {
    # "Not started" also says a list or report has not been begun: each meaning has a context.
    LineStatus.NOT_STARTED: lazy_pgettext("progress", "Not started"),
    LineStatus.IN_PROGRESS: _l("In progress"),
    LineStatus.COMPLETED: _l("Completed"),
    LineStatus.STOPPED: _l("Stopped"),
}

REQUIREMENT_KIND_LABELS = {
    RequirementKind.EVERY_CONTENT: _l("Entries in every content"),
    RequirementKind.MODEL_TYPES: _l("Models of given types"),
}

APPLIES_TO_LABELS = {
    AppliesTo.ALL_COMMUNES: _l("Every commune"),
    AppliesTo.NEW_RURAL_COMMUNES: _l("Communes recognised as new-rural that year"),
}

FIGURE_MEASURE_LABELS = {
    FigureMeasure.COUNT: _l("A count (houses, households …)"),
    FigureMeasure.MONEY: _l("Money (đồng)"),
}

RATING_LABELS = {
    Rating.EXCELLENT: _l("Completed the tasks excellently"),
    Rating.GOOD: _l("Completed the tasks well"),
    Rating.DONE: _l("Completed the tasks"),
    Rating.NOT_DONE: _l("Did not complete the tasks"),
}

NOMINEE_KIND_LABELS = {
    NomineeKind.COLLECTIVE: _l("A collective"),
    NomineeKind.INDIVIDUAL: _l("An individual"),
    NomineeKind.ENTRY: _l("A work, model or task"),
}

NOMINATION_STATE_LABELS = {
    NominationState.DRAFT: lazy_pgettext("nomination", "Draft"),
    NominationState.SUBMITTED: lazy_pgettext("nomination", "Submitted"),
    NominationState.APPROVED: lazy_pgettext("nomination", "Approved"),
    NominationState.REJECTED: lazy_pgettext("nomination", "Not approved"),
}
