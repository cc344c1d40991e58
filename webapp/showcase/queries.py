"""Reading effective models: the public showcase with its filters and search, a model's
replications by district and commune, the spread of a unit's models by year, and the links
other pages show (a commended entry's model, an entry's source model).

Every function runs a fixed number of queries, whatever the number of models or replications:
rows come with what their templates show (selectinload), counts are aggregated in SQL.

Search reuses the guidance search's query handling (`webapp.pages.search`): the same cleaning,
the same folded words, each matched with `LIKE '%word%'` on the folded `search_text`, so it
behaves alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from webapp.campaign.models import Content, MemberOrganization, ModelType
from webapp.extensions import db
from webapp.pages.search import clean_query, query_words
from webapp.registrations.models import Entry, RegistrationList
from webapp.reports.models import LineStatus, Period, ProgressLine, ProgressReport
from webapp.showcase.models import EffectiveModel, EntryPhoto, ModelState, Replication
from webapp.units.models import Level, Unit
from webapp.units.queries import subtree_ids

PER_PAGE = 12


@dataclass(frozen=True)
class Filters:
    query: str = ""
    content_id: int | None = None
    organization_id: int | None = None
    model_type_id: int | None = None
    unit_id: int | None = None
    year: int | None = None
    page: int = 1

    @property
    def words(self) -> tuple[str, ...]:
        return query_words(self.query)

    @property
    def any(self) -> bool:
        return bool(
            self.query
            or self.content_id
            or self.organization_id
            or self.model_type_id
            or self.unit_id
            or self.year
        )


def as_filters(args) -> Filters:
    def number(name: str) -> int | None:
        value = args.get(name, "")
        return int(value) if value.isdigit() and len(value) < 10 else None

    query, _cut = clean_query(args.get("q"))
    return Filters(
        query=query,
        content_id=number("content"),
        organization_id=number("organization"),
        model_type_id=number("type"),
        unit_id=number("unit"),
        year=number("year"),
        page=max(1, number("page") or 1),
    )


@dataclass
class ShowcasePage:
    models: list[EffectiveModel]
    total: int
    filters: Filters
    thumbnails: dict[int, EntryPhoto] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _public():
    return EffectiveModel.state == ModelState.RECOGNISED


def _filtered(filters: Filters):
    stmt = (
        sa.select(EffectiveModel)
        .join(Entry, Entry.id == EffectiveModel.entry_id)
        .join(RegistrationList, RegistrationList.id == Entry.list_id)
        .where(_public())
    )
    if filters.content_id:
        stmt = stmt.where(Entry.content_id == filters.content_id)
    if filters.organization_id:
        stmt = stmt.where(Entry.lead_organization_id == filters.organization_id)
    if filters.model_type_id:
        stmt = stmt.where(Entry.model_type_id == filters.model_type_id)
    if filters.year:
        stmt = stmt.where(EffectiveModel.year == filters.year)
    if filters.unit_id:
        stmt = stmt.where(RegistrationList.unit_id.in_(_subtree(filters.unit_id)))
    for word in filters.words:
        stmt = stmt.where(EffectiveModel.search_text.contains(word, autoescape=True))
    return stmt


def _subtree(unit_id: int):
    """The unit and those below it, with the units it took over (as the policy sees it)."""
    return subtree_ids([unit_id], name="showcase_subtree")


def showcase(filters: Filters) -> ShowcasePage:
    """One page of recognised models, newest year first: three queries and the loads of
    what the cards show."""
    stmt = _filtered(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    models = list(
        db.session.scalars(
            stmt.options(*_card_loads())
            .order_by(
                EffectiveModel.year.desc(),
                EffectiveModel.decision_date.desc(),
                EffectiveModel.id.desc(),
            )
            .limit(PER_PAGE)
            .offset((filters.page - 1) * PER_PAGE)
        )
    )
    return ShowcasePage(models, total, filters, first_photos([m.entry_id for m in models]))


def _card_loads():
    entry = selectinload(EffectiveModel.entry)
    return (
        entry.selectinload(Entry.registration_list).selectinload(RegistrationList.unit),
        entry.selectinload(Entry.lead_organization),
        entry.selectinload(Entry.content),
        entry.selectinload(Entry.model_type),
        entry.selectinload(Entry.location),
    )


def first_photos(entry_ids: list[int]) -> dict[int, EntryPhoto]:
    """Each entry's first photo, one query."""
    if not entry_ids:
        return {}
    rows = db.session.scalars(
        sa.select(EntryPhoto)
        .where(EntryPhoto.entry_id.in_(entry_ids))
        .options(selectinload(EntryPhoto.photo))
        .order_by(EntryPhoto.entry_id, EntryPhoto.position, EntryPhoto.id)
    )
    first: dict[int, EntryPhoto] = {}
    for row in rows:
        first.setdefault(row.entry_id, row)
    return first


