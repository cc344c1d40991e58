"""Likely duplicates ("chồng chéo"): pairs of entries located in the same commune in the same
year, of lists sent for review, that share a model type or carry near-identical names; and
what reviewers decide about a pair ("not a duplicate", or "joint work" with a lead).

Advisory only: nothing here blocks a submission or an approval.

Entries count for the commune they are located in, one in a residential area for the commune
above it, as the requirement engine counts them. Submitted and approved entries are compared;
drafts and returned entries are still being written, and would flag pairs their editors are
about to change.

Candidates come from a fixed number of queries whatever the number of communes: one self-join
for shared model types, one for names, one read of the decisions. Names are read and compared
in Python within each commune. On PostgreSQL with OVERLAP_NAMES_IN_SQL, a self-join instead
keeps only the pairs with the same numbers whose folded names (`overlap_fold`, migration 0024)
are trigram-similar (pg_trgm) or whose words one contains the other's, and Python judges just
those with the same `names_alike`: the SQL filter is looser than `names_alike` (a ratio of 0.9
on the words leaves far more than the 0.3 trigram similarity `%` asks), so both find the same.
Off by default: measured slower on the national bench (see webapp/config.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql import Select

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import StaleVersion
from webapp.coverage.models import OverlapDecision, OverlapKind
from webapp.coverage.permissions import may_lead_joint_work
from webapp.coverage.queries import located_entries
from webapp.db import utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.text import fold
from webapp.units.models import Level, Unit

COMPARED_STATES = (EntryState.SUBMITTED, EntryState.APPROVED)

# Names whose sorted folded words match at least this closely (difflib ratio) are "near
# identical": a typo, a word more or less, the words in another order.
NAME_SIMILARITY = 0.9
# A name contained word for word in another counts only from this many words ("Mô hình nuôi
# gà" is in many names; "Mô hình nuôi gà thả vườn" is one work).
CONTAINED_WORDS = 5


class Reason:
    MODEL_TYPE = "model_type"
    NAME = "name"


_NOT_WORD = re.compile(r"[^\w]+")
_NUMBER = re.compile(r"\d+")


def folded_words(name: str) -> tuple[str, ...]:
    """A name as comparable words: lowercase, no accents, đ as d, punctuation dropped."""
    return tuple(_NOT_WORD.sub(" ", fold(name)).replace("_", " ").split())


@dataclass(frozen=True)
class _Name:
    words: frozenset[str]
    text: str  # the sorted words
    numbers: tuple[str, ...]  # "Đường số 1" and "Đường số 2" are two works

    @classmethod
    def of(cls, name: str) -> _Name:
        words = folded_words(name)
        return cls(
            frozenset(words),
            " ".join(sorted(words)),
            tuple(sorted(w for w in words if _NUMBER.fullmatch(w))),
        )


def names_alike(a: _Name, b: _Name) -> bool:
    """Near-identical folded names: equal, one containing the other word for word (when long
    enough to name one work), or close by difflib's ratio on the sorted words."""
    if not a.text or not b.text or a.numbers != b.numbers:
        return False
    if a.text == b.text:
        return True
    shorter, longer = sorted((a.words, b.words), key=len)
    if len(shorter) >= CONTAINED_WORDS and shorter <= longer:
        return True
    la, lb = len(a.text), len(b.text)
    if 2 * min(la, lb) / (la + lb) < NAME_SIMILARITY:  # the ratio cannot reach the threshold
        return False
    matcher = SequenceMatcher(None, a.text, b.text, autojunk=False)
    return matcher.quick_ratio() >= NAME_SIMILARITY and matcher.ratio() >= NAME_SIMILARITY


@dataclass
class Pair:
    commune_id: int
    first_id: int  # the smaller entry id
    second_id: int
    first_list_id: int
    second_list_id: int
    reasons: set[str] = field(default_factory=set)
    decision: OverlapDecision | None = None

    @property
    def key(self) -> tuple[int, int]:
        return self.first_id, self.second_id

    def involves_list(self, list_id: int) -> bool:
        return list_id in (self.first_list_id, self.second_list_id)


def _compared(communes: Select, year: int, lists: Select | None) -> tuple[Select, sa.ColumnElement]:
    """The compared entries located in `communes`, of the `lists` given (all when None)."""
    entries, commune_id = located_entries(communes, year, COMPARED_STATES)
    if lists is not None:
        entries = entries.where(Entry.list_id.in_(lists))
    return entries, commune_id


