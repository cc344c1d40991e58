"""Attachments of guidance pages: types checked by content (an .exe renamed .pdf is refused),
size limits, names from the uploader never used as paths, downloads with the right headers, the
policy on uploading and deleting, and files that follow their rows."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pytest
import sqlalchemy as sa
import xlsxwriter
from docx import Document
from flask import render_template

from tests import factories
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.pages import files, services
from webapp.pages.models import Attachment, PageKind, PageState
from webapp.pages.services import PageValues

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _docx() -> bytes:
    document = Document()
    document.add_paragraph("Mẫu danh sách đăng ký")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    workbook.add_worksheet("Danh sách").write(0, 0, "Công trình")
    workbook.close()
    return buffer.getvalue()


def _fake_docx() -> bytes:
    """A zip whose first entry is named like Word's, which is all filetype looks at."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
        package.writestr("evil.exe", EXE)
    return buffer.getvalue()


@pytest.fixture
def storage(app, tmp_path):
    """Attachments in a directory of their own; limits restored afterwards."""
    keys = ("ATTACHMENTS_DIR", "ATTACHMENT_MAX_BYTES", "MAX_CONTENT_LENGTH")
    saved = {key: app.config[key] for key in keys}
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    yield tmp_path / "attachments"
    app.config.update(saved)


def _stored(storage) -> list[str]:
    return sorted(p.name for p in storage.iterdir()) if storage.exists() else []


def make_page(unit, *, state=PageState.PUBLISHED, title="Hướng dẫn đăng ký"):
    from webapp.extensions import db

    publisher = factories.make_user(roles=[(Role.PUBLISHER, unit)])
    parent = factories.section_for(unit) if unit.parent is not None else None
    page = services.create_page(
        publisher, unit=unit, parent=parent, kind=PageKind.GUIDANCE, values=PageValues(title, "…")
    )
    if state != PageState.DRAFT:
        services.set_state(publisher, page, page.version, state)
    db.session.commit()
    return page


def upload(client, page, data: bytes, name: str, *, title: str = "", htmx: bool = False):
    return client.post(
        f"/pages/{page.id}/attachments",
        data={"file": (io.BytesIO(data), name), "title": title},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"} if htmx else {},
    )


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def attachments(db) -> list[Attachment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Attachment).order_by(Attachment.id)))


def in_english(client):
    client.set_cookie("lang", "en")
    return client


# Uploading


def test_upload_pdf_by_a_publisher_stores_it_under_a_generated_name(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, publisher = login_as(Role.PUBLISHER, tree.province)
    response = upload(client, page, PDF, "Kế hoạch 129.pdf", title="  Kế hoạch số 129  ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/pages/{page.id}/edit"
    (attachment,) = attachments(db)
    assert attachment.page_id == page.id and attachment.uploaded_by_id == publisher.id
    assert attachment.title == "Kế hoạch số 129" and attachment.search_title == "ke hoach so 129"
    assert attachment.filename == "Kế hoạch 129.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", attachment.stored_name)
    assert _stored(storage) == [attachment.stored_name]
    assert (storage / attachment.stored_name).read_bytes() == PDF
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "attachment.added"))
    assert event.actor_id == publisher.id and event.object_id == attachment.id
    assert event.unit_id == tree.province.id and event.details["filename"] == "Kế hoạch 129.pdf"
    assert [category for category, _ in flashes(client)] == ["success"]


@pytest.mark.parametrize(
    ("make", "name", "content_type", "extension"),
    [
        (_docx, "Mẫu đăng ký.docx", DOCX, "docx"),
        (_xlsx, "Danh sách.XLSX", XLSX, "xlsx"),
        (_png, "ảnh.png", "image/png", "png"),
    ],
)
def test_upload_office_files_and_images_accepted(
    db, tree, login_as, storage, make, name, content_type, extension
):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    assert upload(client, page, make(), name).status_code == 303
    (attachment,) = attachments(db)
    assert attachment.content_type == content_type
    assert attachment.stored_name.endswith(f".{extension}") and attachment.filename == name
    assert attachment.title == name.rpartition(".")[0]  # no title given: the name


def test_upload_by_an_admin_of_the_province_to_a_district_page_allowed(db, tree, login_as, storage):
    page = make_page(tree.d1)
    client, _ = login_as(Role.ADMIN, tree.province)
    assert upload(client, page, PDF, "a.pdf").status_code == 303
    assert len(attachments(db)) == 1


