"""A full province of registrations for benchmarks: every Bắc Kạn commune (122) with a list of
each of the 10 member organizations and about 8 entries per list, in every state, some in
hamlets, a share of the communes recognised new-rural. Deterministic (seeded) so runs compare.

Inserted with bulk INSERTs inside the caller's app context; commit is the caller's.
"""

from __future__ import annotations

import random

import sqlalchemy as sa

from webapp.campaign.models import Content, MemberOrganization, ModelType
from webapp.extensions import db
from webapp.registrations.models import (
    Entry,
    EntryKind,
    EntryState,
    ListState,
    RegistrationList,
    entry_partners,
)
from webapp.units.models import Kind, Level, Unit, UnitYearAttribute

# How entries are spread over the states: most approved, as late in a season.
STATE_WEIGHTS = {
    EntryState.APPROVED: 6,
    EntryState.SUBMITTED: 2,
    EntryState.RETURNED: 1,
    EntryState.DRAFT: 1,
}
LIST_STATE = {
    EntryState.APPROVED: ListState.APPROVED,
    EntryState.SUBMITTED: ListState.SUBMITTED,
    EntryState.RETURNED: ListState.RETURNED,
    EntryState.DRAFT: ListState.DRAFT,
}


def generate(
    year: int,
    *,
    entries_per_list: int = 8,
    seed: int = 5,
    areas: dict[int, list[int]] | None = None,
) -> dict[str, int]:
    """Lists and entries for every current commune; returns what was created. `areas` (the
    hamlets of each commune) are made unless given, so several years share one set."""
    rng = random.Random(seed)
    communes = list(
        db.session.scalars(
            sa.select(Unit).where(Unit.level == Level.COMMUNE, Unit.valid_to.is_(None))
        )
    )
    organizations = list(db.session.scalars(sa.select(MemberOrganization)))
    contents = list(db.session.scalars(sa.select(Content)))
    model_types: dict[int, list[ModelType]] = {}
    for model in db.session.scalars(sa.select(ModelType)):
        model_types.setdefault(model.organization_id, []).append(model)
    if areas is None:
        areas = hamlets(communes)

    db.session.execute(
        sa.insert(UnitYearAttribute),
        [{"unit_id": c.id, "year": year, "is_new_rural": rng.random() < 0.4} for c in communes],
    )
    lists = []
    for commune in communes:
        for organization in organizations:
            state = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
            lists.append(
                {
                    "unit_id": commune.id,
                    "organization_id": organization.id,
                    "year": year,
                    "state": LIST_STATE[state],
                    "version": 1,
                }
            )
    db.session.execute(sa.insert(RegistrationList), lists)
    list_rows = db.session.execute(
        sa.select(
            RegistrationList.id, RegistrationList.unit_id, RegistrationList.organization_id
        ).where(RegistrationList.year == year)
    ).all()
    entries = []
    for list_id, unit_id, organization_id in list_rows:
        for position in range(rng.randint(entries_per_list - 3, entries_per_list + 3)):
            own = model_types.get(organization_id, [])
            model = rng.choice(own) if own and rng.random() < 0.6 else None
            content = rng.choice(
                [c for c in contents if model is None or c in model.contents] or contents
            )
            entries.append(
                {
                    "list_id": list_id,
                    "position": position,
                    "kind": rng.choice(list(EntryKind)),
                    "name": f"Mô hình {position + 1} của danh sách {list_id}",
                    "content_id": content.id,
                    "model_type_id": model.id if model else None,
                    "location_id": rng.choice([unit_id, unit_id, *areas[unit_id]]),
                    "lead_organization_id": organization_id,
                    "state": rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[
                        0
                    ],
                    "version": 1,
                }
            )
    db.session.execute(sa.insert(Entry), entries)
    partnered = db.session.execute(
        sa.select(Entry.id, Entry.lead_organization_id)
        .join(RegistrationList)
        .where(RegistrationList.year == year)
    ).all()
    partners = []
    for entry_id, lead in partnered:
        if rng.random() < 0.2:
            other = rng.choice([o for o in organizations if o.id != lead])
            partners.append({"entry_id": entry_id, "organization_id": other.id})
    if partners:
        db.session.execute(sa.insert(entry_partners), partners)
    return {
        "communes": len(communes),
        "lists": len(lists),
        "entries": len(entries),
        "partners": len(partners),
    }


def hamlets(communes: list[Unit]) -> dict[int, list[int]]:
    """Two hamlets under each commune, so entries are also located below communes."""
    rows = [
        {"name": f"Thôn {n} {c.name}", "kind": Kind.THON, "level": Level.AREA, "parent_id": c.id}
        for c in communes
        for n in (1, 2)
    ]
    db.session.execute(sa.insert(Unit), rows)
    areas: dict[int, list[int]] = {c.id: [] for c in communes}
    for area_id, parent_id in db.session.execute(
        sa.select(Unit.id, Unit.parent_id).where(Unit.level == Level.AREA)
    ):
        if parent_id in areas:
            areas[parent_id].append(area_id)
    return areas
