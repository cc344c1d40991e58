"""The official registration form as plain data, always in Vietnamese.

`build_form` is the one place that decides what the form says; the print page, the DOCX and the
XLSX only lay out what it returns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal
from flask import g
from flask_babel import force_locale, pgettext

from webapp.campaign.deadlines import current_campaign
from webapp.registrations.models import Entry, RegistrationList
from webapp.text import fold
from webapp.units.models import Kind, Unit

# The form's wording is translated under the msgctxt "official form", so that it keeps the
# form's own words when the interface's labels ("Location", "Notes" …) change. The context is
# written out in each call: the extractor only reads literal strings.
FORM_LANGUAGE = "vi"

# How a unit's kind reads inside a sentence: "Hội Nông dân xã Bằng Thành".
_KIND_WORDS = {
    Kind.TINH: "tỉnh",
    Kind.THANH_PHO: "thành phố",
    Kind.HUYEN: "huyện",
    Kind.THI_XA: "thị xã",
    Kind.XA: "xã",
    Kind.PHUONG: "phường",
    Kind.THI_TRAN: "thị trấn",
    Kind.THON: "thôn",
    Kind.BAN: "bản",
    Kind.TO_DAN_PHO: "tổ dân phố",
}

Cell = str | int | None


@contextmanager
def in_vietnamese() -> Iterator[None]:
    """Translate with the Vietnamese catalog and format for Vietnam, whatever the reader's
    interface language: the form is a document filed with the Front's committees."""
    had_language = "ui_lang" in g
    previous = g.get("ui_lang")
    g.ui_lang = FORM_LANGUAGE
    try:
        with force_locale(FORM_LANGUAGE):
            yield
    finally:
        if had_language:
            g.ui_lang = previous
        else:
            g.pop("ui_lang", None)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    width: float  # in characters: the spreadsheet's column width, relative widths elsewhere
    is_money: bool = False
    align: str = "left"  # "left", "center" or "right"


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]  # one per column; money as whole đồng, "\n" separates lines


@dataclass(frozen=True)
class OfficialForm:
    year: int
    owner: str  # "Hội Nông dân xã Bằng Thành"
    unit_line: str  # "ĐƠN VỊ: Hội Nông dân xã Bằng Thành"
    title: str  # "DANH SÁCH"
    subtitle: str
    reference: str | None  # "(Kèm theo Kế hoạch số 129/KH-MTTQ-BTT …)"
    columns: tuple[Column, ...]
    budget_heading: str  # over the money columns, which are adjacent
    rows: tuple[Row, ...]
    total_label: str
    totals: tuple[int | None, ...]  # one per money column
    date_line: str | None  # "Bằng Thành, ngày 05 tháng 7 năm 2017"
    signer_title: str | None
    signature_note: str  # "(Ký tên, đóng dấu)"
    signer_name: str | None
    file_stem: str  # ASCII: "danh-sach-2017-hoi-nong-dan-xa-bang-thanh"

    @property
    def budget_span(self) -> tuple[int, int]:
        """The [start, stop) indexes of the money columns."""
        money = [i for i, column in enumerate(self.columns) if column.is_money]
        return money[0], money[-1] + 1

    def text(self, index: int, value: Cell) -> str:
        """A cell as printed: money with Vietnamese digit grouping (1.500.000)."""
        if value is None:
            return ""
        if self.columns[index].is_money:
            return format_money(value)
        return str(value)


def format_money(amount: int) -> str:
    return format_decimal(amount, locale=FORM_LANGUAGE)


def build_form(registration_list: RegistrationList) -> OfficialForm:
    with in_vietnamese():
        return _build(registration_list)


