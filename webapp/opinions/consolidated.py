"""The consolidated list of opinions a committee sends to the authorities ("Tổng hợp ý kiến,
kiến nghị của cử tri và nhân dân"), and the record that it was sent.

Which opinions: those of the period (received from its first to its last day, local dates)
that the unit's committee handles — a commune's own opinions not sent up a level, or, for a
district or province, those sent up to it — or, when asked, every opinion of the communes below
the unit. Merged opinions are counted in the one they were merged into (its people and its
sources), and rejected ones are left out. The list never carries a sender's name, phone or
e-mail: only the topic, the text (its Vietnamese summary when there is one), the commune, the
number of people and where it was raised.

Sending the list (`record_dispatch`) keeps the states coherent with the handling steps: the
opinions it carries are now with the authority of the unit's own level, which owes the
answer, so a received opinion becomes "being handled" (accepted: putting it on the list is
taking it up), and one already being handled or sent up a level keeps its state — "sent up a
level" means the Front committee above took it over, which a list to the People's Committee
of the same level is not. What changes is the clock: overdue counts from the day of the latest
list that carried it (see `overdue`). The dispatch keeps which opinions it carried and the
number of people each stood for that day; the opinion's page lists its dispatches.

`build` decides what the document says, always in Vietnamese (it is filed with the
authorities); `to_docx` and `to_xlsx` only lay it out, with the official form's building blocks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.audit.services import record
from webapp.concurrency import take_write_lock
from webapp.db import local_today, local_zone
from webapp.exports.official_form import file_slug, in_vietnamese, place_and_date, unit_words
from webapp.extensions import db
from webapp.opinions.models import (
    Opinion,
    OpinionDispatch,
    OpinionDispatchItem,
    OpinionSource,
    OpinionState,
)
from webapp.opinions.services import OpinionError
from webapp.policy import Action
from webapp.units.models import Level, Unit
from webapp.units.queries import subtree_ids
from webapp.xlsx import cell_text

LEFT_OUT = (OpinionState.MERGED, OpinionState.REJECTED)
RECIPIENT_MAX, NUMBER_MAX = 200, 60
# Columns: (key, width in characters, alignment).
COLUMNS = (
    ("number", 5, "center"),
    ("text", 60, "left"),
    ("commune", 18, "left"),
    ("people", 9, "center"),
    ("sources", 40, "left"),
)


@dataclass(frozen=True)
class Row:
    number: int
    opinion_id: int
    code: str
    text: str
    commune: str
    people: int
    sources: str


@dataclass(frozen=True)
class Group:
    topic: str
    rows: tuple[Row, ...]

    @property
    def people(self) -> int:
        return sum(row.people for row in self.rows)


@dataclass(frozen=True)
class Consolidated:
    unit: Unit
    start: date
    end: date
    with_below: bool
    groups: tuple[Group, ...]
    issuer: str  # "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM\nXÃ BẰNG THÀNH"
    title: str
    subtitle: str
    date_line: str
    signer_title: str
    file_stem: str
    headings: tuple[str, ...]

    @property
    def opinion_ids(self) -> list[int]:
        return [row.opinion_id for group in self.groups for row in group.rows]

    @property
    def people(self) -> int:
        return sum(group.people for group in self.groups)

    @property
    def count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(UTC)


def handled_by(unit: Unit, with_below: bool):
    """SQL: the opinions the unit's committee lists."""
    if with_below:
        return Opinion.unit_id.in_(subtree_ids([unit.id], name="listed_units"))
    if unit.level == Level.COMMUNE:
        return sa.and_(Opinion.unit_id == unit.id, Opinion.forwarded_to_id.is_(None))
    return Opinion.forwarded_to_id == unit.id


def listed_opinions(unit: Unit, start: date, end: date, with_below: bool) -> list[Opinion]:
    stmt = (
        sa.select(Opinion)
        .where(
            handled_by(unit, with_below),
            Opinion.state.not_in(LEFT_OUT),
            Opinion.received_at >= _utc(start),
            Opinion.received_at < _utc(end + timedelta(days=1)),
        )
        .options(
            selectinload(Opinion.unit),
            selectinload(Opinion.content),
            selectinload(Opinion.merged),
        )
        .order_by(Opinion.received_at, Opinion.id)
    )
    return list(db.session.scalars(stmt))