# (commune, entry, entry, its list, the other's list), the smaller entry id first.
_Found = tuple[int, int, int, int, int]


def _self_join(located, condition, *columns) -> list[tuple]:
    """Pairs of rows of the CTE `located` in the same commune meeting `condition(a, b)`: the
    commune, both ids, both lists, then `columns(a, b)`."""
    a, b = aliased(located, name="a"), aliased(located, name="b")
    return list(
        db.session.execute(
            sa.select(
                a.c.commune_id,
                a.c.id,
                b.c.id,
                a.c.list_id,
                b.c.list_id,
                *(column for make in columns for column in make(a, b)),
            ).join(
                b,
                sa.and_(b.c.commune_id == a.c.commune_id, a.c.id < b.c.id, condition(a, b)),
            )
        )
    )


def _same_model_type(communes: Select, year: int, lists: Select | None) -> list[_Found]:
    """Pairs of entries sharing a model type."""
    entries, commune_id = _compared(communes, year, lists)
    located = entries.add_columns(commune_id, Entry.list_id, Entry.model_type_id).cte("located")
    return _self_join(located, lambda a, b: b.c.model_type_id == a.c.model_type_id)


def _alike_names(communes: Select, year: int, lists: Select | None) -> list[_Found]:
    """Pairs of entries with near-identical names (`names_alike`)."""
    if (
        current_app.config["OVERLAP_NAMES_IN_SQL"]
        and db.session.get_bind().dialect.name == "postgresql"
    ):
        return _alike_names_trigram(communes, year, lists)
    return _alike_names_python(communes, year, lists)


def _alike_names_python(communes: Select, year: int, lists: Select | None) -> list[_Found]:
    """Every compared entry's name read, compared pairwise within its commune."""
    entries, commune_id = _compared(communes, year, lists)
    rows = db.session.execute(entries.add_columns(commune_id, Entry.list_id, Entry.name))
    # Names with other numbers are never alike: compare within (commune, numbers) only.
    by_group: dict[tuple, list[tuple[int, int, _Name]]] = defaultdict(list)
    for entry_id, commune_id, list_id, name in sorted(rows):
        named = _Name.of(name)
        by_group[(commune_id, named.numbers)].append((entry_id, list_id, named))
    found = []
    for (commune_id, _), named in by_group.items():
        for index, (first, first_list, a) in enumerate(named):
            for second, second_list, b in named[index + 1 :]:
                if names_alike(a, b):
                    found.append((commune_id, first, second, first_list, second_list))
    return found


def _alike_names_trigram(communes: Select, year: int, lists: Select | None) -> list[_Found]:
    """PostgreSQL: the candidate pairs from SQL — the same numbers (as `names_alike` asks), and
    trigram-similar folded names or the words of one, when at least CONTAINED_WORDS, all in the
    other — then `names_alike` on those, with the names read in the same query."""
    entries, commune_id = _compared(communes, year, lists)
    folded = sa.func.overlap_fold(Entry.name)
    words = sa.func.regexp_split_to_array(
        sa.func.btrim(sa.func.regexp_replace(folded, "[^[:alnum:]]+", " ", "g")), " "
    )
    located = entries.add_columns(
        commune_id,
        Entry.list_id,
        Entry.name,
        folded.label("folded"),
        words.label("words"),
        sa.func.cardinality(words).label("size"),
    ).cte("named")
    # The numbers among the words, sorted: names with other numbers are never alike.
    numbers = sa.literal_column(
        "ARRAY(SELECT w FROM unnest(named.words) AS w WHERE w ~ '^[0-9]+$' ORDER BY w)"
    )
    numbered = sa.select(located, numbers.label("numbers")).cte("numbered")

    def contains(a, b):
        return sa.and_(a.c.size >= CONTAINED_WORDS, a.c.words.op("<@")(b.c.words))

    candidates = _self_join(
        numbered,
        lambda a, b: sa.and_(
            a.c.numbers == b.c.numbers,
            sa.or_(a.c.folded.op("%")(b.c.folded), contains(a, b), contains(b, a)),
        ),
        lambda a, b: (a.c.name, b.c.name),
    )
    return [tuple(row[:5]) for row in candidates if names_alike(_Name.of(row[5]), _Name.of(row[6]))]


