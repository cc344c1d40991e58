"""The requirement engine: which communes a coverage view covers, and how many entries each
commune has per content and per rule, in a fixed number of aggregate queries.

An entry counts for the commune it is located in; one located in a residential area (thôn,
bản, tổ dân phố) counts for the commune above it. Only approved entries count, and submitted
ones on request (shown apart, so nobody mistakes them for approved).

Organization rules ("Hội Phụ nữ … ít nhất 01 mô hình …") count an entry when the rule's
organization, or one of the rule's partner organizations, takes part in it as the lead or as a
partner organization: the plan's organizations build models together ("phối hợp"), and the
cooperative rule names the Farmers' and Women's Unions as partners because the Cooperative
Alliance has no committee in the communes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from webapp.campaign.models import (
    AppliesTo,
    Campaign,
    Content,
    Requirement,
    RequirementKind,
    requirement_model_types,
    requirement_partners,
)
from webapp.campaign.queries import requirements_in
from webapp.extensions import db
from webapp.registrations.models import Entry, EntryState, RegistrationList, entry_partners
from webapp.units.models import Level, Unit, UnitYearAttribute
from webapp.units.queries import active_on, subtree_ids, year_day


def communes_in_year(unit_id: int, year: int) -> Select:
    """SELECT of the ids of the communes a coverage view of `unit_id` covers in `year`: units of
    level commune in the unit's subtree (the unit itself if it is a commune), in the year's
    structure — the one in force on the year's day, as for registrations, so a year that spans
    a reorganization counts the communes its lists were made for. The one place that decides
    which communes are counted."""
    return sa.select(Unit.id).where(
        Unit.id.in_(subtree_ids([unit_id], name="coverage_tree")),
        Unit.level == Level.COMMUNE,
        active_on(year_day(year)),
    )


def counted_states(include_submitted: bool) -> tuple[EntryState, ...]:
    if include_submitted:
        return (EntryState.APPROVED, EntryState.SUBMITTED)
    return (EntryState.APPROVED,)


def located_entries(communes: Select, year: int, states) -> tuple[Select, sa.ColumnElement]:
    """Entries of the year's lists in the given states, located in one of `communes` or in a
    residential area under one; with the expression giving the commune of each."""
    location = aliased(Unit, name="location")
    commune_id = sa.case(
        (location.level == Level.AREA, location.parent_id), else_=location.id
    ).label("commune_id")
    stmt = (
        sa.select(Entry.id)
        .join(RegistrationList, RegistrationList.id == Entry.list_id)
        .join(location, location.id == Entry.location_id)
        .where(
            RegistrationList.year == year,
            Entry.state.in_(list(states)),
            commune_id.in_(communes),
        )
    )
    return stmt, commune_id


@dataclass
class Tally:
    """Entries counted for one cell: approved, and submitted ones not yet approved."""

    approved: int = 0
    submitted: int = 0

    def add(self, state: str, count: int) -> None:
        if state == EntryState.APPROVED:
            self.approved += count
        else:
            self.submitted += count

    def total(self, include_submitted: bool) -> int:
        return self.approved + (self.submitted if include_submitted else 0)


@dataclass
class RuleResult:
    requirement: Requirement
    applies: bool
    tally: Tally
    met: bool = False
    met_on_approved: bool = False
    missing_contents: list[Content] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """Met only thanks to submitted entries not yet approved."""
        return self.met and not self.met_on_approved


@dataclass
class CommuneCoverage:
    id: int
    name: str
    code: str | None
    parent_id: int | None
    parent_name: str | None
    is_new_rural: bool
    contents: dict[int, Tally] = field(default_factory=dict)
    rules: list[RuleResult] = field(default_factory=list)

    def tally(self, content_id: int) -> Tally:
        return self.contents.get(content_id) or Tally()

    def result(self, requirement_id: int) -> RuleResult:
        return next(r for r in self.rules if r.requirement.id == requirement_id)

    @property
    def applicable(self) -> list[RuleResult]:
        return [r for r in self.rules if r.applies]

    @property
    def gaps(self) -> list[RuleResult]:
        return [r for r in self.rules if r.applies and not r.met]

    @property
    def all_met(self) -> bool:
        return not self.gaps


@dataclass
class Share:
    """ "87 of 122 communes": how many of those a rule applies to meet it."""

    met: int = 0
    of: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.of) if self.of else None


@dataclass
class Group:
    """Totals over some communes (a district, or the whole view)."""

    id: int | None
    name: str
    communes: list[CommuneCoverage] = field(default_factory=list)
    all_contents: Share = field(default_factory=Share)
    per_content: dict[int, Share] = field(default_factory=dict)
    per_rule: dict[int, Share] = field(default_factory=dict)
    all_rules: Share = field(default_factory=Share)


@dataclass
class Coverage:
    year: int
    include_submitted: bool
    contents: list[Content]
    requirements: list[Requirement]
    communes: list[CommuneCoverage]
    groups: list[Group]
    total: Group

    @property
    def organization_rules(self) -> list[Requirement]:
        return [r for r in self.requirements if r.kind == RequirementKind.MODEL_TYPES]


def _commune_rows(communes: Select, year: int) -> list[CommuneCoverage]:
    parent = aliased(Unit, name="parent")
    rows = db.session.execute(
        sa.select(
            Unit.id,
            Unit.name,
            Unit.code,
            Unit.parent_id,
            parent.name,
            UnitYearAttribute.is_new_rural,
        )
        .outerjoin(parent, parent.id == Unit.parent_id)
        .outerjoin(
            UnitYearAttribute,
            sa.and_(UnitYearAttribute.unit_id == Unit.id, UnitYearAttribute.year == year),
        )
        .where(Unit.id.in_(communes))
        .order_by(parent.code, parent.name, Unit.code, Unit.name)
    )
    return [
        CommuneCoverage(id_, name, code, parent_id, parent_name, bool(new_rural))
        for id_, name, code, parent_id, parent_name, new_rural in rows
    ]


def _content_counts(communes: Select, year: int, states) -> list[tuple[int, int, str, int]]:
    """(commune, content, state, entries) for every non-empty cell."""
    entries, commune_id = located_entries(communes, year, states)
    inner = entries.add_columns(commune_id, Entry.content_id, Entry.state).subquery()
    return list(
        db.session.execute(
            sa.select(
                inner.c.commune_id, inner.c.content_id, inner.c.state, sa.func.count()
            ).group_by(inner.c.commune_id, inner.c.content_id, inner.c.state)
        )
    )


def rule_matches(
    communes: Select, year: int, states, requirement_ids: list[int]
) -> sa.CompoundSelect:
    """(entry, requirement, commune, content, state): the entries each rule counts. A rule
    with an organization counts the entries that organization or its partners take part in;
    a model-type rule counts entries of its model types only."""
    # Plain correlated lookups on primary keys: a CTE of every entry's organizations is
    # scanned whole for each entry on PostgreSQL.
    rule_partners = sa.select(requirement_partners.c.organization_id).where(
        requirement_partners.c.requirement_id == Requirement.id
    )
    partner_of_entry = (
        sa.select(entry_partners.c.entry_id)
        .where(
            entry_partners.c.entry_id == Entry.id,
            sa.or_(
                entry_partners.c.organization_id == Requirement.organization_id,
                entry_partners.c.organization_id.in_(rule_partners),
            ),
        )
        .exists()
    )
    takes_part = sa.or_(
        Entry.lead_organization_id == Requirement.organization_id,
        Entry.lead_organization_id.in_(rule_partners),
        partner_of_entry,
    )
    entries, commune_id = located_entries(communes, year, states)
    counted = entries.add_columns(
        Requirement.id.label("requirement_id"), commune_id, Entry.content_id, Entry.state
    )
    taken_part = sa.or_(Requirement.organization_id.is_(None), takes_part)
    # Joined through the model types, not across every rule: few entries match a rule's types.
    by_model_type = (
        counted.join(
            requirement_model_types,
            requirement_model_types.c.model_type_id == Entry.model_type_id,
        )
        .join(Requirement, Requirement.id == requirement_model_types.c.requirement_id)
        .where(
            Requirement.kind == RequirementKind.MODEL_TYPES,
            Requirement.id.in_(requirement_ids),
            taken_part,
        )
    )
    every_content = counted.join(Requirement, sa.true()).where(
        Requirement.kind == RequirementKind.EVERY_CONTENT,
        Requirement.id.in_(requirement_ids),
        taken_part,
    )
    return sa.union_all(by_model_type, every_content)


def _rule_counts(
    communes: Select, year: int, states, requirement_ids: list[int]
) -> list[tuple[int, int, int, str, int]]:
    """(requirement, commune, content, state, entries) for every non-empty cell."""
    if not requirement_ids:
        return []
    inner = rule_matches(communes, year, states, requirement_ids).subquery()
    columns = (inner.c.requirement_id, inner.c.commune_id, inner.c.content_id, inner.c.state)
    return list(db.session.execute(sa.select(*columns, sa.func.count()).group_by(*columns)))


def cell_entry_ids(
    communes: Select,
    year: int,
    states,
    *,
    content_id: int | None = None,
    requirement_id: int | None = None,
) -> Select:
    """SELECT of the ids of the entries behind a cell: those located in `communes`, of one
    content, or counted by one rule, or both."""
    if requirement_id is not None:
        inner = rule_matches(communes, year, states, [requirement_id]).subquery()
        stmt = sa.select(inner.c.id)
        if content_id is not None:
            stmt = stmt.where(inner.c.content_id == content_id)
        return stmt
    stmt, _ = located_entries(communes, year, states)
    if content_id is not None:
        stmt = stmt.where(Entry.content_id == content_id)
    return stmt


def _counts_every_entry(requirement: Requirement) -> bool:
    return requirement.kind == RequirementKind.EVERY_CONTENT and requirement.organization_id is None


def _judge(
    requirement: Requirement,
    commune: CommuneCoverage,
    per_content: dict[int, Tally],
    contents: list[Content],
    include_submitted: bool,
) -> RuleResult:
    applies = requirement.applies_to == AppliesTo.ALL_COMMUNES or (
        requirement.applies_to == AppliesTo.NEW_RURAL_COMMUNES and commune.is_new_rural
    )
    tally = Tally(
        sum(t.approved for t in per_content.values()),
        sum(t.submitted for t in per_content.values()),
    )
    result = RuleResult(requirement, applies, tally)
    need = requirement.min_count
    if requirement.kind == RequirementKind.EVERY_CONTENT:
        empty = Tally()
        result.missing_contents = [
            c for c in contents if per_content.get(c.id, empty).total(include_submitted) < need
        ]
        result.met = not result.missing_contents
        result.met_on_approved = all(
            per_content.get(c.id, empty).approved >= need for c in contents
        )
    else:
        result.met = tally.total(include_submitted) >= need
        result.met_on_approved = tally.approved >= need
    return result


def _group(
    group_id: int | None, name: str, communes, coverage_parts, include_submitted: bool
) -> Group:
    contents, requirements = coverage_parts
    group = Group(group_id, name, list(communes))
    group.per_content = {c.id: Share(of=len(group.communes)) for c in contents}
    group.per_rule = {r.id: Share() for r in requirements}
    group.all_contents.of = group.all_rules.of = len(group.communes)
    for commune in group.communes:
        filled = [c.id for c in contents if commune.tally(c.id).total(include_submitted) > 0]
        for content_id in filled:
            group.per_content[content_id].met += 1
        group.all_contents.met += int(len(filled) == len(contents))
        for result in commune.applicable:
            share = group.per_rule[result.requirement.id]
            share.of += 1
            share.met += int(result.met)
        group.all_rules.met += int(commune.all_met)
    return group


def evaluate(
    campaign: Campaign,
    unit: Unit,
    year: int,
    *,
    include_submitted: bool = False,
    communes: Select | None = None,
) -> Coverage:
    """Every commune under `unit` in `year` against the rules in force, with totals per parent
    unit (district) and for the whole view. `communes` narrows the selection further (the
    caller's scope). A fixed number of queries, however many communes there are."""
    selected = communes if communes is not None else communes_in_year(unit.id, year)
    states = counted_states(include_submitted)
    contents = list(
        db.session.scalars(
            sa.select(Content).where(Content.campaign_id == campaign.id).order_by(Content.number)
        )
    )
    requirements = requirements_in(campaign, year)
    rows = _commune_rows(selected, year)
    by_id = {row.id: row for row in rows}
    for commune_id, content_id, state, count in _content_counts(selected, year, states):
        by_id[commune_id].contents.setdefault(content_id, Tally()).add(state, count)
    # A content rule of no organization counts what the content matrix counts already.
    plain = {r.id for r in requirements if _counts_every_entry(r)}
    per_rule: dict[tuple[int, int], dict[int, Tally]] = {}
    for requirement_id, commune_id, content_id, state, count in _rule_counts(
        selected, year, states, [r.id for r in requirements if r.id not in plain]
    ):
        cell = per_rule.setdefault((requirement_id, commune_id), {})
        cell.setdefault(content_id, Tally()).add(state, count)
    for row in rows:
        row.rules = [
            _judge(
                r,
                row,
                row.contents if r.id in plain else per_rule.get((r.id, row.id), {}),
                contents,
                include_submitted,
            )
            for r in requirements
        ]
    parts = (contents, requirements)
    groups: dict[int | None, list[CommuneCoverage]] = {}
    for row in rows:
        groups.setdefault(row.parent_id, []).append(row)
    return Coverage(
        year=year,
        include_submitted=include_submitted,
        contents=contents,
        requirements=requirements,
        communes=rows,
        groups=[
            _group(parent_id, members[0].parent_name or "", members, parts, include_submitted)
            for parent_id, members in groups.items()
        ],
        total=_group(unit.id, unit.name, rows, parts, include_submitted),
    )


def by_province(coverage: Coverage) -> list[Group]:
    """The coverage's communes counted per province (each commune under the province above
    it, through a district if the year's structure has one), in code order: the national
    root's matrix, one row per province instead of every commune. One query."""
    uppers = {
        unit.id: unit
        for unit in db.session.scalars(
            sa.select(Unit).where(Unit.level.in_((Level.PROVINCE, Level.DISTRICT)))
        )
    }
    members: dict[int | None, list[CommuneCoverage]] = {}
    for row in coverage.communes:
        upper = uppers.get(row.parent_id)
        while upper is not None and upper.level != Level.PROVINCE:
            upper = uppers.get(upper.parent_id)
        members.setdefault(upper.id if upper else None, []).append(row)
    parts = (coverage.contents, coverage.requirements)
    order = sorted(members, key=lambda i: (uppers[i].code or "~", uppers[i].name) if i else ("~",))
    return [
        _group(i, uppers[i].name if i else "", members[i], parts, coverage.include_submitted)
        for i in order
    ]
