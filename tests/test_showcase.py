"""Effective models (issue 21): recognition and withdrawal, photos (typed by content, resized,
no EXIF, refused when bad), the public showcase with its accent-folded search, replication
links and counts, visibility of photos, and query counts that do not grow with the data."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage

from tests import factories
from tests.factories import org
from tests.queries import counting_queries
from tests.test_backup import installation  # noqa: F401  (a fixture)
from tests.test_reports import YEAR, approved_list
from webapp import photos
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.photos import Photo
from webapp.policy import Action, can, check
from webapp.registrations.models import Entry
from webapp.reports import services as reports
from webapp.reports.models import LineStatus, Period
from webapp.showcase import queries, services
from webapp.showcase.models import EffectiveModel, EntryPhoto, ModelState, Replication

DECIDED = date(YEAR, 12, 20)


def jpeg_with_gps(width=1600, height=1200) -> bytes:
    """A phone-like JPEG: EXIF with GPS coordinates and an orientation tag."""
    image = Image.new("RGB", (width, height), (30, 120, 60))
    for x in range(0, width, 40):
        image.paste((200, 180, 40), (x, 0, x + 20, height))
    exif = Image.Exif()
    exif[0x0112] = 1  # orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (22.0, 9.0, 0.0), "E", (105.0, 50.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=85)
    return out.getvalue()


def progressed(db, tree, editor, reviewer, names=("Đường bê tông thôn Nà Mò",)) -> Entry:
    """An approved entry of C1 whose half-year report line says it is completed."""
    registration_list = approved_list(db, tree, editor, reviewer, names)
    report = reports.start_report(editor, tree.c1, org("nong_dan"), YEAR, Period.HALF_YEAR)
    db.session.flush()
    for line in report.lines:
        line.status = LineStatus.COMPLETED
        line.percent_done = 100
        line.money_people, line.money_state = 150_000_000, 50_000_000
        line.beneficiaries, line.land_m2 = 85, 300
    db.session.commit()
    return registration_list.entries[0]


@pytest.fixture
def entry(db, tree, editor_and_reviewer):
    editor, reviewer = editor_and_reviewer
    return progressed(db, tree, editor, reviewer)


def recognition(**changes) -> services.Recognition:
    values = services.Recognition(YEAR, "Vận động 200 triệu đồng", "15/QĐ-MTTQ", DECIDED)
    for name, value in changes.items():
        setattr(values, name, value)
    return values


def recognise(db, tree, entry) -> EffectiveModel:
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    model = services.recognise(admin, entry, recognition())
    db.session.commit()
    return model


def upload(data: bytes, name="anh.jpg"):
    return {"photo": (io.BytesIO(data), name)}


# Recognition and withdrawal


def test_the_district_recognises_an_approved_entry_with_progress_and_its_figures_are_kept(
    db, tree, entry, editor_and_reviewer
):
    editor, reviewer = editor_and_reviewer
    assert can(reviewer, Action.MODEL_RECOGNISE, entry)
    assert not can(editor, Action.MODEL_RECOGNISE, entry)  # not the level above
    model = services.recognise(reviewer, entry, recognition())
    db.session.commit()
    saved = db.session.get(EffectiveModel, model.id)
    assert (saved.state, saved.money_mobilized, saved.households, saved.land_m2) == (
        ModelState.RECOGNISED, 200_000_000, 85, 300,
    )  # fmt: skip
    assert saved.recognising_unit_id == tree.d1.id
    assert "duong be tong" in saved.search_text
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="model.recognised"))


def test_an_entry_without_progress_cannot_be_recognised(db, tree, editor_and_reviewer):
    editor, reviewer = editor_and_reviewer
    registration_list = approved_list(db, tree, editor, reviewer, ("Nuôi bò",))
    verdict = check(reviewer, Action.MODEL_RECOGNISE, registration_list.entries[0])
    assert verdict.in_scope and verdict.wrong_state


def test_recognising_through_the_form_with_a_photo_and_bad_values_kept(
    app, db, tree, entry, login_as
):
    client, _ = login_as(Role.REVIEWER, tree.d1)
    page = client.get(f"/models/recognise/{entry.id}")
    assert page.status_code == 200
    assert "200.000.000" in page.get_data(as_text=True)  # the citation starts from the figures
    data = {"year": YEAR, "citation": "Tốt", "decision_number": "", "decision_date": "20/12/2027"}
    refused = client.post(f"/models/recognise/{entry.id}", data=data)
    assert refused.status_code == 422
    assert "Tốt" in refused.get_data(as_text=True)
    data["decision_number"] = "15/QĐ-MTTQ"
    answer = client.post(
        f"/models/recognise/{entry.id}", data={**data, **upload(jpeg_with_gps())},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert answer.status_code == 303
    model = db.session.scalar(sa.select(EffectiveModel))
    assert answer.headers["Location"].endswith(f"/models/{model.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntryPhoto)) == 1


def test_withdrawal_needs_a_reason_and_hides_the_model(app, db, tree, entry, login_as):
    model = recognise(db, tree, entry)
    client, _ = login_as(Role.ADMIN, tree.province)
    client.post(f"/models/{model.id}/withdraw", data={"version": model.version, "reason": ""})
    assert db.session.get(EffectiveModel, model.id).state == ModelState.RECOGNISED
    answer = client.post(
        f"/models/{model.id}/withdraw", data={"version": model.version, "reason": "Sai số liệu"}
    )
    assert answer.status_code == 303
    db.session.expire_all()
    saved = db.session.get(EffectiveModel, model.id)
    assert (saved.state, saved.withdrawal_reason) == (ModelState.WITHDRAWN, "Sai số liệu")
    assert app.test_client().get(f"/models/{model.id}").status_code == 404
    assert "Sai số liệu" not in app.test_client().get("/models").get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="model.withdrawn"))
    again = client.post(
        f"/models/{model.id}/withdraw", data={"version": saved.version, "reason": "Lần nữa"}
    )
    assert again.status_code == 303  # already withdrawn: said so, nothing changed
    db.session.expire_all()
    assert db.session.get(EffectiveModel, model.id).withdrawal_reason == "Sai số liệu"


@pytest.mark.parametrize(
    ("role", "where", "action", "allowed"),
    [
        (Role.REVIEWER, "d1", Action.MODEL_RECOGNISE, True),
        (Role.ADMIN, "province", Action.MODEL_RECOGNISE, True),
        (Role.REVIEWER, "d2", Action.MODEL_RECOGNISE, False),
        (Role.EDITOR, "c1", Action.MODEL_RECOGNISE, False),
        (Role.REVIEWER, "d1", Action.MODEL_WITHDRAW, True),
        (Role.REVIEWER, "d2", Action.MODEL_WITHDRAW, False),
        (Role.EDITOR, "c3", Action.MODEL_REPLICATE, True),
        (Role.REVIEWER, "d2", Action.MODEL_REPLICATE, False),
        (Role.EDITOR, "c1", Action.ENTRY_PHOTO_ADD, True),
        (Role.EDITOR, "c3", Action.ENTRY_PHOTO_ADD, False),
        (Role.VIEWER, "d2", Action.MODEL_SPREAD, True),
    ],
)
def test_policy_matrix(db, tree, entry, role, where, action, allowed):
    model = recognise(db, tree, entry)
    user = factories.make_user(roles=[(role, getattr(tree, where))])
    obj = {
        Action.MODEL_RECOGNISE: entry,
        Action.ENTRY_PHOTO_ADD: entry,
        Action.MODEL_SPREAD: tree.d2,
    }.get(action, model)
    assert can(user, action, obj) is allowed


def test_out_of_scope_requests_are_refused_with_403(app, db, tree, entry, login_as):
    model = recognise(db, tree, entry)
    client, _ = login_as(Role.REVIEWER, tree.d2)
    assert client.get(f"/models/recognise/{entry.id}").status_code == 403
    withdraw = client.post(f"/models/{model.id}/withdraw", data={"version": 1, "reason": "x"})
    assert withdraw.status_code == 403
    assert client.post(f"/models/{model.id}/replicate", data={}).status_code == 403
    photo = client.post(
        f"/models/entries/{entry.id}/photos", data=upload(jpeg_with_gps(200, 150)),
        content_type="multipart/form-data",
    )  # fmt: skip
    assert photo.status_code == 403
    assert db.session.get(EffectiveModel, model.id).state == ModelState.RECOGNISED


# Photos


def _add(client, entry, data, name="anh.jpg"):
    return client.post(
        f"/models/entries/{entry.id}/photos", data=upload(data, name),
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip


def test_a_photo_is_resized_and_served_without_exif(app, db, tree, entry, login_as):
    model = recognise(db, tree, entry)
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert _add(client, entry, jpeg_with_gps()).status_code == 200
    photo = db.session.scalar(sa.select(Photo))
    assert photo.stored_widths == [96, 360, 720, 1280]
    page = app.test_client().get(f"/models/{model.id}").get_data(as_text=True)
    assert 'loading="lazy"' in page and "360w" in page and "sizes=" in page
    url = photo_url(photo, 360)
    assert f'srcset="{url[: -len("360.webp")]}96.webp 96w' in page  # WebP first
    for extension, kind in (("webp", "WEBP"), ("jpg", "JPEG")):  # JPEG: browsers without WebP
        assert photo_url(photo, 360, extension=extension) in page
        with app.test_client().get(photo_url(photo, 360, extension=extension)) as served:
            assert served.status_code == 200
            assert "immutable" in served.headers["Cache-Control"]
            data = served.data
        image = Image.open(io.BytesIO(data))
        assert image.format == kind and image.width == 360
        assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
        assert b"PhoneMaker" not in data and b"GPS" not in data
    assert app.test_client().get(f"/models/photos/{photo.id}/360.webp").status_code == 404
    assert app.test_client().get(photo_url(photo, 200)).status_code == 404  # not stored


def photo_url(photo, width, public=True, extension="webp") -> str:
    return f"/models/photos/{photo.id}/{photos.key(photo, public)}/{width}.{extension}"


def test_a_withdrawn_models_photos_leave_their_public_urls(app, db, tree, entry, login_as):
    model = recognise(db, tree, entry)
    client, _ = login_as(Role.EDITOR, tree.c1)
    _add(client, entry, jpeg_with_gps(400, 300))
    photo = db.session.scalar(sa.select(Photo))
    public = photo_url(photo, 96)
    listed = app.test_client().get("/models").get_data(as_text=True)
    assert public in listed and public.replace(".webp", ".jpg") in listed
    services.withdraw(factories.make_user(roles=[(Role.ADMIN, tree.province)]), model,
                      model.version, "Số liệu chưa đúng")  # fmt: skip
    db.session.commit()
    assert app.test_client().get(public).status_code == 404
    assert client.get(public).status_code == 404  # even for its readers: the key is stale
    private = photo_url(photo, 96, public=False)
    assert private != public and private in client.get(f"/models/{model.id}").get_data(as_text=True)
    with client.get(private) as own:
        assert own.status_code == 200
        assert {"private", "no-store"} <= set(own.headers["Cache-Control"].split(", "))
        assert "max-age" not in own.headers["Cache-Control"] and "Expires" not in own.headers
    assert app.test_client().get(private).status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "anh.jpg", "not a photo"),
        (b"\xff\xd8\xff\xe0" + b"0" * (30 * 1024 * 1024), "lon.jpg", "too large"),
        (None, "bom.png", "too many pixels"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00broken", "hong.jpg", "cannot be read"),
        ("truncated", "dut.jpg", "cannot be read"),
        ("huge png", "rong.png", "too many pixels"),
        ("gif", "dong.gif", "not a photo"),
        ("heic", "IMG_0001.HEIC", "heic"),
    ],
    ids=[
        "renamed pdf",
        "30 MB",
        "decompression bomb",
        "damaged",
        "truncated jpeg",
        "huge dimensions tiny png",
        "animated gif",
        "iphone heic",
    ],
)
def test_bad_uploads_are_refused_with_a_message(
    app, db, tree, entry, login_as, data, name, message
):
    app.config["PHOTO_MAX_BYTES"] = 8 * 1024 * 1024
    data = BAD.get(data, data) if isinstance(data, str) else data
    if data is None:
        bomb = io.BytesIO()
        Image.new("1", (12_000, 12_000)).save(bomb, format="PNG")
        data = bomb.getvalue()
    client, _ = login_as(Role.EDITOR, tree.c1)
    before = _files()
    answer = _add(client, entry, data, name)
    assert answer.status_code == 200
    texts = {
        "not a photo": "không phải là ảnh",
        "too large": "quá lớn",
        "too many pixels": "quá nhiều điểm ảnh",
        "cannot be read": "không đọc được",
        "heic": "heic",
    }
    shown = answer.get_data(as_text=True)
    assert texts[message] in shown.lower()
    if message in ("not a photo", "heic"):  # names the kinds it takes
        assert "JPEG, PNG" in shown and "WebP" in shown
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0
    assert _files() == before  # no partial file nor width left behind


def _files() -> set[str]:
    folder = photos.photos_dir()
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _huge_png() -> bytes:
    """A PNG that says 60,000 × 60,000 pixels in a few hundred bytes: its header is checked
    before any pixel is decoded."""
    import struct
    import zlib

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _animated_gif() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "green")]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=200)
    return out.getvalue()


BAD = {
    "truncated": jpeg_with_gps(800, 600)[:3000],
    "huge png": _huge_png(),
    "gif": _animated_gif(),
    # What an iPhone sends unless set to "Most compatible": an ISO box of brand heic.
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
}


def test_an_animated_webp_keeps_its_first_frame(app, db, tree, entry, login_as):
    out = io.BytesIO()
    frames = [Image.new("RGB", (200, 150), colour) for colour in ((200, 30, 30), (30, 30, 200))]
    frames[0].save(out, format="WEBP", save_all=True, append_images=frames[1:], duration=200)
    client, _ = login_as(Role.EDITOR, tree.c1)
    assert "Đã thêm ảnh" in _add(client, entry, out.getvalue(), "dong.webp").get_data(as_text=True)
    photo = db.session.scalar(sa.select(Photo))
    with Image.open(photos.path_of(photo, 96)) as stored:
        assert not getattr(stored, "is_animated", False)
        assert stored.convert("RGB").getpixel((48, 30))[0] > 150  # the first frame, red


def test_photos_are_limited_per_entry(app, db, tree, entry, login_as):
    client, _ = login_as(Role.EDITOR, tree.c1)
    small = jpeg_with_gps(200, 150)
    for _ in range(services.MAX_PHOTOS):
        _add(client, entry, small)
    answer = _add(client, entry, small)
    assert "tối đa" in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == services.MAX_PHOTOS


def test_photos_of_an_entry_that_is_not_public_are_only_for_its_readers(
    app, db, tree, entry, login_as
):
    client, _ = login_as(Role.EDITOR, tree.c1)
    _add(client, entry, jpeg_with_gps(400, 300))
    photo = db.session.scalar(sa.select(Photo))
    url = photo_url(photo, 360, public=False)
    with client.get(url) as own:
        assert own.status_code == 200 and "no-store" in own.headers["Cache-Control"]
    assert app.test_client().get(url).status_code == 404
    stranger, _ = login_as(Role.EDITOR, tree.c3)
    assert stranger.get(url).status_code == 403
    recognise(db, tree, entry)
    with client.get(photo_url(photo, 360)) as signed_in:  # signed in: nothing kept
        assert signed_in.headers["Cache-Control"] == "private, no-store"
        assert "Expires" not in signed_in.headers
    with app.test_client().get(photo_url(photo, 360)) as public:
        assert public.status_code == 200 and "public" in public.headers["Cache-Control"]


def test_a_backup_brings_back_the_photos(app, db, tree, entry, tmp_path, installation):  # noqa: F811
    model = recognise(db, tree, entry)
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    upload = FileStorage(io.BytesIO(jpeg_with_gps(400, 300)), filename="anh.jpg")
    services.add_photo(admin, model.entry, upload)
    db.session.commit()
    folder = photos.photos_dir()
    saved = {p.name: p.read_bytes() for p in photos.stored_files()}
    assert len(saved) == 2  # 96 and 360 px wide
    archive = tmp_path / "b.tar.gz"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    for path in folder.iterdir():
        path.unlink()
    restored = runner.invoke(args=["restore", "--force", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert {p.name: p.read_bytes() for p in photos.stored_files()} == saved


def test_a_commended_entry_links_to_its_model(app, db, tree, entry, editor_and_reviewer):
    from webapp.commendations import services as commendations

    editor, reviewer = editor_and_reviewer
    model = recognise(db, tree, entry)
    nomination = commendations.create_nomination(
        editor, tree.c1, YEAR,
        commendations.NomineeValues(kind="entry", entry_id=entry.id, reason="Hiệu quả"),
    )  # fmt: skip
    commendations.submit_nomination(editor, nomination, nomination.version)
    commendations.approve_nomination(reviewer, nomination, nomination.version)
    db.session.commit()
    page = app.test_client().get(f"/commendations/{YEAR}").get_data(as_text=True)
    assert f'href="/models/{model.id}"' in page


# The showcase


def test_the_showcase_finds_a_model_without_accents_and_filters(app, db, tree, entry):
    model = recognise(db, tree, entry)
    reader = app.test_client()
    page = reader.get("/models?q=duong+be+tong").get_data(as_text=True)
    assert entry.name in page
    assert entry.name not in reader.get("/models?q=nuoi+ca").get_data(as_text=True)
    assert entry.name in reader.get(f"/models?unit={tree.d1.id}").get_data(as_text=True)
    assert entry.name not in reader.get(f"/models?unit={tree.d2.id}").get_data(as_text=True)
    assert entry.name not in reader.get(f"/models?year={YEAR + 1}").get_data(as_text=True)
    shown = reader.get(f"/models/{model.id}").get_data(as_text=True)
    assert "15/QĐ-MTTQ" in shown and "Vận động 200 triệu đồng" in shown


def test_the_showcase_pages_through_many_models_keeping_the_filters(
    app, db, tree, editor_and_reviewer, monkeypatch
):
    """Pages of 2 here (12 in use): 3 models found, one more that the search leaves out."""
    monkeypatch.setattr(queries, "PER_PAGE", 2)
    editor, reviewer = editor_and_reviewer
    names = (
        "Đường bê tông thôn 0",
        "Đường bê tông thôn 1",
        "Đường bê tông thôn 2",
        "Nuôi cá ruộng",
    )
    registration_list = progressed(db, tree, editor, reviewer, names).registration_list
    admin = factories.make_user(roles=[(Role.ADMIN, tree.province)])
    for entry in registration_list.entries:
        services.recognise(admin, entry, recognition())
    db.session.commit()
    reader = app.test_client()

    def shown(query: str) -> list[str]:
        page = reader.get(f"/models?{query}").get_data(as_text=True)
        return [n for n in names if f">{n}</a>" in page]

    first = reader.get("/models?q=duong+be+tong").get_data(as_text=True)
    assert "3 mô hình" in first and "1 / 2" in first
    assert 'href="/models?q=duong+be+tong&amp;page=2"' in first  # the search kept
    assert len(shown("q=duong+be+tong")) == 2 and len(shown("q=duong+be+tong&page=2")) == 1
    assert set(shown("q=duong+be+tong") + shown("q=duong+be+tong&page=2")) == set(names[:3])
    assert shown("q=duong+be+tong&page=99") == []


# Replication


def test_an_editor_replicates_a_model_into_their_list_and_it_is_traced(
    app, db, tree, entry, login_as
):
    model = recognise(db, tree, entry)
    client, _ = login_as(Role.EDITOR, tree.c3)
    page = client.get(f"/models/{model.id}").get_data(as_text=True)
    assert "We will replicate this" in page or "nhân rộng" in page.lower()
    answer = client.post(
        f"/models/{model.id}/replicate",
        data={"unit": tree.c3.id, "organization": org("nong_dan").id, "year": YEAR},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    link = db.session.scalar(sa.select(Replication))
    copy = db.session.get(Entry, link.entry_id)
    assert (copy.name, copy.registration_list.unit_id, link.model_id) == (
        entry.name, tree.c3.id, model.id,
    )  # fmt: skip
    again = client.post(
        f"/models/{model.id}/replicate",
        data={"unit": tree.c3.id, "organization": org("nong_dan").id, "year": YEAR},
        follow_redirects=True,
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Replication)) == 1
    assert again.status_code == 200
    shown = app.test_client().get(f"/models/{model.id}").get_data(as_text=True)
    assert tree.c3.name in shown and "<svg" in shown
    rows, years = queries.spread(tree.province)
    assert years == [YEAR] and rows[0].by_year == {YEAR: 1} and rows[0].communes == 1
    assert rows[0].completed == 0  # no report on the copy yet
    # reviewers see the link on the entry
    reviewer, _ = login_as(Role.REVIEWER, tree.d2)
    listing = reviewer.get(f"/registrations/lists/{copy.list_id}").get_data(as_text=True)
    assert f"/models/{model.id}" in listing


def _line(db, entry, period, status, money, households):
    """A report line on a replicating entry, as its commune's report would hold it."""
    from webapp.reports.models import ProgressLine, ProgressReport

    unit, year = entry.registration_list.unit, entry.registration_list.year
    report = db.session.scalar(
        sa.select(ProgressReport).filter_by(unit_id=unit.id, year=year, period=period)
    ) or ProgressReport(unit=unit, organization=entry.lead_organization, year=year, period=period)
    report.lines.append(
        ProgressLine(entry=entry, status=status, money_people=money, beneficiaries=households)
    )
    db.session.add(report)


