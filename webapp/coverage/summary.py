"""The aggregated list ("bảng tổng hợp đăng ký"): the entries counted under a unit in a year,
totalled per organization and content with their estimated budget by source, in aggregate
SQL; and the entries themselves, one row each, for the print view and the spreadsheet.

An entry belongs to the organization whose list holds it and is counted where the coverage
engine counts it (`located_entries`): located in one of the communes, or in a residential area
under one. Which lists the reader may open is the caller's (`policy.visible`) to narrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from webapp.campaign.models import Campaign, Content, MemberOrganization, ModelType
from webapp.coverage.queries import Tally, located_entries
from webapp.extensions import db
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.units.models import Unit


def summary_entries(
    communes: Select,
    year: int,
    states,
    *,
    organization_id: int | None = None,
    content_id: int | None = None,
) -> Select:
    """SELECT of the entries the summary counts: their ids and communes, joined to their
    list, so the caller can narrow it to the lists the reader may open."""
    located, commune_id = located_entries(communes, year, states)
    stmt = located.add_columns(commune_id)
    if organization_id is not None:
        stmt = stmt.where(RegistrationList.organization_id == organization_id)
    if content_id is not None:
        stmt = stmt.where(Entry.content_id == content_id)
    return stmt


@dataclass
class Amounts:
    """Entries counted and their estimated budget in whole đồng, by source."""

    entries: Tally = field(default_factory=Tally)
    people: int = 0
    state: int = 0
    other: int = 0

    @property
    def budget(self) -> int:
        return self.people + self.state + self.other

    def add(self, other: Amounts) -> None:
        self.entries.approved += other.entries.approved
        self.entries.submitted += other.entries.submitted
        self.people += other.people
        self.state += other.state
        self.other += other.other


@dataclass
class ContentLine:
    content: Content
    amounts: Amounts = field(default_factory=Amounts)


@dataclass
class OrganizationBlock:
    organization: MemberOrganization
    lines: list[ContentLine] = field(default_factory=list)
    amounts: Amounts = field(default_factory=Amounts)


@dataclass
class Summary:
    organizations: list[OrganizationBlock]
    per_content: list[ContentLine]
    total: Amounts


def _catalog(model, campaign: Campaign | None = None) -> dict[int, object]:
    stmt = sa.select(model)
    if campaign is not None:
        stmt = stmt.where(model.campaign_id == campaign.id)
    return {row.id: row for row in db.session.scalars(stmt)}


def summarize(campaign: Campaign, entries: Select) -> Summary:
    """Totals per organization and content of `entries` (from `summary_entries`), in one
    GROUP BY; organizations in their usual order, contents by number."""
    inner = entries.add_columns(
        RegistrationList.organization_id,
        Entry.content_id,
        Entry.state,
        Entry.budget_people,
        Entry.budget_state,
        Entry.budget_other,
    ).subquery()
    keys = (inner.c.organization_id, inner.c.content_id, inner.c.state)
    rows = db.session.execute(
        sa.select(
            *keys,
            sa.func.count(),
            *(
                sa.func.coalesce(sa.func.sum(column), 0)
                for column in (inner.c.budget_people, inner.c.budget_state, inner.c.budget_other)
            ),
        ).group_by(*keys)
    ).all()
    contents = _catalog(Content, campaign)
    organizations = _catalog(MemberOrganization)
    blocks: dict[int, OrganizationBlock] = {}
    per_content = {c.id: ContentLine(c) for c in sorted(contents.values(), key=_by_number)}
    total = Amounts()
    for organization_id, content_id, state, count, people, public, other in rows:
        amounts = Amounts(people=int(people), state=int(public), other=int(other))
        amounts.entries.add(state, count)
        block = blocks.setdefault(
            organization_id, OrganizationBlock(organizations[organization_id])
        )
        line = next((x for x in block.lines if x.content.id == content_id), None)
        if line is None:
            line = ContentLine(contents[content_id])
            block.lines.append(line)
        for target in (line.amounts, block.amounts, per_content[content_id].amounts, total):
            target.add(amounts)
    ordered = sorted(blocks.values(), key=lambda b: (b.organization.sort_order, b.organization.id))
    for block in ordered:
        block.lines.sort(key=lambda x: x.content.number)
    return Summary(ordered, list(per_content.values()), total)


def _by_number(content: Content) -> int:
    return content.number


@dataclass
class EntryLine:
    """One entry as the print view and the spreadsheet list it."""

    id: int
    name: str
    state: EntryState
    people: int | None
    state_budget: int | None
    other: int | None
    organization: MemberOrganization
    content: Content
    model_type: ModelType | None
    commune: str
    unit_above: str

    @property
    def budget(self) -> int:
        return (self.people or 0) + (self.state_budget or 0) + (self.other or 0)


def entry_lines(campaign: Campaign, entries: Select, limit: int | None = None) -> list[EntryLine]:
    """The entries of `entries` (from `summary_entries`), by organization, content, district
    and commune, in one query (and three for the catalogs they name)."""
    inner = entries.add_columns(
        Entry.name,
        Entry.state,
        Entry.budget_people,
        Entry.budget_state,
        Entry.budget_other,
        RegistrationList.organization_id,
        Entry.content_id,
        Entry.model_type_id,
    ).subquery()
    commune = aliased(Unit, name="entry_commune")
    above = aliased(Unit, name="entry_above")
    stmt = (
        sa.select(inner, commune.name.label("commune_name"), above.name.label("above_name"))
        .join(commune, commune.id == inner.c.commune_id)
        .outerjoin(above, above.id == commune.parent_id)
        .join(MemberOrganization, MemberOrganization.id == inner.c.organization_id)
        .join(Content, Content.id == inner.c.content_id)
        .order_by(
            MemberOrganization.sort_order,
            MemberOrganization.id,
            Content.number,
            above.code,
            above.name,
            commune.code,
            commune.name,
            inner.c.id,
        )
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    contents = _catalog(Content, campaign)
    organizations = _catalog(MemberOrganization)
    model_types = _catalog(ModelType)
    return [
        EntryLine(
            row.id,
            row.name,
            EntryState(row.state),
            row.budget_people,
            row.budget_state,
            row.budget_other,
            organizations[row.organization_id],
            contents[row.content_id],
            model_types.get(row.model_type_id),
            row.commune_name,
            row.above_name or "",
        )
        for row in db.session.execute(stmt)
    ]


def count_entries(entries: Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(entries.subquery())) or 0