@dataclass(frozen=True)
class Choices:
    contents: list[Content]
    organizations: list[MemberOrganization]
    model_types: list[ModelType]
    units: list[Unit]  # where recognised models are, with the units above them
    years: list[int]


def choices() -> Choices:
    """What the filters offer: only values some recognised model has."""
    public = (
        sa.select(Entry.id, Entry.content_id, Entry.lead_organization_id, Entry.model_type_id)
        .join(EffectiveModel, EffectiveModel.entry_id == Entry.id)
        .where(_public())
        .subquery()
    )
    contents = db.session.scalars(
        sa.select(Content)
        .where(Content.id.in_(sa.select(public.c.content_id)))
        .order_by(Content.id)
    ).all()
    organizations = db.session.scalars(
        sa.select(MemberOrganization)
        .where(MemberOrganization.id.in_(sa.select(public.c.lead_organization_id)))
        .order_by(MemberOrganization.id)
    ).all()
    model_types = db.session.scalars(
        sa.select(ModelType)
        .where(ModelType.id.in_(sa.select(public.c.model_type_id)))
        .order_by(ModelType.id)
    ).all()
    years = db.session.scalars(
        sa.select(EffectiveModel.year)
        .where(_public())
        .distinct()
        .order_by(EffectiveModel.year.desc())
    ).all()
    return Choices(
        list(contents), list(organizations), list(model_types), _model_units(), list(years)
    )


def _model_units() -> list[Unit]:
    """The units of recognised models and those above them, as a tree in document order."""
    owners = (
        sa.select(RegistrationList.unit_id)
        .join(Entry, Entry.list_id == RegistrationList.id)
        .join(EffectiveModel, EffectiveModel.entry_id == Entry.id)
        .where(_public())
    )
    tree = (
        sa.select(Unit.id, Unit.parent_id)
        .where(Unit.id.in_(owners))
        .cte("showcase_up", recursive=True)
    )
    parent = aliased(Unit)
    tree = tree.union_all(
        sa.select(parent.id, parent.parent_id).where(parent.id == tree.c.parent_id)
    )
    units = db.session.scalars(sa.select(Unit).where(Unit.id.in_(sa.select(tree.c.id)))).all()
    by_parent: dict[int | None, list[Unit]] = defaultdict(list)
    ids = {u.id for u in units}
    for unit in units:
        by_parent[unit.parent_id if unit.parent_id in ids else None].append(unit)
    ordered: list[Unit] = []

    def walk(parent_id: int | None) -> None:
        for unit in sorted(by_parent.get(parent_id, []), key=lambda u: u.name):
            ordered.append(unit)
            walk(unit.id)

    walk(None)
    return ordered


def model_with_details(model_id: int) -> EffectiveModel | None:
    return db.session.scalar(
        sa.select(EffectiveModel).where(EffectiveModel.id == model_id).options(*_card_loads())
    )


@dataclass(frozen=True)
class Replicated:
    """One replication: the entry, its commune and the district above it (None after 2025)."""

    entry: Entry
    commune: Unit
    district: Unit | None
    year: int


def replications_of(model: EffectiveModel) -> list[Replicated]:
    """Every entry replicating the model, by district then commune; two queries."""
    entries = db.session.scalars(
        sa.select(Entry)
        .join(Replication, Replication.entry_id == Entry.id)
        .where(Replication.model_id == model.id)
        .options(
            selectinload(Entry.registration_list)
            .selectinload(RegistrationList.unit)
            .selectinload(Unit.parent)
        )
    ).all()
    rows = []
    for entry in entries:
        unit = entry.registration_list.unit
        parent = unit.parent
        district = parent if parent is not None and parent.level == Level.DISTRICT else None
        rows.append(Replicated(entry, unit, district, entry.registration_list.year))
    return sorted(
        rows, key=lambda r: (r.district.name if r.district else "", r.commune.name, r.year)
    )


@dataclass(frozen=True)
class Spread:
    model: EffectiveModel
    by_year: dict[int, int]  # year → communes replicating it that year
    communes: int  # distinct communes, all years
    completed: int = 0  # replicating entries a report line says are completed
    money: int = 0  # đồng mobilized, by the latest report line of each replicating entry
    households: int = 0  # households benefiting, the same way


