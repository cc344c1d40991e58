"""`flask create-admin`: the first administrator of a fresh production database."""

from __future__ import annotations

import click
import sqlalchemy as sa

from webapp.auth.models import Role, RoleAssignment, User
from webapp.extensions import db
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
    user = User(username=username, full_name=full_name or username, home_unit=unit)
    user.set_password(password)
    user.roles.append(RoleAssignment(role=Role.ADMIN, unit=unit))
    db.session.add(user)
    db.session.commit()
    click.echo(f"created administrator {username} of {unit.name}")