def _build(registration_list: RegistrationList) -> OfficialForm:
    unit = registration_list.unit
    in_sentence, place = unit_words(unit)
    owner = f"{registration_list.organization.name_vi} {in_sentence}"
    campaign = current_campaign()
    reference = campaign.form_reference_vi if campaign else None
    columns = _columns()
    rows = tuple(_row(number, entry) for number, entry in enumerate(registration_list.entries, 1))
    money = [i for i, column in enumerate(columns) if column.is_money]
    totals = tuple(_sum(row.cells[i] for row in rows) for i in money)
    day = registration_list.registered_on
    return OfficialForm(
        year=registration_list.year,
        owner=owner,
        unit_line=pgettext("official form", "UNIT: %(owner)s", owner=owner),
        title=pgettext("official form", "LIST"),
        subtitle=pgettext(
            "official form",
            "Works, models and tasks of %(owner)s taking part in building new rural areas and "
            "civilised urban areas in %(year)s",
            owner=owner,
            year=str(registration_list.year),
        ),
        reference=f"({reference})" if reference else None,
        columns=columns,
        budget_heading=pgettext("official form", "Estimated budget (đồng)"),
        rows=rows,
        total_label=pgettext("official form", "Total"),
        totals=totals,
        date_line=place_and_date(place, day) if day else None,
        signer_title=registration_list.signer_title or None,
        signature_note=pgettext("official form", "(Signature and seal)"),
        signer_name=registration_list.signer_name or None,
        file_stem=file_slug(f"danh sach {registration_list.year} {owner}"),
    )


def _columns() -> tuple[Column, ...]:
    money = {"is_money": True, "align": "right"}
    return (
        Column("number", pgettext("official form", "No."), 5, align="center"),
        Column("name", pgettext("official form", "Work, model or task"), 32),
        Column("kind", pgettext("official form", "Type"), 16),
        Column("content", pgettext("official form", "Content no."), 8, align="center"),
        Column("location", pgettext("official form", "Location"), 16),
        Column("scale", pgettext("official form", "Scale"), 16),
        Column("period", pgettext("official form", "Period"), 12, align="center"),
        Column("budget_people", pgettext("official form", "People's contribution"), 14, **money),
        Column("budget_state", pgettext("official form", "State budget"), 14, **money),
        Column("budget_other", pgettext("official form", "Other sources"), 14, **money),
        Column("lead", pgettext("official form", "Lead organization"), 16),
        Column("partners", pgettext("official form", "Partner organizations"), 20),
        Column("notes", pgettext("official form", "Notes"), 16),
    )


def _row(number: int, entry: Entry) -> Row:
    kind = entry.kind.label
    if entry.model_type is not None:
        kind = f"{kind}\n{entry.model_type.name_vi}"
    return Row(
        (
            number,
            entry.name,
            kind,
            entry.content.number,
            entry.location.name,
            entry.scale or None,
            _period(entry.starts_on, entry.ends_on),
            entry.budget_people,
            entry.budget_state,
            entry.budget_other,
            entry.lead_organization.name_vi,
            ", ".join(p.name_vi for p in entry.partners) or None,
            entry.notes or None,
        )
    )


def _sum(values: Iterator[Cell]) -> int | None:
    amounts = [v for v in values if isinstance(v, int)]
    return sum(amounts) if amounts else None


def _month(day: date) -> str:
    return f"{day.month:02d}/{day.year}"


def _period(starts_on: date | None, ends_on: date | None) -> str | None:
    if starts_on and ends_on:
        if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
            return _month(starts_on)
        return f"{_month(starts_on)} – {_month(ends_on)}"
    if starts_on:
        return f"{_month(starts_on)} –"
    if ends_on:
        return f"– {_month(ends_on)}"
    return None


def unit_words(unit: Unit) -> tuple[str, str]:
    """The unit's name inside a sentence ("xã Bằng Thành") and as the place of the date line
    ("Bằng Thành")."""
    name = unicodedata.normalize("NFC", unit.name)
    word = _KIND_WORDS.get(unit.kind)
    if word and name.casefold().startswith(word + " "):
        rest = name[len(word) + 1 :].strip()
        return f"{word} {rest}", rest
    return name[:1].lower() + name[1:], name


def place_and_date(place: str, day: date) -> str:
    # Administrative documents write days below 10 and the months 1 and 2 with a leading zero
    # (Nghị định 30/2020/NĐ-CP): "ngày 05 tháng 02", but "tháng 7".
    return pgettext(
        "official form",
        "%(place)s, day %(day)s month %(month)s year %(year)s",
        place=place,
        day=f"{day.day:02d}",
        month=f"{day.month:02d}" if day.month < 3 else str(day.month),
        year=str(day.year),
    )


def file_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
