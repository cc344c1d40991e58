"""Recognising an entry as an effective model, withdrawing it, adding and removing photos, and
replicating a model into one's own list. Plain forms (JavaScript off), answered with a
redirect (303) and a notice, or the form again with the message and what was typed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from webapp import photos, policy
from webapp.campaign.models import MemberOrganization
from webapp.concurrency import saving, version_of
from webapp.db import local_today
from webapp.extensions import db
from webapp.filestore import human_size
from webapp.forms import field_error
from webapp.policy import Action
from webapp.registrations.models import Entry
from webapp.showcase import services
from webapp.showcase.forms import PhotoForm, RecogniseForm, ReplicateForm, WithdrawForm
from webapp.showcase.models import EffectiveModel, EntryPhoto
from webapp.showcase.views.common import bp
from webapp.showcase.views.public import editor_units, replicate_form
from webapp.units.models import Unit


def _model_url(model: EffectiveModel) -> str:
    return url_for("showcase.show_model", model_id=model.id)


@bp.route("/models/recognise/<id:entry_id>", methods=["GET", "POST"])
@login_required
def recognise(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    verdict = policy.require_in_scope(current_user, Action.MODEL_RECOGNISE, entry)
    results = services.results_of(entry)
    form = RecogniseForm()
    if request.method == "GET":
        form.year.data = entry.registration_list.year
        form.citation.data = services.default_citation(results)
    status = 200
    if verdict.wrong_state:
        status = 409
    elif form.validate_on_submit():
        values = services.Recognition(
            form.year.data, form.citation.data or "", form.decision_number.data or "",
            form.decision_date.data,
        )  # fmt: skip
        upload = request.files.get("photo")
        with saving(services.ModelError) as attempt:
            model = services.recognise(current_user, entry, values)
            if upload is not None and upload.filename:
                services.add_photo(current_user, entry, upload, form.caption.data)
        if attempt.refused is None and attempt.stale is None:
            flash(_("“%(name)s” is now an effective model.", name=entry.name), "success")
            return redirect(_model_url(model), code=303)
        if attempt.refused is not None:
            field_error(form, attempt.refused)
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "showcase/recognise.html", entry=entry, form=form, results=results,
        verdict=verdict, photo_accept=photos.ACCEPT, photo_max=human_size(photos.max_bytes()),
    ), status  # fmt: skip


@bp.post("/models/<id:model_id>/withdraw")
@login_required
def withdraw(model_id: int):
    model = db.get_or_404(EffectiveModel, model_id)
    verdict = policy.require_in_scope(current_user, Action.MODEL_WITHDRAW, model)
    if verdict.wrong_state:  # withdrawn meanwhile, by someone else or in another tab
        flash(_("Someone changed this model meanwhile: here it is as it stands now."), "error")
        return redirect(_model_url(model), code=303)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("The recognition could not be withdrawn: check the reason."), "error")
        return redirect(_model_url(model), code=303)
    with saving(services.ModelError) as attempt:
        services.withdraw(current_user, model, version_of(form), form.reason.data)
    if attempt.refused is not None:
        flash(str(attempt.refused), "error")
    elif attempt.stale is not None:
        flash(_("Someone changed this model meanwhile: here it is as it stands now."), "error")
    else:
        flash(_("The recognition was withdrawn."), "success")
    return redirect(_model_url(model), code=303)


@bp.post("/models/entries/<id:entry_id>/photos")
@login_required
def add_photo(entry_id: int):
    entry = db.get_or_404(Entry, entry_id)
    policy.require(current_user, Action.ENTRY_PHOTO_ADD, entry)
    form = PhotoForm()
    back = request.form.get("back") or ""
    target = _back(back, entry)
    if not form.validate_on_submit():
        flash(_("The photo could not be added: check the caption."), "error")
        return redirect(target, code=303)
    with saving(services.ModelError) as attempt:
        services.add_photo(current_user, entry, request.files.get("photo"), form.caption.data)
    if attempt.refused is not None:
        flash(str(attempt.refused), "error")
    else:
        flash(_("The photo was added."), "success")
    return redirect(target, code=303)


def _back(back: str, entry: Entry) -> str:
    """Back to the model page the form was on (by id), else to the recognition form or the
    entry's list."""
    if back.isdigit():
        model = db.session.get(EffectiveModel, int(back))
        if model is not None and model.entry_id == entry.id:
            return _model_url(model)
    if policy.can(current_user, Action.MODEL_RECOGNISE, entry):
        return url_for("showcase.recognise", entry_id=entry.id)
    return url_for("registrations.show_list", list_id=entry.list_id) + f"#entry-{entry.id}"


@bp.post("/models/photos/<id:photo_id>/delete")
@login_required
def remove_photo(photo_id: int):
    entry_photo = db.session.scalar(db.select(EntryPhoto).filter_by(photo_id=photo_id))
    if entry_photo is None:
        abort(404)
    entry = entry_photo.entry
    policy.require(current_user, Action.ENTRY_PHOTO_ADD, entry)
    services.remove_photo(current_user, entry_photo)
    db.session.commit()
    flash(_("The photo was removed."), "success")
    return redirect(_back(request.form.get("back") or "", entry), code=303)


@bp.post("/models/<id:model_id>/replicate")
@login_required
def replicate(model_id: int):
    model = db.get_or_404(EffectiveModel, model_id)
    policy.require_in_scope(current_user, Action.MODEL_REPLICATE, model)
    form = replicate_form(model, ReplicateForm())
    if form is None or not form.validate_on_submit():
        flash(_("Choose your commune, the organization and the year."), "error")
        return redirect(_model_url(model), code=303)
    unit = db.session.get(Unit, form.unit.data or 0)
    organization = db.session.get(MemberOrganization, form.organization.data or 0)
    if unit is None or organization is None or unit not in editor_units():
        abort(403)
    with saving(services.ModelError, services.registrations.RegistrationError) as attempt:
        entry = services.replicate(
            current_user, model, unit, organization, form.year.data or local_today().year
        )
    if attempt.refused is not None:
        flash(str(attempt.refused), "error")
        return redirect(_model_url(model), code=303)
    flash(_("Added to your list: complete the entry and send the list as usual."), "success")
    return redirect(url_for("registrations.edit_entry", entry_id=entry.id), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A photo far over the limit is refused before it is read: say so with the limit,
    rather than with a bare error page."""
    flash(
        _("The file is too large: at most %(size)s.", size=human_size(photos.max_bytes())), "error"
    )
    target = (
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else url_for("showcase.index")
    )
    return redirect(target, code=303)
