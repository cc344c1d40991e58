"""The backup archive: one tar.gz holding manifest.json, the database (database.sqlite3 made
with SQLite's online backup API, or database.pgdump in pg_dump's custom format), secret_key and
attachments/<stored name>. The archive and every file restored from it are written 0600,
directories 0700; the manifest lists each member's SHA-256, checked before anything is
restored, and only the members it lists, under names this module makes, are read."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from webapp import photos
from webapp.auth.models import UserSession
from webapp.extensions import db, dispose_engines
from webapp.pages import files

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SECRET_KEY = "secret_key"
ATTACHMENTS = "attachments/"
PHOTOS = "photos/"
VERSION_TABLE = "alembic_version"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Holdings:
    """What an installation holds: rows by table (those with rows, Alembic's own aside) and
    attachment files."""

    rows: dict[str, int] = field(default_factory=dict)
    attachments: int = 0

    @property
    def empty(self) -> bool:
        return not self.rows and not self.attachments

    def __str__(self) -> str:
        return (
            f"{sum(self.rows.values())} rows in {len(self.rows)} tables,"
            f" {self.attachments} attachment files"
        )


def holdings() -> Holdings:
    engine = db.engine
    with engine.connect() as connection:
        names = [n for n in sa.inspect(connection).get_table_names() if n != VERSION_TABLE]
        counts = {
            name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in names
        }
    return Holdings({n: c for n, c in sorted(counts.items()) if c}, len(_stored_files()))


def _stored_files() -> list[Path]:
    folder = files.attachments_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and files.is_stored_name(p.name))


def _revision() -> str | None:
    with db.engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.scalar(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))


def _dialect() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(f"cannot back up or restore a {name} database")
    return name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _instance_key_file() -> Path:
    return Path(current_app.instance_path) / SECRET_KEY


def _key_source() -> str:
    """ "instance" when the app runs on the key `make run` generated in instance/secret_key,
    "configuration" when the operator gives SECRET_KEY (environment or instance/config.py)."""
    path = _instance_key_file()
    key = current_app.config["SECRET_KEY"]
    return "instance" if path.is_file() and path.read_text().strip() == key else "configuration"


# Backing up


def make_backup(target: Path) -> dict[str, Any]:
    """Write the archive at `target` (which must not exist yet); returns its manifest."""
    dialect = _dialect()
    with tempfile.TemporaryDirectory(prefix="webapp-backup-") as work_dir:
        work = Path(work_dir)
        database = work / DATABASE_FILES[dialect]
        if dialect == "sqlite":
            _sqlite_copy(_sqlite_path(), database)
        else:
            _pg_dump(database)
        (work / SECRET_KEY).write_text(current_app.config["SECRET_KEY"])
        members = {database.name: database, SECRET_KEY: work / SECRET_KEY}
        members |= {ATTACHMENTS + p.name: p for p in _stored_files()}
        members |= {PHOTOS + p.name: p for p in photos.stored_files()}
        manifest = {
            "format": FORMAT,
            "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {
                "dialect": dialect,
                "file": database.name,
                "revision": _revision(),
                "rows": holdings().rows,
            },
            "secret_key": {"from": _key_source()},
            "members": {
                name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
                for name, path in members.items()
            },
        }
        _write_archive(target, manifest, members)
    return manifest


def _sqlite_path() -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"the SQLite database {name or ':memory:'} is not a file")
    return Path(name)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy while the app keeps running."""
    live, copy = sqlite3.connect(source, timeout=30), sqlite3.connect(target)
    with closing(live), closing(copy):
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it


def _libpq() -> tuple[str, dict[str, str]]:
    """The database's URL for the PostgreSQL tools, and their environment (the password goes
    in PGPASSWORD, not on a command line others can read)."""
    url = db.engine.url
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run_tool(name: str, *arguments: str, options: str = "") -> None:
    """Run pg_dump or pg_restore on the app's database; `options` go to the server session
    (PGOPTIONS)."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client tools"
            " (Debian: apt install postgresql-client) of the server's version or newer"
        )
    url, environment = _libpq()
    if options:
        environment["PGOPTIONS"] = f"{environment.get('PGOPTIONS', '')} {options}".strip()
    done = subprocess.run(  # a fixed program, our own arguments
        [program, *arguments, f"--dbname={url}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip() or done.returncode}")


def _pg_dump(target: Path) -> None:
    _run_tool("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")


def _write_archive(target: Path, manifest: dict, members: dict[str, Path]) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{target} exists already; give another name") from None
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            text = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            tar.addfile(_member(MANIFEST, len(text)), io.BytesIO(text))
            for name, path in members.items():
                with path.open("rb") as stream:
                    tar.addfile(_member(name, path.stat().st_size), stream)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
    return info


# Restoring


@dataclass
class Restored:
    manifest: dict[str, Any]
    replaced: Holdings
    now: Holdings
    removed_files: int
    key: str  # what became of the secret key, in a sentence


def restore_backup(archive: Path, *, force: bool) -> Restored:
    """Check the archive whole, refuse to overwrite anything unless `force`, then put back the
    database, the attachments (files made since are removed) and the secret key."""
    dialect = _dialect()
    with tempfile.TemporaryDirectory(prefix="webapp-restore-") as work_dir:
        work = Path(work_dir)
        manifest = _unpack(archive, work)
        made_on = manifest["database"]["dialect"]
        if made_on != dialect:
            raise BackupError(
                f"this backup is of a {made_on} database and this app runs on {dialect};"
                " restore it into the kind of database it was made from"
            )
        before = holdings()
        if not before.empty and not force:
            raise BackupError(
                f"the installation is not empty ({before}); restoring replaces all of it."
                " Run again with --force to do so"
            )
        db.session.remove()
        dispose_engines()  # no pooled connection keeps the old tables open
        database = work / manifest["database"]["file"]
        if dialect == "sqlite":
            _sqlite_restore(database)
        else:
            _run_tool(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(database),
                # An app left running holds its tables: fail then, rather than wait for ever.
                options="-c lock_timeout=30s",
            )
        dispose_engines()
        _end_restored_sessions()
        removed = _restore_attachments(work, manifest)
        key = _restore_key(work, manifest)
    return Restored(manifest, before, holdings(), removed, key)


def _end_restored_sessions() -> None:
    """The backup holds the sessions stored in the database when it was made: signed out
    since, they must not come back to life. Everyone signs in again after a restore."""
    with db.engine.begin() as conn:
        conn.execute(sa.delete(UserSession.__table__))


def _unpack(archive: Path, work: Path) -> dict[str, Any]:
    """The manifest, and each member it lists written into `work` after its checksum is
    checked; anything else in the archive is an error, never written."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(f"{archive} is not a backup of this app (no manifest first)")
            manifest = json.loads(tar.extractfile(first).read())
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{archive}: unknown backup format {manifest.get('format')}")
            listed = manifest["members"]
            seen = set()
            for member in tar:
                if member is first:
                    continue
                name = member.name
                if name not in listed or not member.isfile() or not _allowed(name, manifest):
                    raise BackupError(f"{archive}: unexpected member {name!r}")
                target = work / name
                target.parent.mkdir(mode=0o700, exist_ok=True)
                digest = hashlib.sha256()
                with tar.extractfile(member) as stream, _private(target) as out:
                    while chunk := stream.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != listed[name]["sha256"]:
                    raise BackupError(f"{archive}: {name} is damaged (checksum differs)")
                seen.add(name)
    except (tarfile.TarError, OSError, EOFError, ValueError, KeyError) as error:
        raise BackupError(f"{archive} cannot be read: {error}") from None
    if missing := set(listed) - seen:
        raise BackupError(f"{archive} is incomplete: {', '.join(sorted(missing))} missing")
    return manifest


def _allowed(name: str, manifest: dict) -> bool:
    if name.startswith(ATTACHMENTS):
        return files.is_stored_name(name[len(ATTACHMENTS) :])
    if name.startswith(PHOTOS):
        return photos.is_stored_file(name[len(PHOTOS) :])
    return name in (SECRET_KEY, manifest["database"]["file"])


def _private(path: Path):
    """A new file only its owner may read (0600), opened for writing."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def _sqlite_restore(copy: Path) -> None:
    """The online backup API the other way: the live file takes the copy's pages, under
    SQLite's own locks (the app is best stopped, but a reader does no harm)."""
    target = _sqlite_path()
    created = not target.exists()
    source, live = sqlite3.connect(copy), sqlite3.connect(target, timeout=30)
    with closing(source), closing(live):  # sqlite3's own `with` commits, not closes
        source.backup(live)
    if created:
        target.chmod(0o600)


def _restore_attachments(work: Path, manifest: dict) -> int:
    """Put back the archive's files (attachments and photos) and remove the stored files it
    does not hold (uploaded since, so no row refers to them any more); the number removed."""
    removed = _restore_files(work, manifest, ATTACHMENTS, files.attachments_dir(), _stored_files)
    return removed + _restore_files(
        work, manifest, PHOTOS, photos.photos_dir(), photos.stored_files
    )


def _restore_files(work: Path, manifest: dict, prefix: str, folder: Path, stored) -> int:
    names = [name for name in manifest["members"] if name.startswith(prefix)]
    if names or folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    keep = set()
    for name in names:
        if name.startswith(prefix):
            kept = name[len(prefix) :]
            keep.add(kept)
            partial = folder / f".{kept}.restoring"  # the folder may be on another disk
            with (work / name).open("rb") as source, _private(partial) as out:
                shutil.copyfileobj(source, out, _CHUNK)
            os.replace(partial, folder / kept)
    removed = [p for p in stored() if p.name not in keep]
    for path in removed:
        path.unlink()
    return len(removed)


def _restore_key(work: Path, manifest: dict) -> str:
    key = (work / SECRET_KEY).read_text()
    path = _instance_key_file()
    if _key_source() == "instance":
        with _private(path) as out:
            out.write(key.encode())
        path.chmod(0o600)
        return f"secret key restored to {path}; restart the app to use it"
    same = "the same as" if key == current_app.config["SECRET_KEY"] else "not"
    return (
        f"SECRET_KEY comes from the configuration and was left as it is; it is {same} the"
        f" backup's (kept in the archive as {SECRET_KEY})"
    )
