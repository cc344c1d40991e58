"""`flask report-figure CODE NAME_VI`: add a figure every result report gives."""

from __future__ import annotations

import click
import sqlalchemy as sa

from webapp.extensions import db
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
    last = db.session.scalar(sa.select(sa.func.max(ReportFigure.sort_order))) or 0
    if figure is None:
        figure = ReportFigure(code=code, sort_order=last + 10)
        db.session.add(figure)
    figure.name_vi, figure.name_en, figure.measure = name_vi, name_en, FigureMeasure(measure)
    db.session.commit()
    click.echo(f"Report figure {code}: {name_vi} ({measure}).")
