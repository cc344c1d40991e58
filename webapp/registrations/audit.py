"""How the audit log reads the events of registration lists and their entries, and the phrases
naming a list and an entry that other capabilities' sentences use."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from webapp import policy
from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, as_int, lower_first, object_ids
from webapp.campaign.audit import ORGANIZATIONS
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryKind, RegistrationList
from webapp.units.audit import UNITS, owner

LISTS = RegistrationList.__tablename__
ENTRIES = Entry.__tablename__
ENTRY_KINDS = {kind.value for kind in EntryKind}


def list_phrase(names: Names, list_id: int | None) -> str:
    registration_list = names.get(LISTS, list_id)
    if registration_list is None:
        return _("a list")
    return _(
        "the %(year)d list of %(owner)s",
        year=registration_list.year,
        owner=owner(
            names,
            names.get(ORGANIZATIONS, registration_list.organization_id),
            registration_list.unit_id,
        ),
    )


def entry_phrase(names: Names, entry_id: int | None, values: dict | None = None) -> str:
    """An entry by its kind and name; a deleted one by what its event kept."""
    entry = names.get(ENTRIES, entry_id)
    name = entry.name if entry else (values or {}).get("name")
    kind = entry.kind if entry else (values or {}).get("kind")
    if not isinstance(name, str) or not name:
        return _("an entry")
    if not isinstance(kind, str) or kind not in ENTRY_KINDS:
        return _("entry “%(name)s”", name=name)
    return _("%(kind)s “%(name)s”", kind=lower_first(EntryKind(kind).label), name=name)


def kept_values(details: dict) -> dict | None:
    """The object's values an event kept (a deleted entry's name and kind)."""
    return details.get("values") if isinstance(details.get("values"), dict) else None


audit.loads(LISTS, audit.by_id(RegistrationList))
audit.loads(ENTRIES, audit.by_id(Entry))


@audit.wants(LISTS, reads=(ENTRIES,))
def _lists(events, names: Names):
    return (
        object_ids(events, LISTS)
        | object_ids(events, ENTRIES, "list_id")
        | {entry.list_id for entry in names.of(ENTRIES).values()}
    )


@audit.wants(ENTRIES)
def _entries(events, names: Names):
    return object_ids(events, ENTRIES)


@audit.wants(UNITS, reads=(LISTS,))
def _list_units(events, names: Names):
    return {rl.unit_id for rl in names.of(LISTS).values()}


@audit.wants(ORGANIZATIONS, reads=(LISTS,))
def _list_organizations(events, names: Names):
    return {rl.organization_id for rl in names.of(LISTS).values()}


def _list_link(names: Names, list_id: int | None, anchor: str | None = None) -> str | None:
    registration_list = names.get(LISTS, list_id)
    if registration_list is None:
        return None
    if not policy.can(current_user, Action.LIST_VIEW, registration_list):
        return None
    return url_for("registrations.show_list", list_id=list_id, _anchor=anchor)


@audit.links(LISTS)
def _link_to_list(event, details: dict, names: Names) -> str | None:
    return _list_link(names, event.object_id)


@audit.links(ENTRIES)
def _link_to_entry(event, details: dict, names: Names) -> str | None:
    entry = names.get(ENTRIES, event.object_id)
    if entry is not None:
        return _list_link(names, entry.list_id, f"entry-{entry.id}")
    # deleted: the event kept its list, which is still there
    return _list_link(names, as_int(details.get("list_id")))


def _values(event, details: dict, names: Names) -> dict:
    entry_id = event.object_id if event.object_type == ENTRIES else None
    list_id = event.object_id if event.object_type == LISTS else None
    if entry_id is not None and (entry := names.get(ENTRIES, entry_id)):
        list_id = entry.list_id
    elif event.object_type == ENTRIES:
        list_id = as_int(details.get("list_id"))
    return {
        "list": list_phrase(names, list_id),
        "entry": entry_phrase(names, entry_id, kept_values(details)),
    }


def _submitted(event, details: dict, names: Names) -> list[str]:
    if event.action != "list.submitted" or not isinstance(details.get("entries"), list):
        return []
    return [ngettext("%(num)d entry", "%(num)d entries", len(details["entries"]))]


audit.register(
    {
        "list.created": (
            _l("%(list)s was started"),
            _l("List started"),
        ),
        "list.updated": (
            _l("The header of %(list)s was changed"),
            _l("List header changed"),
        ),
        "list.submitted": (
            _l("%(list)s was submitted for review"),
            _l("List submitted"),
        ),
        "list.approved": (
            _l("%(list)s was approved"),
            _l("List approved"),
        ),
        "list.returned": (
            _l("%(list)s was returned to the editor"),
            _l("List returned to the editor"),
        ),
        "entry.created": (
            _l("%(entry)s was added to %(list)s"),
            _l("Entry added"),
        ),
        "entry.updated": (
            _l("%(entry)s in %(list)s was edited"),
            _l("Entry edited"),
        ),
        "entry.duplicated": (
            _l("%(entry)s was added to %(list)s as a copy"),
            _l("Entry copied"),
        ),
        "entry.deleted": (
            _l("%(entry)s was deleted from %(list)s"),
            _l("Entry deleted"),
        ),
        "entry.approved": (
            _l("%(entry)s in %(list)s was approved"),
            _l("Entry approved"),
        ),
        "entry.returned": (
            _l("%(entry)s in %(list)s was returned to the editor"),
            _l("Entry returned"),
        ),
        "entry.reopened": (
            _l("%(entry)s in %(list)s was reopened for changes"),
            _l("Entry reopened"),
        ),
    },
    values=_values,
    notes=_submitted,
)
audit.field_labels(
    {
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
    }
)