def test_the_spread_counts_communes_by_year_and_their_latest_results(
    app, db, tree, entry, login_as
):
    model = recognise(db, tree, entry)
    copies = {}
    for commune, year in ((tree.c2, YEAR), (tree.c3, YEAR), (tree.c3, YEAR + 1)):
        editor = factories.make_user(roles=[(Role.EDITOR, commune)])
        copies[commune.id, year] = services.replicate(editor, model, commune, org("nong_dan"), year)
    db.session.flush()
    # C2: half year 40 million for 10 households, the year's report 90 million for 25: the
    # year's line counts, not both. C3's first copy: a line in progress, 5 million.
    c2, c3 = copies[tree.c2.id, YEAR], copies[tree.c3.id, YEAR]
    _line(db, c2, Period.HALF_YEAR, LineStatus.IN_PROGRESS, 40_000_000, 10)
    _line(db, c2, Period.YEAR, LineStatus.COMPLETED, 90_000_000, 25)
    _line(db, c3, Period.HALF_YEAR, LineStatus.IN_PROGRESS, 5_000_000, None)
    db.session.commit()
    rows, years = queries.spread(tree.province)
    row = next(r for r in rows if r.model.id == model.id)
    assert years == [YEAR, YEAR + 1]
    assert row.by_year == {YEAR: 2, YEAR + 1: 1} and row.communes == 2
    assert (row.completed, row.money, row.households) == (1, 95_000_000, 25)
    assert queries.spread(tree.d2)[0] == []  # the model is D1's
    # The province finds the page from its home page, and it shows those figures.
    client, _ = login_as(Role.ADMIN, tree.province)
    home = client.get("/").get_data(as_text=True)
    assert f'href="/models/spread/{tree.province.id}"' in home
    page = client.get(f"/models/spread/{tree.province.id}").get_data(as_text=True)
    assert "95.000.000" in page and ">25<" in page


