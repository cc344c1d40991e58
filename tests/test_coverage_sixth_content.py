"""A sixth content is a data change only: added through the seed's own loader (a sixth row in
campaign.yaml), it shows as a column of the coverage matrix, a bar of the picture that fits its
viewBox, and the texts count six."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
import yaml

from tests.test_coverage import page_text
from tests.test_coverage_summary import (
    A,
    chart_rows,
    entry,
    sums,  # noqa: F401 (the fixture)
    this_year,
    url,
)
from webapp.auth.models import Role
from webapp.campaign.models import Campaign
from webapp.coverage.chart import WIDTH
from webapp.seed import loader

SVG = "{http://www.w3.org/2000/svg}"
SIXTH = {
    "number": 6,
    "short_vi": "Chuyển đổi số ở khu dân cư",
    "short_en": "Digital transformation in residential areas",
    "text_vi": "Đưa dịch vụ công trực tuyến và thanh toán không dùng tiền mặt đến từng khu dân cư.",
}


@pytest.fixture
def six(db, sums, tmp_path):  # noqa: F811 (the fixture imported above)
    """The seeded campaign with a sixth content loaded the way the seed loads the first five,
    and one approved entry for it in C1."""
    data = yaml.safe_load((loader.DATA / "campaign.yaml").read_text(encoding="utf-8"))
    data["contents"].append(SIXTH)
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    campaign = loader.load_campaign(path)
    db.session.flush()
    entry(
        sums.c1, "phu_nu", 6, A, 100_000, None, None,
        location=None, name="PN số hoá", year=this_year(),
    )  # fmt: skip
    db.session.commit()
    assert [c.number for c in db.session.get(Campaign, campaign.id).contents] == [1, 2, 3, 4, 5, 6]
    return sums


def svg_of(response) -> ET.Element:
    found = re.search(r"<svg class=\"chart\".*?</svg>", response.get_data(as_text=True), re.S)
    assert found, "no chart"
    return ET.fromstring(found.group(0))


def assert_fits(svg: ET.Element, contents: int) -> None:
    """Every content has a heading and, in each row, a bar; all within the viewBox, in columns
    of one width that do not overlap."""
    _, _, width, _ = (float(v) for v in svg.get("viewBox").split())
    assert width >= WIDTH
    heads = svg.find(f"{SVG}g[@class='heads']")
    assert [t.text for t in heads.iter(f"{SVG}text")] == [str(n) for n in range(1, contents + 1)]
    for text in heads.iter(f"{SVG}text"):
        assert float(text.get("x")) + 8 <= width  # a one-digit number at 11 px
    bars = [g for g in svg.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
    rows = len(bars) // contents
    assert rows >= 1 and len(bars) == rows * contents
    for start in range(0, len(bars), contents):
        backs = [g.findall(f"{SVG}rect")[0] for g in bars[start : start + contents]]
        xs = [float(r.get("x")) for r in backs]
        widths = {float(r.get("width")) for r in backs}
        assert len(widths) == 1, widths
        column = widths.pop()
        assert column >= 30  # room for "100%"
        assert all(b - a >= column for a, b in itertools.pairwise(xs))  # no overlap
        assert xs[-1] + column <= width  # the last bar inside the picture
        for bar in bars[start : start + contents]:
            fill = bar.findall(f"{SVG}rect")[1]
            assert 0 <= float(fill.get("width")) <= column


def test_a_sixth_content_shows_in_the_matrix_and_the_chart(six, login_as):
    client, _ = login_as(Role.VIEWER, six.province)
    client.set_cookie("lang", "en")
    matrix = client.get(url("show_contents", six.province))
    assert matrix.status_code == 200
    html = matrix.get_data(as_text=True)
    heads = re.findall(r'<th scope="col"><abbr title="([^"]*)">(\d)</abbr></th>', html)
    assert [n for _, n in heads[:6]] == ["1", "2", "3", "4", "5", "6"]
    assert heads[5][0] == SIXTH["short_en"]
    text = page_text(matrix)
    assert "The 6 contents" in text and "The 5 contents" not in text
    assert "communes have entries for all 6 contents" in text
    assert SIXTH["short_en"] in text  # in the legend
    svg = svg_of(matrix)
    assert_fits(svg, 6)
    rows = chart_rows(matrix)
    assert rows == {
        six.d1.name: ["50%", "50%", "0%", "0%", "0%", "50%"],
        six.d2.name: ["100%", "0%", "0%", "0%", "0%", "0%"],
    }

    dashboard = client.get("/")
    assert "Coverage of the 6 contents" in page_text(dashboard)
    assert chart_rows(dashboard) == rows
    assert_fits(svg_of(dashboard), 6)


def test_a_sixth_content_is_counted_in_vietnamese_too(six, login_as, app):
    welcome = page_text(app.test_client().get("/"))
    assert "06 nội dung" in welcome and "có công trình cho cả 6 nội dung" in welcome
    client, _ = login_as(Role.VIEWER, six.province)
    text = page_text(client.get(url("show_contents", six.province)))
    assert "06 nội dung" in text and "05 nội dung" not in text
    assert "xã có mục đăng ký cho cả 6 nội dung" in text
    commune = page_text(client.get(url("show_contents", six.c1)))
    assert "06 nội dung" in commune and SIXTH["short_vi"] in commune
    assert "Mức độ bao phủ 06 nội dung" in page_text(client.get("/"))
    campaign = page_text(client.get("/campaign"))
    assert "06 nội dung" in campaign and "cả 6 nội dung đều có ít nhất 1 công trình" in campaign
    assert SIXTH["short_vi"] in campaign


def test_more_contents_than_fit_widen_the_picture_instead_of_overflowing():
    from webapp.coverage.chart import MIN_COLUMN, columns

    assert columns(5) == (WIDTH // 5, WIDTH)  # as drawn before: unchanged
    assert columns(6) == (WIDTH // 6, WIDTH)
    for count in range(1, 10):  # a content's number is 1 to 9
        column, width = columns(count)
        assert column >= MIN_COLUMN and column * count <= width
