"""A 2017 registration season for Pác Nặm district, made by the demo accounts (`seed --demo`).

The season is data, in data/demo_season_2017.yaml. Everything goes through the registration and
unit services with a demo account as the actor, so the policy is enforced and the audit trail
reads like a real season: most lists submitted before the 2017 deadline (15/7/2017), one
submitted late, two left as drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
import yaml

from webapp.auth.models import User
from webapp.campaign.deadlines import current_campaign
from webapp.campaign.models import MemberOrganization, ModelType
from webapp.extensions import db
from webapp.registrations import services
from webapp.registrations.models import Entry, EntryKind, ListState, RegistrationList
from webapp.seed.loader import DATA, FIRST_STRUCTURE_DAY
from webapp.text import fold
from webapp.units.models import Kind, Unit
from webapp.units.queries import active_on, subtree_ids
from webapp.units.services import add_area

SEASON_FILE = DATA / "demo_season_2017.yaml"


# The dataclasses mirror the YAML's keys, so a misspelt or missing key fails when it is read.
@dataclass(frozen=True)
class DemoEntry:
    kind: EntryKind
    content: int
    name: str
    scale: str
    months: tuple[int, int]
    # "" for the list's own unit; "Thôn …"/"Bản …" for an area of the list's commune (created
    # when missing); a GSO code for a commune below a district list.
    place: str = ""
    description: str | None = None
    model_type: str | None = None
    budget_people: int | None = None
    budget_state: int | None = None
    budget_other: int | None = None
    partners: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(frozen=True)
class DemoList:
    unit: str
    organization: str
    actor: str
    signer_title: str
    signer_name: str
    # When it was sent for review, in UTC; None leaves it a draft.
    submitted_at: datetime | None
    entries: tuple[DemoEntry, ...]


@dataclass(frozen=True)
class DemoSeason:
    year: int
    district: str
    lists: tuple[DemoList, ...]


def _read_season(path: Path = SEASON_FILE) -> DemoSeason:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return DemoSeason(
        year=data["year"],
        district=_code(data["district"]),
        lists=tuple(_demo_list(plan) for plan in data["lists"]),
    )


def _demo_list(plan: dict) -> DemoList:
    at = plan["submitted_at"]
    if at is not None and not (isinstance(at, datetime) and at.tzinfo is not None):
        raise ValueError(f"submitted_at needs a date, a time and a UTC offset, not {at!r}")
    values = plan | {
        "unit": _code(plan["unit"]),
        "submitted_at": None if at is None else at.astimezone(UTC),
        "entries": tuple(_demo_entry(row) for row in plan["entries"]),
    }
    return DemoList(**values)


def _demo_entry(row: dict) -> DemoEntry:
    values = row | {
        "kind": EntryKind(row["kind"]),
        "place": _code(row.get("place", "")),
        "months": tuple(row["months"]),
        "partners": tuple(row.get("partners", ())),
    }
    return DemoEntry(**values)


def _code(value: object) -> str:
    # Unquoted in YAML, "060" would be read as the octal number 48.
    if not isinstance(value, str):
        raise TypeError(f"quote codes and places in {SEASON_FILE.name}: {value!r}")
    return value


def load_demo_season() -> int:
    """Create the season's lists (with areas and entries) unless the district already has lists
    for the year; returns how many lists were created. The caller commits."""
    season = _read_season()
    district = _current_unit(season.district)
    if _season_lists(district, season.year):
        return 0
    return create_lists(season.year)


def create_lists(year: int, *, sent_at: datetime | None = None) -> int:
    """The season's lists (with areas and entries) made for `year` by their demo accounts: the
    demo season itself, or a copy of it in another year (tests/scenario.py). A list the season
    sent is sent at its recorded time, or at `sent_at` when given; drafts stay drafts. Returns
    how many lists were created. The caller commits."""
    season = _read_season()
    campaign = current_campaign()
    if campaign is None:
        raise LookupError("load the campaign before the demo season")
    contents = {c.number: c for c in campaign.contents}
    organizations = {o.code: o for o in db.session.scalars(sa.select(MemberOrganization))}
    model_types = {m.code: m for m in db.session.scalars(sa.select(ModelType))}
    for plan in season.lists:
        actor = _demo_user(plan.actor)
        unit = _current_unit(plan.unit)
        registration_list = services.start_list(actor, unit, organizations[plan.organization], year)
        services.update_header(
            actor,
            registration_list,
            registration_list.version,
            registered_on=None,  # the submission sets it
            signer_title=plan.signer_title,
            signer_name=plan.signer_name,
        )
        for row in plan.entries:
            values = services.EntryValues(
                kind=row.kind,
                name=row.name,
                content=contents[row.content],
                location=_place(actor, unit, row.place),
                lead_organization=registration_list.organization,
                model_type=model_types[row.model_type] if row.model_type else None,
                description=row.description,
                scale=row.scale,
                starts_on=date(year, row.months[0], 1),
                ends_on=date(year, row.months[1], 1),
                budget_people=row.budget_people,
                budget_state=row.budget_state,
                budget_other=row.budget_other,
                partners=[organizations[code] for code in row.partners],
                notes=row.notes,
            )
            services.add_entry(actor, registration_list, values)
        if plan.submitted_at is not None:
            services.submit_list(actor, registration_list, at=sent_at or plan.submitted_at)
    db.session.flush()
    return len(season.lists)


def summary(created: int) -> str:
    """One line for the seed command, read back from the database."""
    season = _read_season()
    district = _current_unit(season.district)
    lists = _season_lists(district, season.year)
    entries = db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(Entry.list_id.in_([rl.id for rl in lists]))
    )
    late = sum(rl.is_late for rl in lists)
    drafts = sum(rl.state == ListState.DRAFT for rl in lists)
    done = f"created {created} now" if created else "existed, nothing new"
    return (
        f"Demo season {season.year}, {district.name}: {len(lists)} registration lists"
        f" ({len(lists) - drafts} submitted, {late} of them late; {drafts} drafts)"
        f" with {entries} entries; {done}."
    )


def _current_unit(code: str) -> Unit:
    unit = db.session.scalar(
        sa.select(Unit).where(Unit.code == code, active_on(FIRST_STRUCTURE_DAY))
    )
    if unit is None:
        raise LookupError("load the units before the demo season")
    return unit


def _season_lists(district: Unit, year: int) -> list[RegistrationList]:
    return list(
        db.session.scalars(
            sa.select(RegistrationList)
            .where(
                RegistrationList.year == year,
                RegistrationList.unit_id.in_(subtree_ids([district.id])),
            )
            .order_by(RegistrationList.id)
        )
    )


def _demo_user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.is_active:
        raise LookupError(f"the demo account {username} is missing or inactive")
    return user


def _place(actor: User, unit: Unit, place: str) -> Unit:
    if not place:
        return unit
    if place.isdigit():
        return _current_unit(place)
    wanted = fold(place)
    for child in unit.children:
        if child.valid_to is None and fold(child.name) == wanted:
            return child
    kind = Kind.BAN if place.startswith("Bản ") else Kind.THON
    return add_area(actor, unit, name=place, kind=kind)