def spread(unit: Unit) -> tuple[list[Spread], list[int]]:
    """For each model recognised in the unit's subtree: how many communes replicated it, by
    year, how many of those replications a report says are completed, and what their latest
    report lines say was mobilized and who benefited. Five queries whatever the number of
    models and replications."""
    subtree = _subtree(unit.id)
    models = db.session.scalars(
        sa.select(EffectiveModel)
        .join(Entry, Entry.id == EffectiveModel.entry_id)
        .join(RegistrationList, RegistrationList.id == Entry.list_id)
        .where(RegistrationList.unit_id.in_(subtree))
        .options(*_card_loads())
        .order_by(EffectiveModel.year.desc(), EffectiveModel.id)
    ).all()
    counts = db.session.execute(
        sa.select(
            Replication.model_id,
            RegistrationList.year,
            sa.func.count(sa.distinct(RegistrationList.unit_id)),
        )
        .join(Entry, Entry.id == Replication.entry_id)
        .join(RegistrationList, RegistrationList.id == Entry.list_id)
        .where(Replication.model_id.in_([m.id for m in models]))
        .group_by(Replication.model_id, RegistrationList.year)
    ).all()
    totals = dict(
        db.session.execute(
            sa.select(Replication.model_id, sa.func.count(sa.distinct(RegistrationList.unit_id)))
            .join(Entry, Entry.id == Replication.entry_id)
            .join(RegistrationList, RegistrationList.id == Entry.list_id)
            .where(Replication.model_id.in_([m.id for m in models]))
            .group_by(Replication.model_id)
        ).all()
    )
    completed_line = sa.exists().where(
        ProgressLine.entry_id == Entry.id, ProgressLine.status == LineStatus.COMPLETED
    )
    completed = dict(
        db.session.execute(
            sa.select(Replication.model_id, sa.func.count(sa.distinct(Entry.id)))
            .join(Entry, Entry.id == Replication.entry_id)
            .where(Replication.model_id.in_([m.id for m in models]), completed_line)
            .group_by(Replication.model_id)
        ).all()
    )
    results = {
        model_id: (money or 0, households or 0)
        for model_id, money, households in _replication_results([m.id for m in models])
    }
    by_model: dict[int, dict[int, int]] = defaultdict(dict)
    years: set[int] = set()
    for model_id, year, count in counts:
        by_model[model_id][year] = count
        years.add(year)
    rows = [
        Spread(
            m,
            by_model.get(m.id, {}),
            totals.get(m.id, 0),
            completed.get(m.id, 0),
            *results.get(m.id, (0, 0)),
        )
        for m in models
    ]
    return rows, sorted(years)


def _replication_results(model_ids: list[int]):
    """(model, đồng, households) summed over the replicating entries, each by its latest
    report line (the year's report before the half-year's, as a model's own results are
    read): the earlier lines of an entry repeat what the latest one counts."""
    period_order = sa.case((ProgressReport.period == Period.YEAR, 1), else_=0)
    ranked = (
        sa.select(
            Replication.model_id,
            ProgressLine.money_people,
            ProgressLine.money_state,
            ProgressLine.money_other,
            ProgressLine.beneficiaries,
            sa.func.row_number()
            .over(
                partition_by=ProgressLine.entry_id,
                order_by=(ProgressReport.year.desc(), period_order.desc(), ProgressLine.id.desc()),
            )
            .label("rank"),
        )
        .join(ProgressLine, ProgressLine.entry_id == Replication.entry_id)
        .join(ProgressReport, ProgressReport.id == ProgressLine.report_id)
        .where(Replication.model_id.in_(model_ids))
        .subquery()
    )
    money = (
        sa.func.coalesce(ranked.c.money_people, 0)
        + sa.func.coalesce(ranked.c.money_state, 0)
        + sa.func.coalesce(ranked.c.money_other, 0)
    )
    return db.session.execute(
        sa.select(ranked.c.model_id, sa.func.sum(money), sa.func.sum(ranked.c.beneficiaries))
        .where(ranked.c.rank == 1)
        .group_by(ranked.c.model_id)
    ).all()


def models_of_entries(entry_ids: list[int]) -> dict[int, EffectiveModel]:
    """The recognised model of each entry that has one (its latest year), one query."""
    if not entry_ids:
        return {}
    rows = db.session.scalars(
        sa.select(EffectiveModel)
        .where(EffectiveModel.entry_id.in_(entry_ids), _public())
        .order_by(EffectiveModel.year)
    )
    return {m.entry_id: m for m in rows}


def sources_of_entries(entry_ids: list[int]) -> dict[int, EffectiveModel]:
    """The model each of these entries replicates, one query."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        sa.select(Replication.entry_id, EffectiveModel)
        .join(EffectiveModel, EffectiveModel.id == Replication.model_id)
        .where(Replication.entry_id.in_(entry_ids))
        .options(selectinload(EffectiveModel.entry))
    ).all()
    return {entry_id: model for entry_id, model in rows}


def recognitions_of(entry: Entry) -> list[EffectiveModel]:
    return list(
        db.session.scalars(
            sa.select(EffectiveModel)
            .where(EffectiveModel.entry_id == entry.id)
            .order_by(EffectiveModel.year)
        )
    )
