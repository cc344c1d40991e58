"""The coverage picture: per district, the share of its communes with at least one counted
entry for each content, laid out here as an inline SVG (no JavaScript, no library) that
`templates/coverage/_chart.html` draws. Built from one evaluated Coverage; the columns come
from the campaign's contents, however many it has."""

from __future__ import annotations

from dataclasses import dataclass

from webapp import policy
from webapp.campaign.models import Campaign, Content
from webapp.coverage.queries import Coverage, Share, communes_in_year, evaluate
from webapp.extensions import db
from webapp.policy import Action
from webapp.units.models import Level, Unit

WIDTH = 360  # the viewBox: drawn at the width of the page, down to a 360 px phone
# The contents share the width; below this a bar could not hold its "100%", so the viewBox
# widens instead (and the picture is drawn a little smaller).
MIN_COLUMN = 40
BAR = 16
HEAD = 22  # the row of content numbers
ROW = 40  # a district: its name, then its bars
# Light fills, so the dark percentages printed over them stay readable.
COLOURS = ("#9ecae1", "#a1d99b", "#fdd0a2", "#cbc9e2", "#fcbba1", "#c7e9c0", "#d9d9d9")


@dataclass
class Bar:
    content: Content
    share: Share
    x: int
    width: float
    colour: str

    @property
    def label(self) -> str:
        return "–" if self.share.percent is None else f"{self.share.percent}%"


@dataclass
class ChartRow:
    unit_id: int | None
    name: str
    y: int
    bars: list[Bar]


@dataclass
class Chart:
    year: int
    unit: Unit
    contents: list[Content]
    rows: list[ChartRow]
    height: int
    column: int
    width: int
    bar: int = BAR

    @property
    def heads(self) -> list[tuple[Content, int, str]]:
        return [
            (content, index * self.column, COLOURS[index % len(COLOURS)])
            for index, content in enumerate(self.contents)
        ]


def columns(count: int) -> tuple[int, int]:
    """The width of one content's column and of the whole picture, for `count` contents."""
    column = max(MIN_COLUMN, WIDTH // max(count, 1))
    return column, max(WIDTH, column * count)


def build(coverage: Coverage, unit: Unit) -> Chart:
    """One row per district (per group of communes under one unit) of the evaluation."""
    column, width = columns(len(coverage.contents))
    rows = []
    for number, group in enumerate(coverage.groups):
        y = HEAD + number * ROW
        bars = []
        for index, content in enumerate(coverage.contents):
            share = group.per_content.get(content.id, Share())
            filled = (column - 4) * share.met / share.of if share.of else 0
            colour = COLOURS[index % len(COLOURS)]
            bars.append(Bar(content, share, index * column, round(filled, 1), colour))
        rows.append(ChartRow(group.id, group.name or unit.name, y, bars))
    height = HEAD + len(rows) * ROW
    return Chart(coverage.year, unit, coverage.contents, rows, height, column, width)


def for_dashboard(user, campaign: Campaign | None, year: int) -> Chart | None:
    """The picture of the district or province the user reads coverage for (their own rows
    only), or None for those who read no coverage above a commune."""
    if campaign is None:
        return None
    roots = policy.scope_roots(user, Action.COVERAGE_VIEW)
    units = [db.session.get(Unit, unit_id) for unit_id in roots]
    unit = next((u for u in units if u.level in (Level.PROVINCE, Level.DISTRICT)), None)
    if unit is None:
        return None
    communes = policy.visible(user, Action.COVERAGE_VIEW, communes_in_year(unit.id, year))
    coverage = evaluate(campaign, unit, year, communes=communes)
    if not coverage.communes:
        return None
    return build(coverage, unit)