def detect(communes: Select, year: int, lists: Select | None = None) -> list[Pair]:
    """Every likely duplicate among the entries located in `communes` in `year`, with what
    was decided about it, ordered by commune and entry. With `lists` (a SELECT of list ids:
    those the reader may open), only entries of those lists are compared, so no pair shows an
    entry its reader could not open."""
    pairs: dict[tuple[int, int], Pair] = {}
    for reason, found in (
        (Reason.MODEL_TYPE, _same_model_type(communes, year, lists)),
        (Reason.NAME, _alike_names(communes, year, lists)),
    ):
        for commune_id, first, second, first_list, second_list in found:
            pair = pairs.get((first, second))
            if pair is None:
                pair = pairs[(first, second)] = Pair(
                    commune_id, first, second, first_list, second_list
                )
            pair.reasons.add(reason)
    if pairs:
        ids, _ = _compared(communes, year, lists)
        for decision in db.session.scalars(
            sa.select(OverlapDecision)
            .where(OverlapDecision.first_entry_id.in_(ids))
            .options(selectinload(OverlapDecision.decided_by))
        ):
            pair = pairs.get(decision.pair)
            if pair is not None:
                pair.decision = decision
    return sorted(pairs.values(), key=lambda p: (p.commune_id, p.first_id, p.second_id))


def reasons(first: Entry, second: Entry) -> set[str]:
    """Why two entries look alike, judged as `detect` judges them."""
    found = set()
    if first.model_type_id is not None and first.model_type_id == second.model_type_id:
        found.add(Reason.MODEL_TYPE)
    if names_alike(_Name.of(first.name), _Name.of(second.name)):
        found.add(Reason.NAME)
    return found


def communes_of_list(list_id: int) -> Select:
    """SELECT of the communes a list's entries are located in."""
    location = aliased(Unit, name="location")
    return (
        sa.select(sa.case((location.level == Level.AREA, location.parent_id), else_=location.id))
        .select_from(Entry)
        .join(location, location.id == Entry.location_id)
        .where(Entry.list_id == list_id)
        .distinct()
    )


def open_pairs_of_list(
    registration_list: RegistrationList, lists: Select | None = None
) -> list[Pair]:
    """The undecided pairs involving a list's entries (for the notice on its page), among the
    entries of `lists` (all when None)."""
    return [
        p
        for p in detect(communes_of_list(registration_list.id), registration_list.year, lists)
        if p.decision is None and p.involves_list(registration_list.id)
    ]


def commune_of(entry: Entry) -> Unit:
    return entry.location.parent if entry.location.level == Level.AREA else entry.location


# Decisions


class OverlapError(Refused, ValueError):
    """The two entries cannot form a pair (another commune or year, or the same entry)."""


def ordered(first_id: int, second_id: int) -> tuple[int, int]:
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


def pair_commune(first: Entry, second: Entry) -> Unit:
    """The commune both entries are located in, in the same year, both compared (submitted or
    approved): only pairs detection can find; else OverlapError."""
    commune = commune_of(first)
    if (
        first.id == second.id
        or first.state not in COMPARED_STATES
        or second.state not in COMPARED_STATES
        or commune.id != commune_of(second).id
        or first.registration_list.year != second.registration_list.year
    ):
        raise OverlapError("not a pair")
    return commune


def decision_of(first_id: int, second_id: int) -> OverlapDecision | None:
    low, high = ordered(first_id, second_id)
    return db.session.scalar(
        sa.select(OverlapDecision).where(
            OverlapDecision.first_entry_id == low, OverlapDecision.second_entry_id == high
        )
    )


def _changed(entry: Entry) -> None:
    """Mark the entry changed, so its version moves on: its partners are a many-to-many
    collection, which alone does not bump it, and an editor's form opened before would
    otherwise save over the change silently."""
    entry.updated_at = utcnow()


def _take_back_partner(decision: OverlapDecision) -> None:
    if decision.kind == OverlapKind.JOINT and decision.partner_added:
        lead = db.session.get(Entry, decision.lead_entry_id)
        other = db.session.get(Entry, decision.other(decision.lead_entry_id))
        if other.lead_organization in lead.partners:
            lead.partners.remove(other.lead_organization)
            _changed(lead)
    decision.partner_added = False


