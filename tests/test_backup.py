"""`flask backup` and `flask restore` on the test database (SQLite or PostgreSQL alike): a round
trip brings back every row of every table, every attachment's bytes and the secret key; an
installation that holds anything is replaced only with --force; a damaged or foreign archive
restores nothing."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from tests import factories
from tests.conftest import _wipe
from tests.factories import content, org
from tests.test_attachments import PDF, _png, make_page
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.pages import files
from webapp.registrations import services
from webapp.reports import services as reports
from webapp.reports.models import Period
from webapp.review import services as review


@pytest.fixture
def installation(app, tmp_path, monkeypatch):
    """The app with its own instance folder (the generated secret key in it) and attachments
    folder, as `make run` keeps them."""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("key-of-the-backup")
    monkeypatch.setattr(app, "instance_path", str(instance))
    monkeypatch.setitem(app.config, "SECRET_KEY", "key-of-the-backup")
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return instance


def _dump(db) -> dict[str, list[tuple]]:
    """Every row of every table (Alembic's too), as text, in a stable order."""
    db.session.commit()  # the test's session holds no connection that a restore would wait for
    with db.engine.connect() as connection:
        rows = {}
        for name in sorted(sa.inspect(connection).get_table_names()):
            found = connection.execute(sa.text(f'SELECT * FROM "{name}"')).all()
            rows[name] = sorted(tuple(repr(value) for value in row) for row in found)
    return rows


def _stored(app) -> dict[str, bytes]:
    with app.app_context():
        folder = files.attachments_dir()
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def _values(name: str, unit, number: int = 1) -> services.EntryValues:
    return services.EntryValues(
        kind="cong_trinh",
        name=name,
        content=content(number),
        location=unit,
        lead_organization=org("nong_dan"),
    )


def _attach(page, data: bytes, name: str):
    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    upload = FileStorage(stream=io.BytesIO(data), filename=name)
    return files.add_attachment(publisher, page, upload, f"Tệp {name}")


def _season(db, tree):
    """An approved list, a draft one, a half-year report, a page with two attachments, and the
    audit events all of that wrote."""
    editor = factories.make_user(roles=[(Role.EDITOR, tree.c1)])
    submitted = services.start_list(editor, tree.c1, org("nong_dan"), 2027)
    for number, name in enumerate(("Đường bê tông thôn Nà Mò", "Mô hình nuôi bò"), start=1):
        services.add_entry(editor, submitted, _values(name, tree.c1, number))
    services.submit_list(editor, submitted)
    reviewer = factories.make_user(roles=[(Role.REVIEWER, tree.d1)])
    for entry in submitted.entries:
        review.approve(reviewer, entry, entry.version)
    draft = services.start_list(editor, tree.c1, org("nong_dan"), 2028)
    services.add_entry(editor, draft, _values("Nhà văn hoá bản Khuổi Ú", tree.c1))
    reports.start_report(editor, tree.c1, org("nong_dan"), 2027, Period.HALF_YEAR)
    page = make_page(tree.c1)
    _attach(page, PDF, "Kế hoạch 129.pdf")
    _attach(page, _png(), "anh.png")
    db.session.commit()
    return editor, draft, page


def _change_everything(db, tree, editor, draft, page) -> None:
    """Lists, entries, reports, pages, attachments and audit events added and deleted."""
    services.delete_entry(editor, draft.entries[0], draft.entries[0].version)
    other = services.start_list(editor, tree.c1, org("nong_dan"), 2029)
    services.add_entry(editor, other, _values("Kênh mương nội đồng", tree.c1))
    reports.start_report(editor, tree.c1, org("nong_dan"), 2027, Period.YEAR)
    publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
    files.delete_attachment(publisher, page, page.attachments[0])
    _attach(make_page(tree.c1, title="Trang mới"), PDF + b"%new", "moi.pdf")
    first_event = db.session.scalar(sa.select(sa.func.min(AuditEvent.id)))
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == first_event))
    db.session.commit()


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_round_trip_brings_back_every_row_file_and_the_key(
    app, db, tree, campaign, tmp_path, installation
):
    made_by = _season(db, tree)
    signed_in = made_by[0].username
    assert app.test_client().post(
        "/login", data={"username": signed_in, "password": factories.PASSWORD}
    ).status_code == 303  # fmt: skip
    saved, saved_files = _dump(db), _stored(app)
    assert len(saved_files) == 2 and saved["audit_events"] and saved["progress_reports"]
    assert len(saved["user_sessions"]) == 1
    archive = tmp_path / "backups" / "b.tar.gz"

    made = _run(app, "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert "Backed up to" in made.output and "2 attachment files" in made.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700

    _change_everything(db, tree, *made_by)
    (installation / "secret_key").write_text("key-made-later")  # as if made anew at start
    app.config["SECRET_KEY"] = "key-made-later"  # `installation` puts the first one back
    changed, changed_files = _dump(db), _stored(app)
    for table in (
        "registration_lists",
        "entries",
        "progress_reports",
        "pages",
        "attachments",
        "audit_events",
    ):
        assert changed[table] != saved[table], table
    assert changed_files != saved_files

    refused = _run(app, "restore", str(archive))
    assert refused.exit_code == 1 and "not empty" in refused.output and "--force" in refused.output
    assert _dump(db) == changed and _stored(app) == changed_files

    restored = _run(app, "restore", "--force", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output and "1 newer files removed" in restored.output
    back = _dump(db)
    # Everyone signs in again: a session signed out since the backup must not come back.
    assert back.pop("user_sessions") == [] and saved.pop("user_sessions")
    assert back == saved
    assert _stored(app) == saved_files
    folder = Path(app.config["ATTACHMENTS_DIR"])
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    key = installation / "secret_key"
    assert key.read_text() == "key-of-the-backup" and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_an_empty_installation_is_restored_without_force(
    app, db, tree, campaign, tmp_path, installation
):
    _season(db, tree)
    saved, saved_files = _dump(db), _stored(app)
    archive = tmp_path / "b.tar.gz"
    assert _run(app, "backup", str(archive)).exit_code == 0
    _wipe(app)
    for path in Path(app.config["ATTACHMENTS_DIR"]).iterdir():
        path.unlink()

    restored = _run(app, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "replaced" not in restored.output
    assert _dump(db) == saved and _stored(app) == saved_files


def _rewrite(archive: Path, target: Path, change) -> None:
    """A copy of the archive with its members passed through `change(name, data)` (None drops
    one), plus whatever `change("", b"")` returns as extra members."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read()
            kept = change(member.name, data)
            if kept is not None:
                member.size = len(kept)
                copy.addfile(member, io.BytesIO(kept))
        for name, data in (change("", b"") or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def test_a_damaged_or_strange_archive_restores_nothing(
    app, db, tree, campaign, tmp_path, installation
):
    _season(db, tree)
    archive = tmp_path / "b.tar.gz"
    assert _run(app, "backup", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    _wipe(app)
    empty = _dump(db)

    def flip_attachment(name, data):
        return data[:-1] + b"!" if name.startswith("attachments/") else (data or None)

    def smuggle(name, data):
        if name == "manifest.json":
            listed = json.loads(data)
            listed["members"]["../../evil.txt"] = {"bytes": 4, "sha256": "0" * 64}
            return json.dumps(listed).encode()
        return data if name else {"../../evil.txt": b"evil"}

    def foreign(name, data):
        if name == "manifest.json":
            listed = json.loads(data)
            listed["database"]["dialect"] = "mysql"
            return json.dumps(listed).encode()
        return data or None

    cases = [(flip_attachment, "damaged"), (smuggle, "unexpected member"), (foreign, "mysql")]
    for change, said in cases:
        bad = tmp_path / f"{change.__name__}.tar.gz"
        _rewrite(archive, bad, change)
        result = _run(app, "restore", "--force", str(bad))
        assert result.exit_code == 1 and said in result.output, (change.__name__, result.output)
        assert _dump(db) == empty, change.__name__
    assert not (tmp_path.parent / "evil.txt").exists()
    assert manifest["database"]["rows"]["entries"] == 3
