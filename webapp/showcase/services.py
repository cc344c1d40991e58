"""Recognising an entry as an effective model and withdrawing it, adding and removing the
photos of an entry's results, and replicating a model into a commune's own list. Each
function checks the policy itself, writes its audit event and flushes; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from webapp import photos, policy
from webapp.audit.services import record
from webapp.campaign.models import MemberOrganization
from webapp.concurrency import flush_or_stale, lock_current, take_write_lock
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.registrations import services as registrations
from webapp.registrations.models import Entry
from webapp.reports.models import Period, ProgressLine, ProgressReport
from webapp.showcase.models import (
    CAPTION_MAX,
    CITATION_MAX,
    DECISION_NUMBER_MAX,
    REASON_MAX,
    EffectiveModel,
    EntryPhoto,
    ModelState,
    Replication,
)
from webapp.text import clean, fold
from webapp.units.models import Unit

MAX_PHOTOS = 6  # per entry: enough to show a work, little enough for a phone's data


class ModelError(Refused):
    """A recognition, withdrawal, photo or replication that cannot be made; the message says
    why, next to `field` if any."""


@dataclass(frozen=True)
class Results:
    """An entry's results from its latest report line that has any."""

    money: int | None = None
    households: int | None = None
    land_m2: int | None = None
    text: str | None = None


@dataclass
class Recognition:
    year: int
    citation: str
    decision_number: str
    decision_date: date | None


def results_of(entry: Entry) -> Results:
    """The latest report line of the entry (the whole year before the first half)."""
    period_order = sa.case((ProgressReport.period == Period.YEAR, 1), else_=0)
    line = db.session.scalar(
        sa.select(ProgressLine)
        .join(ProgressReport, ProgressReport.id == ProgressLine.report_id)
        .where(ProgressLine.entry_id == entry.id)
        .order_by(ProgressReport.year.desc(), period_order.desc(), ProgressLine.id.desc())
        .limit(1)
    )
    if line is None:
        return Results()
    sources = [line.money_people, line.money_state, line.money_other]
    money = sum(v for v in sources if v) if any(v is not None for v in sources) else None
    return Results(money, line.beneficiaries, line.land_m2, line.result)


def default_citation(results: Results) -> str:
    """The short citation a recogniser starts from: the figures of the report line."""
    parts = []
    if results.money:
        parts.append(_("%(money)s đồng mobilized", money=format_decimal(results.money)))
    if results.households:
        parts.append(_("%(count)s households benefiting", count=format_decimal(results.households)))
    if results.land_m2:
        parts.append(_("%(area)s m² of land donated", area=format_decimal(results.land_m2)))
    text = "; ".join(parts)
    if results.text:
        text = f"{text}. {results.text}" if text else results.text
    return (text[:1].upper() + text[1:])[:CITATION_MAX]


def search_text(entry: Entry, citation: str) -> str:
    unit = entry.registration_list.unit
    places = [u.name for u in unit.covering_units()]
    words = [entry.name, entry.description or "", entry.scale or "", citation, *places]
    words.append(entry.lead_organization.name_vi)
    return fold(" ".join(words))


def _checked(values: Recognition) -> Recognition:
    citation = clean(values.citation)
    number = clean(values.decision_number)
    if not citation:
        raise ModelError(_("Write the model's results in a few words."), "citation")
    if len(citation) > CITATION_MAX:
        raise ModelError(
            _("The results are too long: at most %(max)d characters.", max=CITATION_MAX),
            "citation",
        )
    if not number:
        raise ModelError(_("Give the number of the decision."), "decision_number")
    if len(number) > DECISION_NUMBER_MAX:
        raise ModelError(
            _(
                "The decision number is too long: at most %(max)d characters.",
                max=DECISION_NUMBER_MAX,
            ),
            "decision_number",
        )
    if values.decision_date is None:
        raise ModelError(_("Give the date of the decision."), "decision_date")
    if values.decision_date.year < values.year:
        raise ModelError(
            _("The decision cannot be dated before the year it recognises."), "decision_date"
        )
    return Recognition(values.year, citation, number, values.decision_date)


def recognise(actor, entry: Entry, values: Recognition) -> EffectiveModel:
    policy.ensure(actor, Action.MODEL_RECOGNISE, entry)
    values = _checked(values)
    take_write_lock()
    existing = db.session.scalar(
        sa.select(EffectiveModel).filter_by(entry_id=entry.id, year=values.year)
    )
    if existing is not None and existing.state == ModelState.RECOGNISED:
        raise ModelError(
            _("This entry is already an effective model of %(year)d.", year=values.year)
        )
    results = results_of(entry)
    model = existing or EffectiveModel(entry=entry, year=values.year)
    model.state = ModelState.RECOGNISED
    model.recognising_unit = policy.unit_for(Action.MODEL_RECOGNISE, entry)
    model.citation = values.citation
    model.decision_number = values.decision_number
    model.decision_date = values.decision_date
    model.money_mobilized = results.money
    model.households = results.households
    model.land_m2 = results.land_m2
    model.search_text = search_text(entry, values.citation)
    model.recognised_by_id = actor.id
    model.withdrawn_by_id = model.withdrawn_at = model.withdrawal_reason = None
    db.session.add(model)
    db.session.flush()
    record(
        actor,
        "model.recognised",
        model,
        unit_id=entry.registration_list.unit_id,
        name=entry.name,
        year=values.year,
        entry_id=entry.id,
        citation=values.citation,
        decision_number=values.decision_number,
        decision_date=values.decision_date.isoformat(),
    )
    return model