def _sources(opinion: Opinion) -> str:
    """Where the opinion (and those merged into it) came from: how many were sent online, and
    each meeting with its kind, place and day."""
    everyone = [opinion, *opinion.merged]
    online = sum(1 for o in everyone if o.source == OpinionSource.ONLINE)
    lines = []
    if online:
        lines.append(pgettext("official form", "Sent online: %(num)d", num=online))
    for o in everyone:
        if o.source != OpinionSource.MEETING:
            continue
        parts = [
            str(o.meeting_kind.label) if o.meeting_kind else pgettext("official form", "Meeting")
        ]
        parts += [o.meeting_place] if o.meeting_place else []
        parts += [o.meeting_on.strftime("%d/%m/%Y")] if o.meeting_on else []
        # The opinion merged into counts the people of those merged into it too.
        own = o.people - sum(m.people for m in opinion.merged) if o is opinion else o.people
        parts.append(pgettext("official form", "%(num)d people", num=own))
        lines.append(", ".join(parts))
    return "\n".join(lines)


def _topic(opinion: Opinion) -> tuple[tuple[int, int], str]:
    """The group's sort key and heading: the campaign's contents in order, policies last."""
    if opinion.content is None:
        return (1, 0), pgettext("official form", "Mechanisms and policies")
    content = opinion.content
    heading = pgettext(
        "official form", "Content %(num)d: %(name)s", num=content.number, name=content.short_vi
    )
    return (0, content.number), heading


def build(unit: Unit, start: date, end: date, with_below: bool = False) -> Consolidated:
    opinions = listed_opinions(unit, start, end, with_below)
    with in_vietnamese():
        return _build(unit, start, end, with_below, opinions)


def _build(unit, start, end, with_below, opinions) -> Consolidated:
    by_topic: dict[tuple[int, int], tuple[str, list[Opinion]]] = {}
    for opinion in opinions:
        key, heading = _topic(opinion)
        by_topic.setdefault(key, (heading, []))[1].append(opinion)
    groups, number = [], 0
    for key in sorted(by_topic):
        heading, members = by_topic[key]
        rows = []
        for opinion in members:
            number += 1
            rows.append(
                Row(
                    number=number,
                    opinion_id=opinion.id,
                    code=opinion.code,
                    text=opinion.summary or opinion.text,
                    commune=opinion.unit.name,
                    people=opinion.people,
                    sources=_sources(opinion),
                )
            )
        groups.append(Group(heading, tuple(rows)))
    in_sentence, place = unit_words(unit)
    fmt = "%d/%m/%Y"
    return Consolidated(
        unit=unit,
        start=start,
        end=end,
        with_below=with_below,
        groups=tuple(groups),
        issuer=pgettext(
            "official form",
            "COMMITTEE OF THE VIETNAM FATHERLAND FRONT\n%(unit)s",
            unit=in_sentence.upper(),
        ),
        title=pgettext(
            "official form", "SUMMARY OF OPINIONS AND PROPOSALS OF VOTERS AND THE PEOPLE"
        ),
        subtitle=pgettext(
            "official form",
            "of %(unit)s, from %(start)s to %(end)s",
            unit=in_sentence,
            start=start.strftime(fmt),
            end=end.strftime(fmt),
        ),
        date_line=place_and_date(place, local_today()),
        signer_title=pgettext("official form", "ON BEHALF OF THE STANDING COMMITTEE"),
        file_stem=file_slug(f"tong hop y kien {in_sentence} {start:%Y%m%d} {end:%Y%m%d}"),
        headings=(
            pgettext("official form", "No."),
            pgettext("official form", "Opinion or proposal"),
            pgettext("official form", "Commune"),
            pgettext("official form", "People"),
            pgettext("official form", "Raised at"),
        ),
    )


def _group_line(group: Group) -> str:
    return pgettext(
        "official form",
        "%(topic)s (%(opinions)d opinions, %(people)d people)",
        topic=group.topic,
        opinions=len(group.rows),
        people=group.people,
    )


def _total_line(listing: Consolidated) -> str:
    return pgettext(
        "official form",
        "Total: %(opinions)d opinions and proposals raised by %(people)d people",
        opinions=listing.count,
        people=listing.people,
    )


def to_docx(listing: Consolidated) -> bytes:
    from webapp.exports import documents  # python-docx: loaded when a list is downloaded

    with in_vietnamese():
        motto = pgettext(
            "official form", "SOCIALIST REPUBLIC OF VIETNAM\nIndependence - Freedom - Happiness"
        )
        note = pgettext("official form", "(Signature and seal)")
    document = documents.new_document()
    documents.motto_header(document, listing.issuer, None, motto, listing.date_line)
    documents.paragraph(document, listing.title, bold=True, size=14, align="center")
    documents.paragraph(document, listing.subtitle, bold=True, align="center", space_after=12)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = document.styles["Table Grid"]
    for index, heading in enumerate(listing.headings):
        documents.table_cell(table.rows[0].cells[index], heading, align="center", bold=True)
    documents.repeat_as_header(table.rows[0])
    for group in listing.groups:
        cells = table.add_row().cells
        merged = cells[0].merge(cells[-1])
        documents.table_cell(merged, _group_line(group), bold=True)
        for row in group.rows:
            cells = table.add_row().cells
            values = (str(row.number), row.text, row.commune, str(row.people), row.sources)
            for index, value in enumerate(values):
                documents.table_cell(cells[index], value, align=COLUMNS[index][2])
    documents.paragraph(document, "")
    documents.paragraph(document, _total_line(listing), bold=True)
    documents.signature_block(document, None, listing.signer_title, note, None)
    return documents.document_bytes(document)


