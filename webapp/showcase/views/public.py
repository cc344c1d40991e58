"""The public showcase (`/models`), a model's page, photo files and the spread of a unit's
models. Only recognised models are public; a withdrawn one is shown to those who may read
its entry's list, and its photos too."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from webapp import photos, policy
from webapp.auth.models import Role
from webapp.db import local_today
from webapp.extensions import db
from webapp.policy import Action
from webapp.registrations import services as registrations
from webapp.showcase import display, queries
from webapp.showcase.forms import ReplicateForm, WithdrawForm
from webapp.showcase.models import EffectiveModel, EntryPhoto
from webapp.showcase.services import photos_of
from webapp.showcase.views.common import bp
from webapp.units.models import Level, Unit


@bp.get("/models")
def index():
    policy.require(current_user, Action.MODEL_VIEW)
    filters = queries.as_filters(request.args)
    page = queries.showcase(filters)
    return render_template("showcase/index.html", page=page, choices=queries.choices())


def _readable(model: EffectiveModel) -> bool:
    return policy.can(current_user, Action.MODEL_VIEW, model) or policy.can(
        current_user, Action.LIST_VIEW, model.entry.registration_list
    )


@bp.get("/models/<id:model_id>")
def show_model(model_id: int):
    model = queries.model_with_details(model_id)
    if model is None or not _readable(model):
        abort(404)
    replications = queries.replications_of(model)
    # Forms only for those who may use them: a form's CSRF token would give visitors a session.
    withdraw_form = None
    if policy.can(current_user, Action.MODEL_WITHDRAW, model):
        withdraw_form = WithdrawForm(version=model.version)
    return render_template(
        "showcase/model.html",
        model=model,
        photos=photos_of(model.entry),
        photos_public=bool(queries.models_of_entries([model.entry_id])),
        replications=replications,
        tree=display.replication_tree(model, replications),
        withdraw_form=withdraw_form,
        replicate_form=replicate_form(model),
    )


def replicate_form(model: EffectiveModel, form: ReplicateForm | None = None):
    """The form for an editor: their communes and the organizations listing there."""
    if not policy.can(current_user, Action.MODEL_REPLICATE, model):
        return None
    form = form or ReplicateForm(year=local_today().year)
    units = editor_units()
    form.unit.choices = [(u.id, u.name) for u in units]
    organizations = {}
    for unit in units:
        for organization in registrations.organizations_at(unit):
            organizations[organization.id] = organization.tr("name")
    form.organization.choices = list(organizations.items())
    return form if units else None


def editor_units() -> list[Unit]:
    units = {
        a.unit.id: a.unit
        for a in current_user.roles
        if a.role == Role.EDITOR and a.unit.level == Level.COMMUNE
    }
    return sorted(units.values(), key=lambda u: u.name)


@bp.get("/models/photos/<id:photo_id>/<key>/<int:width>.<any(webp, jpg):extension>")
def photo_file(photo_id: int, key: str, width: int, extension: str):
    """Public when the entry is a recognised model; otherwise only for readers of its list
    (404 to strangers, 403 to others signed in). A key of another visibility is 404: the
    public URL of a withdrawn model's photo, kept by a cache or a shared link, is gone."""
    entry_photo = db.session.scalar(db.select(EntryPhoto).filter_by(photo_id=photo_id))
    if entry_photo is None:
        abort(404)
    entry = entry_photo.entry
    public = bool(queries.models_of_entries([entry.id]))
    if not public and not policy.can(current_user, Action.LIST_VIEW, entry.registration_list):
        abort(403 if policy.signed_in(current_user) else 404)
    if key != photos.key(entry_photo.photo, public):
        abort(404)
    return photos.send_width(entry_photo.photo, width, public=public, extension=extension)


@bp.get("/models/spread/<id:unit_id>")
def spread(unit_id: int):
    unit = db.get_or_404(Unit, unit_id)
    policy.require(current_user, Action.MODEL_SPREAD, unit)
    rows, years = queries.spread(unit)
    return render_template("showcase/spread.html", unit=unit, rows=rows, years=years)
