"""`flask create-admin`: the first administrator of a fresh production database;
`flask set-password`: an account's password from the server's shell; and
`flask units reorganize`: check (dry run) and apply a reorganization of the unit tree (units'
work), then move the roles held on the units that end (auth's), so it sits here, above units;
create_app adds it to the `units` group."""

from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa

from webapp.audit.services import record
from webapp.auth import passwords, role_moves, sessions
from webapp.auth.models import Role, RoleAssignment, User
from webapp.db import local_today
from webapp.extensions import db
from webapp.units import reorganize
from webapp.units.cli import echo_plan, spec_named
from webapp.units.models import Unit


@click.command("create-admin")
@click.argument("username")
@click.option("--unit", "unit_code", required=True, help="GSO code of the unit, e.g. 06.")
@click.option("--name", "full_name", default="", help="Full name.")
@click.password_option()
def create_admin(username: str, unit_code: str, full_name: str, password: str) -> None:
    """Create an administrator of a unit (and its subtree)."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code, Unit.valid_to.is_(None)))
    if unit is None:
        raise click.ClickException(f"no current unit with code {unit_code}; run `flask seed`")
    username = username.strip().lower()
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.ClickException(f"user {username} already exists")
    if refused := passwords.problem(password, username):
        raise click.ClickException(refused)
    user = User(username=username, full_name=full_name or username, home_unit=unit)
    user.set_password(password)
    user.roles.append(RoleAssignment(role=Role.ADMIN, unit=unit))
    db.session.add(user)
    db.session.commit()
    click.echo(f"created administrator {username} of {unit.name}")


@click.command("set-password")
@click.argument("username")
@click.password_option()
def set_password(username: str, password: str) -> None:
    """Give an account a new password from the server's shell (e.g. a demo account's, which
    production refuses to start with); its sessions end."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {username}")
    if refused := passwords.problem(password, user.username):
        raise click.ClickException(refused)
    user.set_password(password)
    user.must_change_password = False
    user.session_version += 1
    sessions.end_all(user)
    record(None, "user.password_reset", user, unit_id=user.home_unit_id)
    db.session.commit()
    click.echo(f"password of {user.username} changed")


def echo_role_moves(moves: list[role_moves.RoleMove]) -> None:
    click.echo(f"Role assignments on units that ended: {len(moves)}")
    for move in moves:
        a = move.assignment
        target = f"{move.to.code} {move.to.name}" if move.to else f"? ({move.reason})"
        organization = f" [{a.organization.code}]" if a.organization else ""
        click.echo(
            f"  {a.user.username:<18} {a.role.value:<10}{organization}"
            f" {a.unit.code} {a.unit.name} -> {target}"
        )


@click.command("reorganize")
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
    result = reorganize.plan(spec_named(code, manifest))
    checked = time.perf_counter() - started
    echo_plan(result)
    click.echo(f"  checked in {checked:.2f} s")
    if do_apply and result.applied is None:
        if result.errors:
            raise click.ClickException("not applied: fix the errors above")
        reorganize.apply(None, result)
        db.session.commit()
        click.echo(f"  applied in {time.perf_counter() - started:.2f} s")
    moves = role_moves.plan_role_moves(local_today(), result)
    echo_role_moves(moves)
    if move_roles and result.applied is None:
        raise click.ClickException("apply the reorganization before moving roles")
    if move_roles:
        moved = role_moves.move_roles(None, moves)
        db.session.commit()
        click.echo(f"Moved {moved} role assignments.")