def test_an_editor_cannot_replicate_into_a_commune_not_theirs(app, db, tree, entry, login_as):
    model = recognise(db, tree, entry)
    client, _ = login_as(Role.EDITOR, tree.c3)
    answer = client.post(
        f"/models/{model.id}/replicate",
        data={"unit": tree.c2.id, "organization": org("nong_dan").id, "year": YEAR},
    )
    assert answer.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Replication)) == 0


def _replicated_in(db, tree, model, communes: int) -> None:
    district = factories.make_unit(level=factories.Level.DISTRICT, parent=tree.province)
    for _ in range(communes):
        commune = factories.make_unit(parent=district)
        editor = factories.make_user(roles=[(Role.EDITOR, commune)])
        services.replicate(editor, model, commune, org("nong_dan"), YEAR)
    db.session.commit()


def test_replication_queries_do_not_grow_with_the_data(app, db, tree, entry, login_as):
    model = recognise(db, tree, entry)
    _replicated_in(db, tree, model, 2)
    reader = app.test_client()
    admin, _ = login_as(Role.ADMIN, tree.province)
    counts = []
    for more in (0, 40):  # 2 communes, then 42: a province's worth
        _replicated_in(db, tree, model, more)
        with counting_queries() as model_page:
            assert reader.get(f"/models/{model.id}").status_code == 200
        with counting_queries() as spread_page:
            assert admin.get(f"/models/spread/{tree.province.id}").status_code == 200
        with counting_queries() as showcase:
            assert reader.get("/models").status_code == 200
        counts.append((len(model_page), len(spread_page), len(showcase)))
    assert counts[0] == counts[1], counts
    print("replication query counts (model page, spread, showcase):", counts)
