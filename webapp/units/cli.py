"""`flask units reorganize`: check (dry run) and apply a reorganization of the unit tree, and
move the roles held on units that ended."""

from __future__ import annotations

import time
from pathlib import Path

import click

from webapp.db import local_today
from webapp.extensions import db
from webapp.units import reorganize


def _spec(code: str, manifest: Path) -> reorganize.Spec:
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


def echo_role_moves(moves: list[reorganize.RoleMove]) -> None:
    click.echo(f"Role assignments on units that ended: {len(moves)}")
    for move in moves:
        a = move.assignment
        target = f"{move.to.code} {move.to.name}" if move.to else f"? ({move.reason})"
        organization = f" [{a.organization.code}]" if a.organization else ""
        click.echo(
            f"  {a.user.username:<18} {a.role.value:<10}{organization}"
            f" {a.unit.code} {a.unit.name} -> {target}"
        )


@click.group("units")
def units_cli() -> None:
    """Administrative units over time."""


@units_cli.command("reorganize")
@click.argument("code")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=reorganize.MANIFEST,
    help="A structures.yaml naming the CSV files (default: the shipped Bắc Kạn one).",
)
@click.option("--apply", "do_apply", is_flag=True, help="Apply it (without: a dry run).")
@click.option(
    "--move-roles", is_flag=True, help="Move the roles on ended units as proposed (confirm)."
)
def reorganize_command(code: str, manifest: Path, do_apply: bool, move_roles: bool) -> None:
    """Check the reorganization CODE (2020, 2025) and list the role assignments left on ended
    units; --apply applies it in one transaction, --move-roles moves those assignments."""
    started = time.perf_counter()
    result = reorganize.plan(_spec(code, manifest))
    checked = time.perf_counter() - started
    echo_plan(result)
    click.echo(f"  checked in {checked:.2f} s")
    if do_apply and result.applied is None:
        if result.errors:
            raise click.ClickException("not applied: fix the errors above")
        reorganize.apply(None, result)
        db.session.commit()
        click.echo(f"  applied in {time.perf_counter() - started:.2f} s")
    moves = reorganize.plan_role_moves(local_today(), result)
    echo_role_moves(moves)
    if move_roles and result.applied is None:
        raise click.ClickException("apply the reorganization before moving roles")
    if move_roles:
        moved = reorganize.move_roles(None, moves)
        db.session.commit()
        click.echo(f"Moved {moved} role assignments.")
