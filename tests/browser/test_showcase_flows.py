"""Effective models in Chromium at 360 px with JavaScript off: the province recognises a model
with a photo, an anonymous reader finds it by searching without accents, another commune's
editor replicates it, the model's page shows the replication, and the photo a phone downloads
is the small width without EXIF. Then the showcase's first load with 12 models and photos."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFilter
from werkzeug.datastructures import FileStorage

from tests import factories
from tests.browser.conftest import (
    DEMO_YEAR,
    approve_demo_list,
    demo_user,
    drawing_only,
    sign_in,
)
from tests.live import NetworkMeter
from tests.test_showcase import jpeg_with_gps
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.registrations.models import ListState, RegistrationList
from webapp.reports import services as reports
from webapp.reports.models import LineStatus, Period
from webapp.showcase import services
from webapp.showcase.models import EffectiveModel
from webapp.text import fold
from webapp.units.models import Level, Unit

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/showcase-shots")
FIRST_LOAD_BUDGET = 40 * 1024


def _progressed_entry(organization: str):
    """The demo list of Bằng Thành of the organization approved, with a report whose lines say
    completed. Returns the first entry's id and name."""
    registration_list = approve_demo_list(organization)
    editor = demo_user("editor.pacnam")
    report = reports.start_report(
        editor, registration_list.unit, registration_list.organization, DEMO_YEAR, Period.YEAR
    )
    db.session.flush()
    for line in report.lines:
        line.status, line.percent_done = LineStatus.COMPLETED, 100
        line.money_people, line.beneficiaries, line.land_m2 = 320_000_000, 120, 450
    db.session.commit()
    entry = registration_list.entries[0]
    return entry.id, entry.name


def _other_commune_editor() -> tuple[str, int]:
    """An editor of a commune in another district than Bằng Thành's."""
    commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
    other = db.session.scalar(
        sa.select(Unit)
        .where(Unit.level == Level.COMMUNE, Unit.parent_id != commune.parent_id)
        .order_by(Unit.id)
        .limit(1)
    )
    user = factories.make_user(username="editor.other", roles=[(Role.EDITOR, other)])
    db.session.commit()
    return user.username, other.id


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_recognise_find_replicate_and_the_phone_gets_the_small_photo(app, new_page, tmp_path):
    with app.app_context():
        entry_id, name = _progressed_entry("mttq")
        other_editor, other_commune = _other_commune_editor()
    photo = tmp_path / "anh-mo-hinh.jpg"
    photo.write_bytes(jpeg_with_gps(2000, 1500))

    province = new_page(javascript=False)
    sign_in(province, "admin", "admin-bac-kan")
    province.goto(f"/models/recognise/{entry_id}")
    province.locator('input[name="decision_number"]').fill("27/QĐ-MTTQ")
    province.locator('input[name="decision_date"]').fill("20/12/2017")
    province.locator('input[name="photo"]').set_input_files(str(photo))
    province.locator('input[name="caption"]').fill("Đường bê tông sau khi hoàn thành")
    _shot(province, "recognise-360")
    province.get_by_role("button", name="Công nhận", exact=True).click()
    province.get_by_role("heading", level=1, name=name).wait_for()
    model_path = province.url.split("://", 1)[1].split("/", 1)[1]

    reader = new_page(javascript=False)
    reader.goto("/models")
    folded = fold(" ".join(name.split()[:3]))  # no accents, no đ: "duong be tong"
    reader.locator('input[name="q"]').fill(folded)
    reader.get_by_role("button", name="Hiển thị").click()
    reader.get_by_role("link", name=name).click()
    reader.get_by_role("heading", level=1, name=name).wait_for()

    editor = new_page(javascript=False)
    sign_in(editor, other_editor, factories.PASSWORD)
    editor.goto(f"/{model_path}")
    editor.locator('select[name="unit"]').select_option(str(other_commune))
    editor.get_by_role("button", name="Chúng tôi sẽ nhân rộng mô hình này").click()
    editor.get_by_role("heading", level=1, name="Sửa mục").wait_for()

    phone = new_page(javascript=False)
    photos = []
    phone.on("response", lambda r: photos.append(r) if r.url.endswith(".webp") else None)
    phone.goto(f"/{model_path}")
    phone.locator("svg.tree").wait_for()
    phone.locator("ul.photos img").first.scroll_into_view_if_needed()
    phone.wait_for_load_state("networkidle")
    with app.app_context():
        commune_name = db.session.get(Unit, other_commune).name
    assert commune_name in phone.locator("main").inner_text()
    assert photos and all(r.url.endswith("/360.webp") for r in photos), [r.url for r in photos]
    image = Image.open(io.BytesIO(photos[0].body()))
    assert image.width == 360 and not image.getexif() and "exif" not in image.info
    _shot(phone, "model-360")
    wide = new_page(javascript=False, width=1366)
    wide.goto(f"/{model_path}")
    _shot(wide, "model-1366")
    with app.app_context():
        province_id = db.session.scalar(sa.select(Unit.id).where(Unit.code == "06"))
        # This model and the demo's (seed --demo recognises three of Bộc Bố's entries).
        models = db.session.scalar(sa.select(sa.func.count(EffectiveModel.id)))
    for width in (360, 1366):
        admin = new_page(javascript=False, width=width)
        sign_in(admin, "admin", "admin-bac-kan")
        admin.goto(f"/models/spread/{province_id}")
        admin.get_by_role("heading", level=1).wait_for()
        assert admin.locator("tbody tr").count() == models == 4
        assert admin.locator("tbody tr", has_text=name).count() == 1
        _shot(admin, f"spread-{width}")


