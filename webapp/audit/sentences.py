"""Audit events told as sentences a Vietnamese reader understands.

An event stores a dotted action code ("report.accepted"), the object's table and id and a few
details. The log shows none of those codes: each action has a sentence (through gettext) naming
the object as people know it ("Báo cáo 6 tháng đầu năm 2026 của Hội Nông dân xã Bằng Thành được
chấp nhận"), and changed fields are named by their labels. `Names.load` fetches whatever the
sentences of a page of events need in a fixed number of queries, whatever the page holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import selectinload

from webapp.audit.models import AuditEvent
from webapp.auth.models import Role, User
from webapp.campaign.models import DeadlineKind, MemberOrganization, Requirement
from webapp.commendations.models import Evaluation, Nomination
from webapp.extensions import db
from webapp.i18n.languages import all_languages
from webapp.pages.models import Page
from webapp.registrations.models import Entry, EntryKind, RegistrationList
from webapp.reports.models import Period, ProgressLine, ProgressReport, ReportFigure
from webapp.units.models import Unit

# One sentence per action code the services record (webapp/*/services.py and friends); the
# placeholders are filled by `sentence`. tests/test_audit_sentences.py finds every code in the
# code base and checks it has one here.
SENTENCES = {
    "user.created": _l("Account %(user)s was created"),
    "user.activated": _l("Account %(user)s was reactivated"),
    "user.deactivated": _l("Account %(user)s was deactivated"),
    "user.password_changed": _l("Account %(user)s changed its password"),
    "user.password_reset": _l("An administrator reset the password of account %(user)s"),
    "role.granted": _l("Account %(user)s was given the role %(role)s"),
    "role.revoked": _l("Account %(user)s no longer has the role %(role)s"),
    "role.moved": _l("The role %(role)s of account %(user)s moved to %(unit)s"),
    "deadline.set": _l("The due date of %(deadline)s was changed"),
    "unit.area_added": _l("Residential area %(name)s was added to %(unit)s"),
    "unit.new_rural_set": _l("The new-rural recognition of %(unit)s was changed"),
    "unit.reorganized": _l("Administrative units were reorganised (%(code)s)"),
    "list.created": _l("%(list)s was started"),
    "list.updated": _l("The header of %(list)s was changed"),
    "list.submitted": _l("%(list)s was submitted for review"),
    "list.approved": _l("%(list)s was approved"),
    "list.returned": _l("%(list)s was returned to the editor"),
    "entry.created": _l("%(entry)s was added to %(list)s"),
    "entry.updated": _l("%(entry)s in %(list)s was edited"),
    "entry.duplicated": _l("%(entry)s was added to %(list)s as a copy"),
    "entry.deleted": _l("%(entry)s was deleted from %(list)s"),
    "entry.approved": _l("%(entry)s in %(list)s was approved"),
    "entry.returned": _l("%(entry)s in %(list)s was returned to the editor"),
    "entry.reopened": _l("%(entry)s in %(list)s was reopened for changes"),
    "overlap.decided": _l("A likely duplicate pair in %(unit)s was decided on"),
    "overlap.reopened": _l("A likely duplicate pair in %(unit)s was opened again"),
    "page.created": _l("Page “%(page)s” was created"),
    "page.saved": _l("Page “%(page)s” was saved"),
    "page.restored": _l("An earlier version of page “%(page)s” was restored"),
    "page.published": _l("Page “%(page)s” was published"),
    "page.draft": _l("Page “%(page)s” was taken back to draft"),
    "page.archived": _l("Page “%(page)s” was archived"),
    "attachment.added": _l("File “%(file)s” was attached to page “%(page)s”"),
    "attachment.deleted": _l("File “%(file)s” was removed from page “%(page)s”"),
    "translation.saved": _l("The %(language)s translation of page “%(page)s” was saved"),
    "translation.published": _l("The %(language)s translation of page “%(page)s” was published"),
    "translation.draft": _l(
        "The %(language)s translation of page “%(page)s” was taken back to draft"
    ),
    "interface.saved": _l("A %(language)s translation of the interface was saved"),
    "interface.removed": _l("A %(language)s translation of the interface was removed"),
    "requirement.created": _l("Rule “%(code)s” was added"),
    "requirement.changed": _l("Rule “%(code)s” was changed"),
    "requirement.retired": _l("Rule “%(code)s” was retired"),
    "requirement.deleted": _l("Rule “%(code)s” was deleted"),
    "report_figure.created": _l("Report figure “%(code)s” was added"),
    "report_figure.changed": _l("Report figure “%(code)s” was changed"),
    "report_figure.retired": _l("Report figure “%(code)s” was retired"),
    "report_figure.restored": _l("Report figure “%(code)s” is asked for again"),
    "report_figure.deleted": _l("Report figure “%(code)s” was deleted"),
    "evaluation.recorded": _l("The %(year)s evaluation of %(owner)s was recorded"),
    "nomination.created": _l("%(nominee)s was proposed for commendation"),
    "nomination.updated": _l("The nomination of %(nominee)s for commendation was edited"),
    "nomination.submitted": _l(
        "The nomination of %(nominee)s for commendation was sent for approval"
    ),
    "nomination.deleted": _l("The nomination of %(nominee)s for commendation was withdrawn"),
    "nomination.approved": _l("The commendation of %(nominee)s was approved"),
    "nomination.rejected": _l("The nomination of %(nominee)s for commendation was not approved"),
    "report.created": _l("%(report)s was started"),
    "report.lines_added": _l("Newly approved entries were added to %(report)s"),
    "report.line_updated": _l("The progress of %(entry)s in %(report)s was updated"),
    "report.figures_updated": _l("The overall figures of %(report)s were updated"),
    "report.submitted": _l("%(report)s was submitted for review"),
    "report.accepted": _l("%(report)s was accepted"),
    "report.returned": _l("%(report)s was returned to the editor"),
}

# An action this module does not know (a newer code, or one an old version wrote).
UNKNOWN = _l("A change was recorded")

# The label of every field a "changes" detail names (entries, list headers, progress lines,
# rules, report figures, evaluations, nominations).
FIELD_LABELS = {
    # entries and list headers
    "kind": _l("Kind"),
    "name": _l("Name"),
    "content": _l("Content"),
    "model_type": _l("Model type"),
    "location": _l("Location"),
    "description": _l("Description"),
    "scale": _l("Scale"),
    "starts_on": _l("Start date"),
    "ends_on": _l("End date"),
    "budget_people": _l("Contributed by the people"),
    "budget_state": _l("From the state budget"),
    "budget_other": _l("Other sources"),
    "lead_organization": _l("Lead organization"),
    "partners": _l("Partners"),
    "notes": _l("Notes"),
    "registered_on": _l("Registration date"),
    "signer_title": _l("Signer's title"),
    "signer_name": _l("Signer's name"),
    # progress lines
    "status": _l("Status"),
    "percent_done": lazy_pgettext("changed field", "Percent done"),
    "money_people": _l("Money contributed by the people"),
    "money_state": _l("Money from the state budget"),
    "money_other": _l("Money from other sources"),
    "workdays": _l("Workdays"),
    "land_m2": _l("Land given (m²)"),
    "beneficiaries": _l("Beneficiaries"),
    "result": _l("Result"),
    # rules and report figures
    "code": _l("Code"),
    "organization": _l("Organization"),
    "min_count": _l("Minimum count"),
    "applies_to": _l("Applies to"),
    "model_types": _l("Model types"),
    "rule_vi": _l("Rule text"),
    "source_vi": _l("Source"),
    "valid_from_year": _l("First year"),
    "valid_to_year": _l("Last year"),
    "name_vi": _l("Name in Vietnamese"),
    "name_en": _l("Name in English"),
    "measure": _l("Measure"),
    "sort_order": _l("Order"),
    # evaluations and nominations
    "rating": _l("Rating"),
    "remarks": _l("Remarks"),
    "unit_id": _l("Unit"),
    "organization_id": _l("Organization"),
    "person_name": _l("Person's name"),
    "person_role": _l("Person's position"),
    "entry_id": _l("Work, model or task"),
    "reason": _l("Reason"),
}

ANOTHER_FIELD = _l("another field")


# Reading an event's details: old events may hold anything, so each reader checks the type
# (the log view reads its notes with the same three).
def event_details(event: AuditEvent) -> dict:
    return event.details if isinstance(event.details, dict) else {}


def as_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text_detail(details: dict, key: str) -> str | None:
    """A detail that should be a string, or None (old events may hold something else)."""
    value = details.get(key)
    return value if isinstance(value, str) and value else None


def _lower_first(text: str) -> str:
    """ "Xã Bằng Thành" inside a phrase reads "xã Bằng Thành"."""
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _by_id(model, ids: Iterable[int | None], *options) -> dict:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = sa.select(model).where(model.id.in_(wanted)).options(*options)
    return {obj.id: obj for obj in db.session.scalars(stmt)}


@dataclass
class Names:
    """What the sentences of a page of events name, loaded once for the page."""

    users: dict[int, User] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    lists: dict[int, RegistrationList] = field(default_factory=dict)
    entries: dict[int, Entry] = field(default_factory=dict)
    reports: dict[int, ProgressReport] = field(default_factory=dict)
    lines: dict[int, ProgressLine] = field(default_factory=dict)
    pages: dict[int, Page] = field(default_factory=dict)
    nominations: dict[int, Nomination] = field(default_factory=dict)
    evaluations: dict[int, Evaluation] = field(default_factory=dict)
    organizations: dict[int, MemberOrganization] = field(default_factory=dict)
    organization_codes: dict[str, MemberOrganization] = field(default_factory=dict)
    figures: dict[int, ReportFigure] = field(default_factory=dict)
    requirements: dict[int, Requirement] = field(default_factory=dict)

    @classmethod
    def load(cls, events: list[AuditEvent]) -> Names:
        """One query per kind of object at most, in dependency order (lines → reports →
        lists → entries …), so a page costs the same number of queries however long."""
        names = cls()

        def ids(table: str, key: str | None = None) -> set[int | None]:
            if key is None:
                return {e.object_id for e in events if e.object_type == table}
            return {as_int(event_details(e).get(key)) for e in events if e.object_type == table}

        names.lines = _by_id(ProgressLine, ids(ProgressLine.__tablename__))
        names.reports = _by_id(
            ProgressReport,
            ids(ProgressReport.__tablename__)
            | ids(ProgressLine.__tablename__, "report_id")
            | {line.report_id for line in names.lines.values()},
        )
        names.nominations = _by_id(Nomination, ids(Nomination.__tablename__))
        names.evaluations = _by_id(Evaluation, ids(Evaluation.__tablename__))
        names.entries = _by_id(
            Entry,
            ids(Entry.__tablename__)
            | ids(ProgressLine.__tablename__, "entry_id")
            | {line.entry_id for line in names.lines.values()}
            | {n.entry_id for n in names.nominations.values()},
        )
        names.lists = _by_id(
            RegistrationList,
            ids(RegistrationList.__tablename__)
            | ids(Entry.__tablename__, "list_id")
            | {entry.list_id for entry in names.entries.values()},
        )
        names.users = _by_id(User, ids(User.__tablename__))
        names.pages = _by_id(
            Page,
            ids(Page.__tablename__) | ids("attachments", "page_id"),
            selectinload(Page.current),
        )
        owners = [*names.lists.values(), *names.reports.values(), *names.evaluations.values()]
        names.units = _by_id(
            Unit,
            {e.unit_id for e in events}
            | ids(Unit.__tablename__)
            | {o.unit_id for o in owners}
            | {n.unit_id for n in names.nominations.values()},
        )
        names.organizations = _by_id(
            MemberOrganization,
            {o.organization_id for o in owners}
            | {n.organization_id for n in names.nominations.values()}
            | {as_int(event_details(e).get("organization_id")) for e in events},
        )
        codes = {text_detail(event_details(e), "organization") for e in events} - {None}
        if codes:
            names.organization_codes = {
                o.code: o
                for o in db.session.scalars(
                    sa.select(MemberOrganization).where(MemberOrganization.code.in_(codes))
                )
            }
        figure_ids = {
            int(key)
            for e in events
            if e.action == "report.figures_updated"
            and isinstance(changes := event_details(e).get("changes"), dict)
            for key in changes
            if str(key).isdigit()
        }
        names.figures = _by_id(ReportFigure, figure_ids | ids(ReportFigure.__tablename__))
        names.requirements = _by_id(Requirement, ids(Requirement.__tablename__))
        return names

    # Phrases naming objects

    def unit_name(self, unit_id: int | None) -> str:
        unit = self.units.get(unit_id)
        return unit.name if unit else _("a unit no longer in the tree")

    def owner(self, organization: MemberOrganization | None, unit_id: int | None) -> str:
        """ "Hội Nông dân xã Bằng Thành": the organization, then its unit."""
        unit = self.unit_name(unit_id)
        if organization is None:
            return unit
        return _(
            "%(organization)s of %(unit)s",
            organization=organization.tr("name"),
            unit=_lower_first(unit),
        )

    def list_phrase(self, list_id: int | None) -> str:
        registration_list = self.lists.get(list_id)
        if registration_list is None:
            return _("a list")
        return _(
            "the %(year)d list of %(owner)s",
            year=registration_list.year,
            owner=self.owner(
                self.organizations.get(registration_list.organization_id),
                registration_list.unit_id,
            ),
        )

    def report_phrase(self, report_id: int | None) -> str:
        report = self.reports.get(report_id)
        if report is None:
            return _("a progress report")
        owner = self.owner(self.organizations.get(report.organization_id), report.unit_id)
        if report.period == Period.HALF_YEAR:
            return _("the six-month report %(year)d of %(owner)s", year=report.year, owner=owner)
        return _("the annual report %(year)d of %(owner)s", year=report.year, owner=owner)

    def entry_phrase(self, entry_id: int | None, values: dict | None = None) -> str:
        entry = self.entries.get(entry_id)
        name = entry.name if entry else (values or {}).get("name")
        kind = entry.kind if entry else (values or {}).get("kind")
        if not isinstance(name, str) or not name:
            return _("an entry")
        label = EntryKind(kind).label if kind in set(EntryKind) else None
        if label is None:
            return _("entry “%(name)s”", name=name)
        return _("%(kind)s “%(name)s”", kind=_lower_first(str(label)), name=name)

    def nominee_phrase(self, nomination_id: int | None, values: dict | None = None) -> str:
        nomination = self.nominations.get(nomination_id)
        if nomination is not None:
            if nomination.person_name:
                return nomination.person_name
            if nomination.entry_id:
                return self.entry_phrase(nomination.entry_id)
            if nomination.unit_id:
                return self.owner(
                    self.organizations.get(nomination.organization_id), nomination.unit_id
                )
        if values and isinstance(values.get("person_name"), str) and values["person_name"]:
            return values["person_name"]
        return _("a nominee")

    def language_name(self, details: dict) -> str:
        language = all_languages().get(text_detail(details, "language") or "")
        return language.name if language else _("another language")

    def page_title(self, page_id: int | None) -> str:
        page = self.pages.get(page_id)
        return page.title if page else _("a page no longer kept")

    def catalogue_name(self, event: AuditEvent) -> str:
        """A rule by its text, a report figure by its name (the code only when neither is
        known): codes are for the administrators' forms, not for sentences."""
        details = event_details(event)
        if event.object_type == Requirement.__tablename__:
            rule = self.requirements.get(event.object_id)
            text = rule.rule_vi if rule else text_detail(details, "rule_vi")
        else:
            figure = self.figures.get(event.object_id)
            text = figure.tr("name") if figure else text_detail(details, "name_vi")
        return text or text_detail(details, "code") or "—"

    # Changed fields

    def changed_fields(self, event: AuditEvent) -> list[str]:
        """The labels of the fields an event changed (figures by their names)."""
        changes = event_details(event).get("changes")
        if not isinstance(changes, dict):
            return []
        labels = []
        for key in changes:
            if event.action == "report.figures_updated" and str(key).isdigit():
                figure = self.figures.get(int(key))
                labels.append(figure.tr("name") if figure else str(ANOTHER_FIELD))
            else:
                labels.append(_lower_first(str(FIELD_LABELS.get(key, ANOTHER_FIELD))))
        return labels


