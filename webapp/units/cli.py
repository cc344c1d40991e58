"""`flask units`: the command group for the unit tree over time, and how a reorganization's
check reads on the command line. `flask units reorganize` also moves the roles held on the
units that end, so auth (above units) holds it (webapp/auth/cli.py); create_app adds it to the
group."""

from __future__ import annotations

from pathlib import Path

import click

from webapp.units import reorganize


def spec_named(code: str, manifest: Path) -> reorganize.Spec:
    _first, specs = reorganize.read_manifest(manifest)
    if code not in specs:
        raise click.BadParameter(f"no reorganization {code!r}; known: {', '.join(specs)}")
    return specs[code]


def echo_plan(result: reorganize.Plan) -> None:
    spec = result.spec
    click.echo(f"{spec.code}: {spec.name} (from {spec.effective_on:%d/%m/%Y}, {spec.basis})")
    if result.applied is not None:
        click.echo(f"  applied on {result.applied.applied_at:%d/%m/%Y %H:%M} UTC")
        return
    click.echo(
        f"  {len(result.ending)} units end on {result.last_day:%d/%m/%Y},"
        f" {len(result.created())} begin, {len(result.continuing())} go on unchanged;"
        f" {len(result.links)} mapping rows, {len(result.unknown())} without a known"
        f" successor, {len(result.splits())} split; {len(result.areas)} residential areas"
    )
    for link in result.unknown():
        click.echo(f"  no known successor: {link.old.code} {link.old.name}")
    for error in result.errors:
        click.echo(f"  ERROR {error}")


@click.group("units")
def units_cli() -> None:
    """Administrative units over time."""