def withdraw(actor, model: EffectiveModel, version: int, reason: str | None) -> None:
    lock_current(model, version)
    policy.ensure(actor, Action.MODEL_WITHDRAW, model)
    reason = clean(reason)
    if not reason:
        raise ModelError(_("Say why the recognition is withdrawn."), "reason")
    if len(reason) > REASON_MAX:
        raise ModelError(
            _("The reason is too long: at most %(max)d characters.", max=REASON_MAX), "reason"
        )
    model.state = ModelState.WITHDRAWN
    model.withdrawal_reason = reason
    model.withdrawn_by_id = actor.id
    model.withdrawn_at = db.func.now()
    flush_or_stale(model)
    record(
        actor,
        "model.withdrawn",
        model,
        unit_id=model.entry.registration_list.unit_id,
        name=model.entry.name,
        year=model.year,
        withdrawal_reason=reason,
    )


def photos_of(entry: Entry) -> list[EntryPhoto]:
    return list(
        db.session.scalars(
            sa.select(EntryPhoto)
            .where(EntryPhoto.entry_id == entry.id)
            .order_by(EntryPhoto.position, EntryPhoto.id)
        )
    )


def add_photo(
    actor, entry: Entry, upload: FileStorage | None, caption: str | None = None
) -> EntryPhoto:
    policy.ensure(actor, Action.ENTRY_PHOTO_ADD, entry)
    caption = clean(caption) or None
    if caption and len(caption) > CAPTION_MAX:
        raise ModelError(
            _("The caption is too long: at most %(max)d characters.", max=CAPTION_MAX), "caption"
        )
    take_write_lock()
    existing = photos_of(entry)
    if len(existing) >= MAX_PHOTOS:
        raise ModelError(
            _("An entry has at most %(count)d photos: remove one first.", count=MAX_PHOTOS),
            "photo",
        )
    try:
        photo = photos.add_photo(upload, actor.id)
    except photos.PhotoError as error:
        raise ModelError(str(error), "photo") from error
    position = max((p.position for p in existing), default=0) + 1
    entry_photo = EntryPhoto(entry=entry, photo=photo, position=position, caption=caption)
    db.session.add(entry_photo)
    db.session.flush()
    record(
        actor,
        "photo.added",
        entry_photo,
        unit_id=entry.registration_list.unit_id,
        name=entry.name,
        entry_id=entry.id,
        widths=photo.widths,
    )
    return entry_photo


def remove_photo(actor, entry_photo: EntryPhoto) -> None:
    entry = entry_photo.entry
    policy.ensure(actor, Action.ENTRY_PHOTO_ADD, entry)
    record(
        actor,
        "photo.removed",
        entry_photo,
        unit_id=entry.registration_list.unit_id,
        name=entry.name,
        entry_id=entry.id,
    )
    db.session.delete(entry_photo)
    db.session.flush()


def replicate(
    actor, model: EffectiveModel, unit: Unit, organization: MemberOrganization, year: int
) -> Entry:
    """A new entry in the unit's list of the organization for the year, prefilled from the
    model's entry and linked to the model; the editor completes it like any draft."""
    policy.ensure(actor, Action.MODEL_REPLICATE, model)
    source = model.entry
    if unit.id == source.registration_list.unit_id:
        raise ModelError(_("This model comes from this commune: it needs no replication here."))
    registration_list = registrations.start_list(actor, unit, organization, year)
    db.session.flush()
    already = db.session.scalar(
        sa.select(Entry.id)
        .join(Replication, Replication.entry_id == Entry.id)
        .where(Entry.list_id == registration_list.id, Replication.model_id == model.id)
    )
    if already is not None:
        raise ModelError(_("This list already replicates this model."))
    values = registrations.EntryValues(
        kind=source.kind,
        name=source.name,
        content=source.content,
        location=unit,
        lead_organization=organization,
        model_type=source.model_type,
        description=source.description,
        scale=source.scale,
    )
    entry = registrations.add_entry(actor, registration_list, values)
    db.session.flush()
    db.session.add(Replication(entry=entry, model=model, created_by_id=actor.id))
    db.session.flush()
    record(
        actor,
        "model.replicated",
        model,
        unit_id=unit.id,
        name=source.name,
        year=year,
        entry_id=entry.id,
        model_id=model.id,
    )
    return entry
