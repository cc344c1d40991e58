"""Opinions' files (issue 19): the photo a reader or the committee attaches (typed by content,
EXIF gone, stored widths; the committee's only unless published with the answer) and the
authority's answer document (typed by content like page attachments; public once answered)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.test_opinions import _form, _opinion, _post
from tests.test_showcase import jpeg_with_gps
from webapp.auth.models import Role
from webapp.extensions import db as _db
from webapp.opinions import services
from webapp.opinions.models import OpinionState
from webapp.photos import Photo

TEXT = "Đề nghị làm đèn đường ở thôn Nà Mò."
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _send(client, tree, photo: bytes | None, name="anh.jpg", **data):
    values = _form(tree, **data)
    if photo is not None:
        values["photo"] = (io.BytesIO(photo), name)
    return client.post(
        "/opinions/new",
        data=values,
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )


def _photos() -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(Photo))


@pytest.fixture
def with_photo(client, campaign, tree):
    response = _send(client, tree, jpeg_with_gps(1600, 1200))
    assert response.status_code == 303, response.get_data(as_text=True)
    return _opinion()


def test_a_photo_is_kept_without_exif_in_its_widths(app, with_photo, login_as, tree):
    photo = with_photo.photo
    assert photo is not None and photo.stored_widths == [96, 360, 720, 1280]
    assert not with_photo.photo_public
    editor, _user = login_as(Role.EDITOR, tree.c1)
    page = editor.get(f"/opinions/{with_photo.id}").get_data(as_text=True)
    url = f"/opinions/photos/{photo.id}/360.webp"
    assert url in page
    served = editor.get(url)
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert "no-store" in served.headers["Cache-Control"]
    data = served.get_data()
    image = Image.open(io.BytesIO(data))
    assert image.width == 360 and not image.getexif()
    assert b"PhoneMaker" not in data and b"GPS" not in data


def test_the_photo_is_not_for_visitors_nor_another_commune(app, with_photo, login_as, tree):
    url = f"/opinions/photos/{with_photo.photo_id}/360.webp"
    assert app.test_client().get(url).status_code == 404
    other, _user = login_as(Role.EDITOR, tree.c2)
    assert other.get(url).status_code == 403
    viewer, _user = login_as(Role.VIEWER, tree.c1)
    assert viewer.get(url).status_code == 403
    track = app.test_client().get(f"/opinions/track?code={with_photo.code}")
    assert "/opinions/photos/" not in track.get_data(as_text=True)
    district, _user = login_as(Role.REVIEWER, tree.d1)  # a level above sees it
    assert district.get(url).status_code == 200


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PDF, "anh.jpg", "không phải là ảnh"),
        (b"\xff\xd8\xff\xe0" + b"0" * (80 * 1024), "lon.jpg", "quá lớn: tối đa 64 kb"),
        (None, "bom.png", "quá nhiều điểm ảnh"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00broken", "hong.jpg", "không đọc được"),
        (b"garbage, not an image at all", "rac.jpg", "không phải là ảnh"),
    ],
    ids=["renamed pdf", "over the size", "decompression bomb", "damaged", "garbage"],
)
def test_a_bad_photo_is_answered_and_the_text_kept(
    app, client, campaign, tree, data, name, message, monkeypatch
):
    # Small enough for the test client to keep the body in memory (no spooled file left open).
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 64 * 1024)
    if data is None:
        bomb = io.BytesIO()
        Image.new("1", (12_000, 12_000)).save(bomb, format="PNG")
        data = bomb.getvalue()
    response = _send(client, tree, data, name, sender_name="Lò Văn Giữ")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page.lower()
    assert TEXT in page and "Lò Văn Giữ" in page
    assert _opinion() is None and _photos() == 0


def test_a_photo_must_be_chosen_again_after_a_message(client, campaign, tree):
    response = _send(client, tree, jpeg_with_gps(400, 300), text="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "chọn lại" in page.lower()  # the photo is not kept: the message says so
    assert _opinion() is None and _photos() == 0


def test_one_photo_at_most(client, campaign, tree):
    values = _form(tree)
    values["photo"] = [
        (io.BytesIO(jpeg_with_gps(300, 200)), "a.jpg"),
        (io.BytesIO(jpeg_with_gps(300, 200)), "b.jpg"),
    ]
    response = client.post("/opinions/new", data=values, content_type="multipart/form-data")
    assert response.status_code == 422
    assert TEXT in response.get_data(as_text=True)
    assert _opinion() is None and _photos() == 0


def test_a_meeting_record_takes_a_photo(login_as, campaign, tree):
    editor, user = login_as(Role.EDITOR, tree.c1)
    response = editor.post(
        "/opinions/record",
        data={
            "meeting_kind": "area_meeting",
            "commune": tree.c1.id,
            "topic": "policy",
            "text": "Đề nghị sửa cầu treo.",
            "people": "3",
            "photo": (io.BytesIO(jpeg_with_gps(500, 400)), "cau.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    opinion = _opinion()
    assert opinion.photo.stored_widths == [96, 360] and opinion.photo.uploaded_by_id == user.id


def _answer(client, opinion, document=None, **data):
    values = {
        "version": opinion.version,
        "answer_text": "Huyện sẽ lắp đèn trong quý II.",
        "agency": "UBND huyện Pác Nặm",
        **data,
    }
    if document is not None:
        values["document"] = document
    return client.post(
        f"/opinions/{opinion.id}/answer", data=values, content_type="multipart/form-data"
    )


def test_the_answer_document_is_public_once_answered(app, with_photo, login_as, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    assert _post(editor, with_photo, "accept").status_code == 303
    opinion = _opinion(with_photo.code)
    response = _answer(editor, opinion, (io.BytesIO(PDF), "tra-loi.pdf"))
    assert response.status_code == 303, response.get_data(as_text=True)
    opinion = _opinion(with_photo.code)
    assert opinion.state == OpinionState.ANSWERED
    assert opinion.answer_document_name == "tra-loi.pdf"
    assert opinion.answer_document_type == "application/pdf"
    path = services.answer_document_path(opinion)
    assert path.read_bytes() == PDF
    url = f"/opinions/{opinion.id}/answer/tra-loi.pdf"
    visitor = app.test_client()
    with visitor.get(url) as served:
        assert served.status_code == 200 and served.get_data() == PDF
        assert served.mimetype == "application/pdf"
        assert "public" in served.headers["Cache-Control"]
    assert url in visitor.get(f"/opinions/track?code={opinion.code}").get_data(as_text=True)
    answers = visitor.get("/opinions/answers").get_data(as_text=True)
    assert url in answers
    # Not marked publishable: the photo stays the committee's.
    assert "/opinions/photos/" not in answers
    assert visitor.get(f"/opinions/photos/{opinion.photo_id}/360.webp").status_code == 404


def test_a_document_before_the_answer_is_not_public(app, with_photo, login_as, tree):
    assert app.test_client().get(f"/opinions/{with_photo.id}/answer/x.pdf").status_code == 404
    other, _user = login_as(Role.EDITOR, tree.c2)
    assert other.get(f"/opinions/{with_photo.id}/answer/x.pdf").status_code == 403


def test_the_committee_may_publish_the_photo_with_the_answer(app, with_photo, login_as, tree):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    _post(editor, with_photo, "accept")
    response = _answer(editor, _opinion(with_photo.code), photo_public="y")
    assert response.status_code == 303
    opinion = _opinion(with_photo.code)
    assert opinion.photo_public and opinion.photo_published
    visitor = app.test_client()
    url = f"/opinions/photos/{opinion.photo_id}/360.webp"
    assert url in visitor.get("/opinions/answers").get_data(as_text=True)
    assert url in visitor.get(f"/opinions/track?code={opinion.code}").get_data(as_text=True)
    served = visitor.get(url)
    assert served.status_code == 200 and "public" in served.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00 an executable", "tra-loi.pdf", "không đính kèm được loại tệp này"),
        (PDF, "tra-loi.docx", ".docx"),
        (b"PK\x03\x04 not really a word file", "tra-loi.docx", "không đính kèm được"),
    ],
    ids=["executable", "pdf named docx", "broken zip"],
)
def test_a_bad_answer_document_is_refused(with_photo, login_as, tree, data, name, message):
    editor, _user = login_as(Role.EDITOR, tree.c1)
    _post(editor, with_photo, "accept")
    response = _answer(editor, _opinion(with_photo.code), (io.BytesIO(data), name))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page.lower() and "UBND huyện Pác Nặm" in page
    opinion = _opinion(with_photo.code)
    assert opinion.state == OpinionState.ACCEPTED and opinion.answer_document is None