def _photo_like(seed: int) -> bytes:
    """A 1600×1200 JPEG that compresses like a real outdoor photo (sky, many blurred shapes):
    its 96 px WebP weighs about what a phone photo's does (1.5 KB), a flat picture far less."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1600, 1200))
    draw = ImageDraw.Draw(image)
    for y in range(1200):
        t = y / 1200
        draw.line(
            [(0, y), (1600, y)], fill=(int(120 + 80 * t), int(170 - 40 * t), int(220 - 150 * t))
        )
    for _ in range(1200):
        x, y, r = rng.randrange(1600), rng.randrange(300, 1200), rng.randrange(10, 120)
        colour = (rng.randrange(40, 200), rng.randrange(60, 180), rng.randrange(20, 120))
        draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=colour)
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(out, format="JPEG", quality=85)
    return out.getvalue()


def _twelve_models() -> None:
    """Every demo list of Bằng Thành approved with a completed report; 12 of its entries
    recognised, each with a photo."""
    admin, editor = demo_user("admin"), demo_user("editor.pacnam")
    commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
    lists = db.session.scalars(
        sa.select(RegistrationList)
        .where(RegistrationList.unit_id == commune.id, RegistrationList.year == DEMO_YEAR)
        .order_by(RegistrationList.id)
    ).all()
    entries = []
    for registration_list in lists:
        if registration_list.state != ListState.APPROVED:
            approve_demo_list(registration_list.organization.code)
        report = reports.find_report(
            commune.id, registration_list.organization_id, DEMO_YEAR, Period.YEAR
        ) or reports.start_report(
            editor, commune, registration_list.organization, DEMO_YEAR, Period.YEAR
        )
        db.session.flush()
        for line in report.lines:
            line.status, line.percent_done = LineStatus.COMPLETED, 100
        entries += registration_list.entries
    for number, entry in enumerate(entries[:12]):
        if not db.session.scalar(sa.select(EffectiveModel).filter_by(entry_id=entry.id)):
            values = services.Recognition(DEMO_YEAR, "Hiệu quả", "1/QĐ", date(2017, 12, 1))
            services.recognise(admin, entry, values)
        upload = FileStorage(io.BytesIO(_photo_like(number)), filename="anh.jpg")
        services.add_photo(admin, entry, upload)
    db.session.commit()


@drawing_only
def test_the_showcase_with_12_models_holds_the_first_load_budget(app, new_page):
    with app.app_context():
        _twelve_models()
    results = []
    for width in (360, 1366):
        page = new_page(javascript=True, width=width)
        meter = NetworkMeter(page)
        meter.clear_cache()
        meter.visit(page, "/models")
        # Lazy thumbnails come when Chromium decides (at once within ~1,250 px, or not before
        # "load"): scrolled to the end, all 12 are counted, as on a phone that scrolls.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        meter.settle(page)
        first = meter.total
        assert sum(url.endswith("/96.webp") for url in meter.by_url()) == 12, meter.by_url()
        count = page.locator("ul.models > li").count()
        results.append((width, first, count))
        _shot(page, f"models-{width}")
        if width == 360:
            without_webp = first + _fallback_extra(page)
    print("\nshowcase first load (width, bytes, models shown):", results)
    print("the same at 360 px for a browser without WebP (JPEG thumbnails):", without_webp)
    assert all(count == 12 for _, _, count in results)
    assert all(first <= FIRST_LOAD_BUDGET for _, first, _ in results), results
    assert without_webp <= FIRST_LOAD_BUDGET, without_webp


def _fallback_extra(page) -> int:
    """What the 12 JPEG thumbnails weigh more than the WebP ones Chromium fetched: the
    <img src> a browser without WebP takes instead of the <source>."""
    extra = 0
    for thumbnail in page.locator("ul.models picture").all():
        webp = thumbnail.locator("source").get_attribute("srcset")
        jpeg = thumbnail.locator("img").get_attribute("src")
        assert webp.endswith("/96.webp") and jpeg.endswith("/96.jpg")
        got = {url: page.request.get(url) for url in (webp, jpeg)}
        assert got[jpeg].headers["content-type"] == "image/jpeg"
        extra += len(got[jpeg].body()) - len(got[webp].body())
    return extra
