"""`flask seed [--demo]`: load Bắc Kạn's units, the campaign configuration and the first guidance
pages, idempotently."""

from __future__ import annotations

import click

from webapp.extensions import db
from webapp.seed import demo_season, guidance, loader


@click.command("seed")
@click.option(
    "--demo",
    is_flag=True,
    help="Also create the demo accounts (and print them) and a 2017 season for Pác Nặm.",
)
def seed(demo: bool) -> None:
    """Load Bắc Kạn (2017 units), the campaign, its contents, organizations, models and rules,
    and the guidance pages (the plan and the registration form)."""
    counts = loader.Counts()
    total_units = loader.load_units(counts=counts)
    loader.load_campaign(counts=counts)
    accounts = loader.load_demo_accounts() if demo else []
    season = demo_season.load_demo_season() if demo else None
    # After the accounts: with --demo the province admin publishes the pages.
    pages = guidance.load_guidance()
    db.session.commit()
    created = ", ".join(f"{n} {what}" for what, n in counts.created.items()) or "nothing new"
    click.echo(f"Bắc Kạn: {total_units} units in the 2017 structure; created {created}.")
    if accounts:
        click.echo("Demo accounts (change these passwords on a real server):")
        for account, is_new in accounts:
            state = "created" if is_new else "exists, unchanged"
            click.echo(
                f"  {account.role.value:<10} {account.username:<16} {account.password:<16} {state}"
            )
    click.echo(pages.summary())
    if season is not None:
        click.echo(demo_season.summary(season))