def test_upload_exe_renamed_pdf_refused(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    response = upload(in_english(client), page, EXE, "ke-hoach.pdf", title="Kế hoạch")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/pages/{page.id}/edit?attachment_title=")
    ((category, message),) = flashes(client)
    assert category == "error" and message.startswith("This kind of file cannot be attached.")
    assert attachments(db) == [] and _stored(storage) == []


def test_upload_png_named_pdf_refused_as_mismatch(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    assert upload(in_english(client), page, _png(), "bao-cao.pdf").status_code == 303
    ((_, message),) = flashes(client)
    assert message.startswith("The file name ends in .pdf, but the file is a PNG file.")
    assert attachments(db) == [] and _stored(storage) == []


def test_upload_docx_named_xlsx_refused_as_mismatch(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    upload(in_english(client), page, _docx(), "danh-sach.xlsx")
    ((_, message),) = flashes(client)
    assert ".xlsx, but the file is a Word file" in message
    assert attachments(db) == []


def test_upload_zip_dressed_as_docx_refused(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    upload(in_english(client), page, _fake_docx(), "mau.docx")
    ((_, message),) = flashes(client)
    assert message.startswith("This file cannot be read as a Word or Excel document")
    assert attachments(db) == [] and _stored(storage) == []


def test_upload_oversize_refused_with_the_limit(app, db, tree, login_as, storage):
    app.config["ATTACHMENT_MAX_BYTES"] = 2048
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    assert upload(in_english(client), page, PDF + b"0" * 4096, "lon.pdf").status_code == 303
    ((_, message),) = flashes(client)
    assert message == "The file is too large: at most 2 KB."
    assert attachments(db) == [] and _stored(storage) == []


def test_upload_far_over_the_request_limit_refused_before_reading(app, db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    in_english(client).csrf_token()
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, page, PDF + b"0" * 8192, "lon.pdf", title="Lớn")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/pages/{page.id}/edit"
    ((_, message),) = flashes(client)
    assert message == "The file is too large: at most 10 MB."
    htmx = upload(client, page, PDF + b"0" * 8192, "lon.pdf", htmx=True)
    assert htmx.status_code == 200 and "The file is too large" in htmx.get_data(as_text=True)
    assert attachments(db) == [] and _stored(storage) == []


def test_upload_far_over_the_limit_by_a_non_publisher_gets_the_error_page(
    app, db, tree, login_as, storage
):
    page = make_page(tree.province)
    client, _ = login_as(Role.EDITOR, tree.province)
    client.csrf_token()
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, page, PDF + b"0" * 8192, "lon.pdf")
    assert response.status_code == 413 and "<html" in response.get_data(as_text=True)
    assert attachments(db) == [] and _stored(storage) == []


def test_the_default_request_limit_leaves_room_for_a_whole_attachment(app):
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["ATTACHMENT_MAX_BYTES"] == 10 * 2**20


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "rong.pdf", "The file is empty."),
        (b"", "", "Choose a file to attach."),
    ],
)
def test_upload_empty_or_missing_file_refused(db, tree, login_as, storage, data, name, expected):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    upload(in_english(client), page, data, name)
    assert flashes(client) == [("error", expected)]
    assert attachments(db) == [] and _stored(storage) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        # werkzeug unescapes backslashes in the quoted name: "C:xy.pdf", "....Kế hoạch.pdf"
        ("C:\\x\\y.pdf", "xy.pdf"),
        ("..\\..\\Kế hoạch\x00\x1f.pdf", "Kế hoạch.pdf"),
        ("/tmp/.pdf", "pdf.pdf"),
    ],
)
def test_upload_path_names_stored_under_a_generated_name_and_offered_clean(
    app, db, tree, login_as, storage, tmp_path, sent, kept
):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    assert upload(client, page, PDF, sent).status_code == 303
    (attachment,) = attachments(db)
    assert attachment.filename == kept
    assert _stored(storage) == [attachment.stored_name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attachments"]  # nothing elsewhere
    with app.test_client().get(f"/files/{attachment.id}/{attachment.filename}") as response:
        assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="') and "/" not in disposition
    assert ".." not in disposition.split("filename*=")[1]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\Lan\\Kế hoạch.pdf", "Kế hoạch.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..", ""),
        ("a\u202egpj.exe", "agpj.exe"),  # no right-to-left override to disguise the name
        ('Báo "cáo" <1>?.pdf', "Báo _cáo_ _1__.pdf"),
        ("Mẫu\r\n đăng   ký .docx", "Mẫu đăng ký .docx"),
        ("x" * 300 + ".docx", "x" * 250 + ".docx"),
    ],
)
def test_clean_filename_keeps_only_a_plain_name(sent, kept):
    assert files.clean_filename(sent) == kept


