"""`flask seed [--demo]`: load Bắc Kạn's units, the campaign configuration and the first guidance
pages, idempotently."""

from __future__ import annotations

import click
from flask import current_app

from webapp.extensions import db
from webapp.seed import loader
from webapp.units import reorganize


@click.command("seed")
@click.option(
    "--demo",
    is_flag=True,
    help="Also create the demo accounts (and print them) and a 2017 season for Pác Nặm.",
)
@click.option(
    "--until",
    help="Apply the reorganizations up to this one (2020, 2025) or none (2017). Default: all,"
    " as a deployment today needs; with --demo: none, as the demo season is of 2017.",
)
@click.option(
    "--country",
    is_flag=True,
    help="Also load the whole 2025 national structure (34 provinces, 3,321 communes) under a"
    " national root.",
)
@click.option(
    "--province",
    "provinces",
    multiple=True,
    metavar="CODE",
    help="Also load this province of the 2025 structure with all its communes (19: Thái"
    " Nguyên, which includes the old Bắc Kạn). May be repeated.",
)
def seed(demo: bool, until: str | None, country: bool, provinces: tuple[str, ...]) -> None:
    """Load Bắc Kạn (2017 units, then the 2020 and 2025 reorganizations), the campaign, its
    contents, organizations, models and rules, and the guidance pages (the plan and the
    registration form)."""
    if demo and current_app.config["PRODUCTION"]:
        raise click.ClickException(
            "--demo creates accounts whose passwords the README prints; production "
            "(WEBAPP_PRODUCTION=true) refuses it. Create the first administrator with "
            "`flask create-admin`."
        )
    # The guidance pages and the demo season (Markdown, python-docx) load with the command,
    # not with every app that registers it.
    from webapp.seed import demo_more, demo_season, guidance, national

    first, specs = reorganize.read_manifest()
    until = until or ("2017" if demo else list(specs)[-1])
    if until != "2017" and until not in specs:
        raise click.BadParameter(f"one of 2017, {', '.join(specs)}", param_hint="--until")
    counts = loader.Counts()
    total_units = loader.load_units(loader.DATA / first["units"], counts, as_of=first["as_of"])
    loader.load_campaign(counts=counts)
    accounts = loader.load_demo_accounts() if demo else []
    season = demo_season.load_demo_season() if demo else None
    # After the accounts: with --demo the province admin publishes the pages.
    pages = guidance.load_guidance()
    more = demo_more.load_demo_more() if demo else None
    applied = _reorganize(specs, until)
    structure = None
    if country or provinces:
        if until != list(specs)[-1]:
            raise click.BadParameter(
                "the 2025 structure needs every reorganization applied", param_hint="--until"
            )
        try:
            structure = national.load(None if country else provinces, country=country)
        except (LookupError, ValueError) as error:
            raise click.BadParameter(str(error), param_hint="--province") from error
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
    for line in applied:
        click.echo(line)
    if structure is not None:
        click.echo(structure.summary())
        for code, ours, theirs in structure.renamed:
            click.echo(f"  {code}: kept “{ours}”, the package says “{theirs}”")
    if season is not None:
        click.echo(demo_season.summary(season))
    if more is not None:
        click.echo(demo_more.summary(more))


def _reorganize(specs: dict[str, reorganize.Spec], until: str) -> list[str]:
    """Apply the shipped reorganizations up to `until` that are not applied yet."""
    lines = []
    for code, spec in specs.items():
        if until == "2017":
            break
        result = reorganize.plan(spec)
        if result.applied is None:
            if result.errors:
                raise click.ClickException(f"reorganization {code}: {result.errors[0]}")
            reorganize.apply(None, result)
            lines.append(
                f"Reorganization {code} applied: {len(result.ending)} units ended,"
                f" {len(result.created())} began on {spec.effective_on:%d/%m/%Y}."
            )
        if code == until:
            break
    return lines
