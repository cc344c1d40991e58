"""`flask backup [PATH]` and `flask restore ARCHIVE [--force]`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app

from webapp.backup.archive import BackupError, make_backup, restore_backup
from webapp.pages import cache as page_cache


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def backup(path: Path | None) -> None:
    """Write the database, the attachments and the secret key into one archive (0600): PATH,
    a new file or a folder; default instance/backups/. The app may keep running."""
    name = f"webapp-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"
    if path is None:
        path = Path(current_app.instance_path) / "backups" / name
    elif path.is_dir():
        path = path / name
    try:
        manifest = make_backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    database = manifest["database"]
    attachments = [m for n, m in manifest["members"].items() if n.startswith("attachments/")]
    click.echo(f"Backed up to {path}:")
    click.echo(
        f"  {database['dialect']} database at revision {database['revision']},"
        f" {sum(database['rows'].values())} rows in {len(database['rows'])} tables"
    )
    click.echo(
        f"  {len(attachments)} attachment files ({sum(m['bytes'] for m in attachments)} bytes)"
    )
    click.echo(f"  the secret key (from the {manifest['secret_key']['from']})")
    click.echo("Keep it where only administrators can read it: it holds password hashes.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace the database and attachments even if not empty."
)
def restore(archive: Path, force: bool) -> None:
    """Put back a backup made by `flask backup`: the database, the attachments and the secret
    key. Refuses to replace an installation that holds anything, unless --force. Stop the app
    first."""
    try:
        done = restore_backup(archive, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    # The counters of what pages show went back with the database: pages kept under their
    # numbers before the restore would be served for the changes made after it.
    page_cache.forget_all()
    database = done.manifest["database"]
    click.echo(f"Restored {archive} (made {done.manifest['made_at']}):")
    click.echo(f"  {database['dialect']} database at revision {database['revision']}")
    click.echo(f"  now: {done.now}")
    if not done.replaced.empty:
        click.echo(f"  replaced: {done.replaced}; {done.removed_files} newer files removed")
    click.echo(f"  {done.key}")
    click.echo("If this app is newer than the backup, run `flask db upgrade` now.")