def to_xlsx(listing: Consolidated) -> bytes:
    import xlsxwriter  # loaded when a list is downloaded, not by every worker at start

    from webapp.exports import documents

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    with in_vietnamese():
        sheet = workbook.add_worksheet(pgettext("official form", "Opinions"))
        formats = documents.xlsx_formats(workbook)
        last = len(COLUMNS) - 1
        sheet.merge_range(0, 0, 0, last, listing.issuer.replace("\n", " - "), formats["unit"])
        sheet.merge_range(2, 0, 2, last, listing.title, formats["title"])
        sheet.merge_range(3, 0, 3, last, listing.subtitle, formats["subtitle"])
        head = 5
        for index, (heading, (_key, width, _align)) in enumerate(
            zip(listing.headings, COLUMNS, strict=True)
        ):
            sheet.set_column(index, index, width)
            sheet.write_string(head, index, heading, formats["head"])
        row_index = head + 1
        for group in listing.groups:
            sheet.merge_range(
                row_index, 0, row_index, last, _group_line(group), formats["total_label"]
            )
            row_index += 1
            for row in group.rows:
                values = (row.number, row.text, row.commune, row.people, row.sources)
                for index, value in enumerate(values):
                    align = COLUMNS[index][2]
                    documents.xlsx_write(sheet, row_index, index, value, formats[align])
                row_index += 1
        sheet.merge_range(
            row_index, 0, row_index, last, cell_text(_total_line(listing)), formats["total_label"]
        )
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(head, head)
    workbook.close()
    return buffer.getvalue()


def dispatches_of(unit: Unit) -> list[OpinionDispatch]:
    return list(
        db.session.scalars(
            sa.select(OpinionDispatch)
            .where(OpinionDispatch.unit_id == unit.id)
            .options(selectinload(OpinionDispatch.items))
            .order_by(OpinionDispatch.sent_on.desc(), OpinionDispatch.id.desc())
        )
    )


def dispatches_carrying(opinion: Opinion) -> list[OpinionDispatch]:
    return list(
        db.session.scalars(
            sa.select(OpinionDispatch)
            .join(OpinionDispatchItem, OpinionDispatchItem.dispatch_id == OpinionDispatch.id)
            .where(OpinionDispatchItem.opinion_id == opinion.id)
            .options(selectinload(OpinionDispatch.unit))
            .order_by(OpinionDispatch.sent_on, OpinionDispatch.id)
        )
    )


@dataclass
class DispatchValues:
    unit: Unit
    start: date
    end: date
    with_below: bool
    recipient: str
    number: str
    sent_on: date | None


def record_dispatch(user, values: DispatchValues) -> OpinionDispatch:
    """Record that the unit's list of the period was sent (see the module's docstring for the
    states)."""
    policy.ensure(user, Action.OPINION_DISPATCH, values.unit)
    if not values.recipient:
        raise OpinionError(_("Name the body the list was sent to."), "recipient")
    if len(values.recipient) > RECIPIENT_MAX:
        raise OpinionError(_("At most %(max)d characters.", max=RECIPIENT_MAX), "recipient")
    if not values.number:
        raise OpinionError(_("Give the document's number."), "number")
    if len(values.number) > NUMBER_MAX:
        raise OpinionError(_("At most %(max)d characters.", max=NUMBER_MAX), "number")
    if values.sent_on is None:
        raise OpinionError(_("Give the day it was sent."), "sent_on")
    if values.sent_on > local_today():
        raise OpinionError(_("The day it was sent cannot be in the future."), "sent_on")
    take_write_lock()
    opinions = listed_opinions(values.unit, values.start, values.end, values.with_below)
    if not opinions:
        raise OpinionError(_("No opinion is on this list: there is nothing to send."))
    dispatch = OpinionDispatch(
        unit=values.unit,
        period_from=values.start,
        period_to=values.end,
        with_below=values.with_below,
        recipient=values.recipient,
        number=values.number,
        sent_on=values.sent_on,
        created_by_id=user.id,
    )
    db.session.add(dispatch)
    for opinion in opinions:
        dispatch.items.append(OpinionDispatchItem(opinion=opinion, people=opinion.people))
        if opinion.state == OpinionState.RECEIVED:
            opinion.state = OpinionState.ACCEPTED
    record(
        user,
        "opinion.dispatched",
        dispatch,
        unit_id=values.unit.id,
        number=values.number,
        recipient=values.recipient,
        count=len(opinions),
    )
    return dispatch
