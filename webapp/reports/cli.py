"""`flask report-figure CODE NAME_VI`: add a figure every result report gives."""

from __future__ import annotations

import click
import sqlalchemy as sa

from webapp.extensions import db
from webapp.reports.figures import FigureError, FigureValues, save_figure
from webapp.reports.models import FigureMeasure, ReportFigure


@click.command("report-figure")
@click.argument("code")
@click.argument("name_vi")
@click.option("--name-en", help="The English name.")
@click.option(
    "--measure",
    type=click.Choice([m.value for m in FigureMeasure]),
    default=FigureMeasure.COUNT.value,
    show_default=True,
    help="money: whole đồng; count: houses, households …",
)
def report_figure(code: str, name_vi: str, name_en: str | None, measure: str) -> None:
    """Add a report figure (or rename one) for every report from now on."""
    figure = db.session.scalar(sa.select(ReportFigure).filter_by(code=code))
    values = FigureValues(
        code=code, name_vi=name_vi, name_en=name_en, measure=FigureMeasure(measure)
    )
    try:
        save_figure(None, figure, figure.version if figure else 0, values)
    except FigureError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Report figure {code}: {name_vi} ({measure}).")
