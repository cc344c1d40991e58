"""The answers published back to the people: answered (and closed) opinions, by commune and
topic, searched with the accent-folded words of the guidance search (webapp.text). Only what
the public may read leaves here: the text shown (the committee's Vietnamese summary, else the
original), the count of people, the answer, its agency, date and document; the photo only when
the committee published it with the answer (webapp/opinions/attached.py); never a sender."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.opinions.forms import POLICY_TOPIC
from webapp.opinions.models import Opinion, OpinionState
from webapp.text import fold, has_all

PUBLISHED_STATES = (OpinionState.ANSWERED, OpinionState.CLOSED)


def published_clause():
    return sa.and_(Opinion.state.in_(PUBLISHED_STATES), Opinion.answer_text.is_not(None))


@dataclass(frozen=True)
class Filters:
    commune_ids: tuple[int, ...] | None = None  # None: every commune
    topic: str = ""  # "", a content's id, or POLICY_TOPIC (mechanisms and policies)
    words: tuple[str, ...] = ()  # folded (webapp.text.query_words)


def _filtered(stmt, filters: Filters):
    stmt = stmt.where(published_clause())
    if filters.commune_ids is not None:
        stmt = stmt.where(Opinion.unit_id.in_(filters.commune_ids))
    if filters.topic == POLICY_TOPIC:
        stmt = stmt.where(Opinion.content_id.is_(None))
    elif filters.topic:
        stmt = stmt.where(Opinion.content_id == int(filters.topic))
    return stmt


def shown_text(opinion) -> str:
    """What the public reads of an opinion: the Vietnamese summary if it was reworded (the
    original may be in any language, and may name people), else the original."""
    return opinion.summary or opinion.text


def matching_ids(filters: Filters) -> list[int]:
    """The published opinions that pass the filters, newest answer first. The words are matched
    here, in Python, on the folded text shown, answer and agency: opinions have no folded
    columns, and the answers of a province are a few thousand short texts at most, so the
    same folding as the guidance search serves both databases alike without a stored copy."""
    stmt = _filtered(
        sa.select(
            Opinion.id,
            Opinion.summary,
            Opinion.text,
            Opinion.answer_text,
            Opinion.answer_agency,
        ),
        filters,
    ).order_by(Opinion.answered_on.desc().nulls_last(), Opinion.id.desc())
    rows = db.session.execute(stmt)
    if not filters.words:
        return [row.id for row in rows]
    return [
        row.id
        for row in rows
        if has_all(
            fold(f"{shown_text(row)} {row.answer_text or ''} {row.answer_agency or ''}"),
            filters.words,
        )
    ]


def load(ids: list[int]) -> list[Opinion]:
    """The opinions of one page, in the order given, with their commune and topic."""
    if not ids:
        return []
    rows = db.session.scalars(
        sa.select(Opinion)
        .where(Opinion.id.in_(ids))
        .options(
            selectinload(Opinion.unit),
            selectinload(Opinion.content),
            selectinload(Opinion.photo),
        )
    )
    by_id = {o.id: o for o in rows}
    return [by_id[i] for i in ids if i in by_id]


def stamp() -> tuple:
    """What the published answers depend on, for the ETag: how many there are and the last
    change to any of them (a new answer, a reworded one, a closing)."""
    count, last = db.session.execute(
        sa.select(sa.func.count(Opinion.id), sa.func.max(Opinion.updated_at)).where(
            published_clause()
        )
    ).one()
    return count, str(last)