def sentence(event: AuditEvent, names: Names) -> str:
    """The event as one sentence, starting with a capital."""
    template = SENTENCES.get(event.action)
    if template is None:
        return str(UNKNOWN)
    details = event_details(event)
    values = details.get("values") if isinstance(details.get("values"), dict) else None
    object_id = event.object_id
    table = event.object_type
    role = text_detail(details, "role")
    user = names.users.get(object_id) if table == User.__tablename__ else None
    line = names.lines.get(object_id) if table == ProgressLine.__tablename__ else None
    report_id = (
        object_id
        if table == ProgressReport.__tablename__
        else (line.report_id if line else as_int(details.get("report_id")))
    )
    entry_id = object_id if table == Entry.__tablename__ else None
    if line is not None:
        entry_id = line.entry_id
    elif table == ProgressLine.__tablename__:
        entry_id = as_int(details.get("entry_id"))
    list_id = object_id if table == RegistrationList.__tablename__ else None
    if entry_id is not None and (entry := names.entries.get(entry_id)):
        list_id = entry.list_id
    elif table == Entry.__tablename__:
        list_id = as_int(details.get("list_id"))
    evaluation = names.evaluations.get(object_id) if table == Evaluation.__tablename__ else None
    evaluation_org = names.organizations.get(
        evaluation.organization_id if evaluation else as_int(details.get("organization_id"))
    )
    kind = text_detail(details, "kind")
    deadline = DeadlineKind(kind).label if kind in set(DeadlineKind) else None
    page_id = object_id if table == Page.__tablename__ else as_int(details.get("page_id"))
    placeholders = {
        "user": user.username
        if user
        else (text_detail(details, "user") or text_detail(details, "username") or "—"),
        "role": _lower_first(Role(role).label) if role in set(Role) else _("a role"),
        "unit": names.unit_name(event.unit_id),
        "deadline": _lower_first(str(deadline)) if deadline else _("a deadline"),
        "name": text_detail(details, "name") or "—",
        "code": names.catalogue_name(event),
        "list": names.list_phrase(list_id),
        "entry": names.entry_phrase(entry_id, values),
        "report": names.report_phrase(report_id),
        "page": names.page_title(page_id),
        "file": text_detail(details, "title") or text_detail(details, "filename") or "—",
        "language": names.language_name(details),
        "year": as_int(details.get("year")) or (evaluation.year if evaluation else "—"),
        "owner": names.owner(evaluation_org, evaluation.unit_id if evaluation else event.unit_id),
        "nominee": names.nominee_phrase(
            object_id if table == Nomination.__tablename__ else None, values
        ),
    }
    return _upper_first(str(template) % placeholders)