def take_back_joint_works(entry: Entry) -> None:
    """Before an entry goes away: the partners its joint-work decisions added to the entries
    they lead are removed (the decisions themselves go with the entry)."""
    with db.session.no_autoflush:
        for decision in db.session.scalars(
            sa.select(OverlapDecision).where(
                OverlapDecision.kind == OverlapKind.JOINT,
                OverlapDecision.lead_entry_id != entry.id,
                sa.or_(
                    OverlapDecision.first_entry_id == entry.id,
                    OverlapDecision.second_entry_id == entry.id,
                ),
            )
        ):
            _take_back_partner(decision)
    db.session.flush()


def _ensure_may_decide(actor, first: Entry, second: Entry) -> Unit:
    """The pair's commune, if the actor decides there and may open both entries' lists."""
    commune = pair_commune(first, second)
    policy.ensure(actor, Action.OVERLAP_DECIDE, commune)
    for entry in (first, second):
        policy.ensure(actor, Action.LIST_VIEW, entry.registration_list)
    return commune


def decide(
    actor,
    first: Entry,
    second: Entry,
    *,
    kind: OverlapKind,
    lead: Entry | None,
    note: str | None,
    version: int,
) -> OverlapDecision:
    """Record "not a duplicate" or "joint work" on a pair (replacing an earlier decision the
    user saw, `version`; 0 when they saw none). Joint work makes the other entry's
    organization a partner of the lead entry, so the coverage rules count it there: only
    one who may decide on the lead entry's list may lead with it."""
    commune = _ensure_may_decide(actor, first, second)
    decision = decision_of(first.id, second.id)
    if (decision.version if decision else 0) != version:
        raise StaleVersion(decision)  # someone decided meanwhile
    if kind == OverlapKind.JOINT:
        if lead is None or lead.id not in (first.id, second.id):
            raise OverlapError("a joint work needs its lead entry")
        if not may_lead_joint_work(actor, lead):
            raise policy.Denied(Action.OVERLAP_DECIDE)
    # One write of the decision: no flush half-way (loading partners would flush it).
    with db.session.no_autoflush:
        if decision is None:
            low, high = ordered(first.id, second.id)
            decision = OverlapDecision(first_entry_id=low, second_entry_id=high)
            db.session.add(decision)
        else:
            _take_back_partner(decision)
        decision.kind = kind
        decision.note = note or None
        decision.decided_by_id = actor.id
        decision.decided_at = utcnow()
        decision.lead_entry_id = lead.id if kind == OverlapKind.JOINT else None
        if kind == OverlapKind.JOINT:
            other = second if lead.id == first.id else first
            partner = other.lead_organization
            if partner.id != lead.lead_organization_id and partner not in lead.partners:
                lead.partners.append(partner)
                _changed(lead)
                decision.partner_added = True
    record(
        actor,
        "overlap.decided",
        decision,
        unit_id=commune.id,
        kind=str(kind),
        entries=[decision.first_entry_id, decision.second_entry_id],
        lead=decision.lead_entry_id,
        note=decision.note,
    )
    return decision


def reopen(actor, decision: OverlapDecision, *, version: int) -> None:
    """Take a decision back: the pair is open again, and a partner the joining added is
    removed from the lead entry."""
    commune = _ensure_may_decide(actor, decision.first_entry, decision.second_entry)
    if decision.version != version:
        raise StaleVersion(decision)  # someone decided meanwhile
    record(
        actor,
        "overlap.reopened",
        decision,
        unit_id=commune.id,
        kind=str(decision.kind),
        entries=[decision.first_entry_id, decision.second_entry_id],
    )
    _take_back_partner(decision)
    db.session.delete(decision)
    db.session.flush()


def joint_works(entry_ids: list[int]) -> dict[int, list[tuple[Entry, bool]]]:
    """For each entry, the entries it is joint work with, and whether that other one leads."""
    if not entry_ids:
        return {}
    decisions = db.session.scalars(
        sa.select(OverlapDecision).where(
            OverlapDecision.kind == OverlapKind.JOINT,
            sa.or_(
                OverlapDecision.first_entry_id.in_(entry_ids),
                OverlapDecision.second_entry_id.in_(entry_ids),
            ),
        )
    ).all()
    others = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Entry)
            .where(Entry.id.in_({i for d in decisions for i in d.pair}))
            .options(selectinload(Entry.lead_organization))
        )
    }
    found: dict[int, list[tuple[Entry, bool]]] = defaultdict(list)
    wanted = set(entry_ids)
    for d in decisions:
        for this, other in (d.pair, d.pair[::-1]):
            if this in wanted:
                found[this].append((others[other], d.lead_entry_id == other))
    return found
