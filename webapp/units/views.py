"""Browsing the unit tree within one's scope, adding residential areas to a commune, and
reorganizations of the tree (dry run, apply). The roles held on the units that end are auth's:
it adds them to a reorganization's page through an event, and moves them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import events, policy
from webapp.campaign.deadlines import registration_years
from webapp.extensions import db
from webapp.htmx import after_change, is_partial, render_fragment_or_page
from webapp.policy import Action
from webapp.units import reorganize, services
from webapp.units.forms import AreaForm
from webapp.units.models import Kind, Level, Reorganization, Unit
from webapp.units.queries import tree_order, units_in_scope

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.get("")
@login_required
def list_units():
    roots = policy.scope_roots(current_user, Action.UNIT_VIEW)
    if not roots:
        abort(403)
    stmt = units_in_scope(
        roots, levels=(Level.COUNTRY, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
    )
    tree = tree_order(db.session.scalars(stmt))
    communes = sum(1 for unit, _ in tree if unit.level == Level.COMMUNE)
    return render_template("units/index.html", tree=tree, communes=communes)


def _areas(unit: Unit) -> list[Unit]:
    return list(
        db.session.scalars(
            sa.select(Unit)
            .where(Unit.parent_id == unit.id, Unit.level == Level.AREA)
            .order_by(Unit.name)
        )
    )


@bp.get("/<id:unit_id>")
@login_required
def show_unit(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    policy.require(current_user, Action.UNIT_VIEW, unit)
    children = [c for c in unit.children if c.level != Level.AREA]
    return render_template(
        "units/unit.html", unit=unit, children=children, areas=_areas(unit), form=AreaForm()
    )


@bp.post("/<id:unit_id>/areas")
@login_required
def add_area(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    policy.require(current_user, Action.UNIT_ADD_AREA, unit)
    form = AreaForm()
    if form.validate_on_submit():
        try:
            services.add_area(current_user, unit, name=form.name.data, kind=Kind(form.kind.data))
        except services.UnitError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            return after_change(
                "units/_areas.html",
                event="areas-changed",
                redirect_to=url_for("units.show_unit", unit_id=unit.id),
                saved=_("Added: %(name)s", name=form.name.data),
                unit=unit,
                areas=_areas(unit),
                form=AreaForm(formdata=None),
            )
    children = [c for c in unit.children if c.level != Level.AREA]
    return render_fragment_or_page(
        "units/_areas.html",
        "units/unit.html",
        status=200 if is_partial() else 422,
        unit=unit,
        children=children,
        areas=_areas(unit),
        form=form,
    )


def _reorganization(code: str) -> reorganize.Plan:
    result = reorganize.plan_by_code(code)
    if result is None:
        abort(404)
    policy.require(current_user, Action.UNIT_REORGANIZE, result.root)
    return result


@bp.get("/reorganizations")
@login_required
def list_reorganizations():
    if not policy.can_somewhere(current_user, Action.UNIT_REORGANIZE):
        abort(403)
    _first, specs = reorganize.read_manifest()
    applied = {
        r.code: r
        for r in db.session.scalars(sa.select(Reorganization).where(Reorganization.code.in_(specs)))
    }
    return render_template("units/reorganizations.html", specs=specs.values(), applied=applied)


@bp.get("/reorganizations/<code>")
@login_required
def show_reorganization(code: str):
    """The dry run: what the import checked and the old → new mapping; or, once applied, what
    it recorded. The packages above add their sections (auth: the roles it leaves on ended
    units, with the proposed moves)."""
    result = _reorganization(code)
    links = reorganize.recorded_links(result.applied) if result.applied else None
    sections: list[str] = []
    events.publish(events.REORGANIZATION_SHOWN, plan=result, user=current_user, sections=sections)
    return render_template(
        "units/reorganization.html", result=result, links=links, sections=sections
    )


@bp.post("/reorganizations/<code>/apply")
@login_required
def apply_reorganization(code: str):
    result = _reorganization(code)
    try:
        reorganize.apply(current_user, result)
    except reorganize.ReorganizationError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The reorganization has been applied."), "success")
    return redirect(url_for("units.show_reorganization", code=code), code=303)


@bp.post("/<id:unit_id>/years/<int:year>/new-rural")
@login_required
def set_new_rural(unit_id: int, year: int):
    """Record or withdraw a commune's new-rural recognition for a year, from its coverage card."""
    unit = db.get_or_404(Unit, unit_id)
    if year not in registration_years():
        abort(404)
    policy.require(current_user, Action.UNIT_SET_NEW_RURAL, unit)
    value = request.form.get("is_new_rural") == "1"
    services.set_new_rural(current_user, unit, year, value)
    db.session.commit()
    flash(
        _(
            "%(commune)s is recorded as a new-rural commune in %(year)d.",
            commune=unit.name,
            year=year,
        )
        if value
        else _(
            "%(commune)s is no longer recorded as new-rural in %(year)d.",
            commune=unit.name,
            year=year,
        ),
        "success",
    )
    return redirect(url_for("coverage.show_contents", year=year, unit_id=unit.id), code=303)