def test_upload_title_too_long_refused(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    upload(in_english(client), page, PDF, "a.pdf", title="x" * 301)
    assert flashes(client) == [("error", "The title is too long: at most 300 characters.")]
    assert attachments(db) == []


# Who may upload


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_upload_by_a_non_publisher_forbidden(db, tree, login_as, storage, role):
    page = make_page(tree.province)
    client, _ = login_as(role, tree.province)
    assert upload(client, page, PDF, "a.pdf").status_code == 403
    assert attachments(db) == [] and _stored(storage) == []


def test_upload_by_a_publisher_of_another_district_forbidden(db, tree, login_as, storage):
    page = make_page(tree.d1)
    client, _ = login_as(Role.PUBLISHER, tree.d2)
    assert upload(client, page, PDF, "a.pdf").status_code == 403
    assert attachments(db) == []


def test_upload_to_an_archived_page_forbidden(db, tree, login_as, storage):
    page = make_page(tree.province, state=PageState.ARCHIVED)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    assert upload(client, page, PDF, "a.pdf").status_code == 403


def test_upload_anonymous_sent_to_sign_in(app, db, tree, storage):
    page = make_page(tree.province)
    client = app.test_client()
    response = upload(client, page, PDF, "a.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert attachments(db) == []


def test_upload_without_csrf_token_refused(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    response = client.post(
        f"/pages/{page.id}/attachments",
        data={"file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
        csrf=False,
    )
    assert response.status_code == 400 and attachments(db) == []


# With htmx


def test_upload_with_htmx_answers_with_the_fragment(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    response = upload(client, page, PDF, "Kế hoạch.pdf", title="Kế hoạch", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="attachments"')
    assert response.headers["HX-Trigger"] == '{"attachments-changed": true}'
    assert "Kế hoạch</a>" in html and "PDF · 1 KB" in html
    assert flashes(client) == []  # the fragment says it; nothing left for the next page


def test_upload_refused_with_htmx_keeps_the_title_and_says_why(db, tree, login_as, storage):
    page = make_page(tree.province)
    client, _ = login_as(Role.PUBLISHER, tree.province)
    response = upload(in_english(client), page, EXE, "a.pdf", title="Kế hoạch năm", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'role="alert"' in html and "This kind of file cannot be attached." in html
    assert 'value="Kế hoạch năm"' in html
    assert "HX-Trigger" not in response.headers


# Downloading


def _attach(page, data: bytes, name: str, title: str | None = None) -> Attachment:
    from webapp.extensions import db

    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    attachment = files.add_attachment(
        publisher, page, _storage(data, name), title
    )  # fmt: skip
    db.session.commit()
    return attachment


def _storage(data: bytes, name: str):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=name)


def test_download_of_a_published_page_public_with_cache_headers(app, db, tree, storage):
    page = make_page(tree.province)
    attachment = _attach(page, PDF, "Kế hoạch số 129.pdf")
    client = app.test_client()
    url = f"/files/{attachment.id}/{attachment.filename}"
    with client.get(url) as response:
        assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'inline; filename="ke hoach so 129.pdf"; '
        "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20s%E1%BB%91%20129.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "object-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.cache_control.public and response.cache_control.no_cache  # revalidated
    etag = response.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.data == b""


def test_download_of_an_office_file_saved_not_shown(app, db, tree, storage):
    page = make_page(tree.province)
    attachment = _attach(page, _xlsx(), "Danh sách đăng ký.xlsx")
    with app.test_client().get(f"/files/{attachment.id}/x") as response:
        assert response.status_code == 200 and response.headers["Content-Type"] == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="danh sach dang ky.xlsx"; filename*=')


def test_download_of_a_draft_page_only_for_its_publishers(app, db, tree, login_as, storage):
    page = make_page(tree.province, state=PageState.DRAFT)
    attachment = _attach(page, PDF, "nhap.pdf")
    url = f"/files/{attachment.id}/nhap.pdf"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    editor, _ = login_as(Role.EDITOR, tree.province)
    assert editor.get(url).status_code == 403
    publisher, _ = login_as(Role.PUBLISHER, tree.province)
    with publisher.get(url) as response:
        assert response.status_code == 200 and response.data == PDF
    assert response.cache_control.private and response.cache_control.no_store
    assert not response.cache_control.public


def test_download_of_an_unknown_or_lost_file_not_found(app, db, tree, storage):
    page = make_page(tree.province)
    attachment = _attach(page, PDF, "a.pdf")
    (storage / attachment.stored_name).unlink()
    client = app.test_client()
    assert client.get(f"/files/{attachment.id}/a.pdf").status_code == 404
    assert client.get(f"/files/{attachment.id + 1}/a.pdf").status_code == 404


# Deleting


def test_delete_removes_the_row_and_the_file(db, tree, login_as, storage):
    page = make_page(tree.province)
    attachment = _attach(page, PDF, "a.pdf")
    stored, attachment_id = attachment.stored_name, attachment.id
    assert _stored(storage) == [stored]
    client, publisher = login_as(Role.PUBLISHER, tree.province)
    response = client.post(f"/files/{attachment_id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/pages/{page.id}/edit"
    assert attachments(db) == [] and _stored(storage) == []
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "attachment.deleted")
    )
    assert event.actor_id == publisher.id and event.details["filename"] == "a.pdf"


def test_delete_with_htmx_answers_with_the_fragment(db, tree, login_as, storage):
    page = make_page(tree.province)
    attachment = _attach(page, PDF, "a.pdf", "Tệp cũ")
    client, _ = login_as(Role.PUBLISHER, tree.province)
    response = client.post(f"/files/{attachment.id}/delete", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="attachments"' in html
    assert "Tệp cũ</a>" not in html and response.headers["HX-Trigger"]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
def test_delete_by_a_non_publisher_forbidden(db, tree, login_as, storage, role):
    page = make_page(tree.province)
    attachment = _attach(page, PDF, "a.pdf")
    client, _ = login_as(role, tree.province)
    assert client.post(f"/files/{attachment.id}/delete").status_code == 403
    assert len(attachments(db)) == 1 and len(_stored(storage)) == 1


# Files follow the transaction


def test_a_file_written_by_a_transaction_that_rolls_back_is_removed(db, tree, storage):
    page = make_page(tree.province)
    publisher = factories.make_user(roles=[(Role.PUBLISHER, tree.province)])
    files.add_attachment(publisher, page, _storage(PDF, "a.pdf"))
    assert len(_stored(storage)) == 1
    db.session.rollback()
    assert _stored(storage) == [] and attachments(db) == []


def test_a_failing_database_write_leaves_no_file(db, tree, storage, monkeypatch):
    page = make_page(tree.province)
    publisher = factories.make_user(roles=[(Role.PUBLISHER, tree.province)])

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(files, "record", broken)
    with pytest.raises(RuntimeError):
        files.add_attachment(publisher, page, _storage(PDF, "a.pdf"))
    assert _stored(storage) == []


def test_a_deleted_row_keeps_its_file_until_the_deletion_commits(db, tree, storage):
    page = make_page(tree.province)
    attachment = _attach(page, PDF, "a.pdf")
    publisher = factories.make_user(roles=[(Role.PUBLISHER, tree.province)])
    db.session.commit()
    files.delete_attachment(publisher, page, attachment)
    assert len(_stored(storage)) == 1
    db.session.rollback()
    assert len(_stored(storage)) == 1 and len(attachments(db)) == 1
    files.delete_attachment(publisher, page, attachments(db)[0])
    db.session.commit()
    assert _stored(storage) == []


def test_services_check_the_policy(db, tree, storage):
    from webapp.policy import Denied

    page = make_page(tree.province)
    attachment = _attach(page, PDF, "a.pdf")
    editor = factories.make_user(roles=[(Role.EDITOR, tree.province)])
    with pytest.raises(Denied):
        files.add_attachment(editor, page, _storage(PDF, "b.pdf"))
    with pytest.raises(Denied):
        files.delete_attachment(editor, page, attachment)
    assert len(_stored(storage)) == 1


# The fragment


def test_fragment_lists_type_and_size_and_offers_no_forms_to_readers(app, db, tree, storage):
    page = make_page(tree.province)
    _attach(page, PDF, "Kế hoạch.pdf", "Kế hoạch số 129")
    _attach(page, _docx(), "Mẫu.docx")
    _attach(page, b"\xff\xd8\xff\xe0" + b"\x00" * (1300 * 1024), "anh.jpg")
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        app.preprocess_request()
        html = render_template("pages/_attachments.html", page=page)
    assert "Kế hoạch số 129</a>" in html and "PDF · 1 KB" in html
    assert re.search(r"Word · \d+ KB", html) and "Image · 1.3 MB" in html
    assert f'href="/files/{page.attachments[0].id}/K%E1%BA%BF%20ho%E1%BA%A1ch.pdf"' in html
    assert "<form" not in html


def test_fragment_offers_upload_and_delete_to_publishers(app, db, tree, login_as, storage):
    page = make_page(tree.province)
    _attach(page, PDF, "a.pdf")
    client, _ = login_as(Role.PUBLISHER, tree.province)
    response = client.post(
        f"/files/{page.attachments[0].id}/delete", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'hx-encoding="multipart/form-data"' in html
    assert 'name="csrf_token"' in html and 'type="file"' in html
    assert 'accept=".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.gif,.webp"' in html


def test_human_sizes_use_the_readers_number_format(app):
    with app.test_request_context():
        app.preprocess_request()  # Vietnamese by default
        assert files.human_size(340 * 1024) == "340 KB"
        assert files.human_size(int(1.2 * 2**20)) == "1,2 MB"
        assert files.human_size(10 * 2**20) == "10 MB"
        assert files.human_size(3) == "1 KB"
