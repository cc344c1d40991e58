"""Opinion screens: the public form and tracking page (no account, no session cookie), and the
committee's list, opinion page and handling steps. Every flow is a plain form that works with
JavaScript off."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from webapp import filestore, photos, policy
from webapp.campaign.models import Content
from webapp.concurrency import VersionForm, saving, version_of
from webapp.extensions import csrf, db
from webapp.forms import field_error
from webapp.opinions import consolidated, overdue, services
from webapp.opinions.forms import (
    POLICY_TOPIC,
    AnswerForm,
    DistrictForm,
    MeetingForm,
    MergeForm,
    OpinionForm,
    ReasonForm,
    SummaryForm,
    TrackForm,
    choices,
    commune_parents,
    topic_choices,
    units_in_force,
)
from webapp.opinions.models import MeetingKind, Opinion, OpinionState
from webapp.opinions.services import OpinionError, OpinionValues
from webapp.pages import files
from webapp.paging import page_of
from webapp.policy import Action
from webapp.units.models import Level, Unit
from webapp.units.queries import units_in_scope

bp = Blueprint("opinions", __name__, url_prefix="/opinions")

# A 1 MB opinion is answered with the field's message, not the server's "too large" page.
FORM_MEMORY_BYTES = 2 * 1024 * 1024
PAGE_SIZE = 50


def _district(value) -> Unit | None:
    """The unit chosen at the first step, if it is one of those offered."""
    return next((u for u in commune_parents() if u.id == value), None)


def _int_of(text: str | None) -> int | None:
    """A number typed in a URL or a select's value; None when garbled."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _values(form: OpinionForm, communes: list[Unit]) -> OpinionValues:
    commune = next((u for u in communes if u.id == form.commune.data), None)
    content = None
    if form.topic.data and form.topic.data != POLICY_TOPIC:
        content = db.session.get(Content, _int_of(form.topic.data) or 0)
    return OpinionValues(
        unit=commune,
        content=content,
        text=form.text.data or "",
        sender_name=form.sender_name.data or None,
        sender_contact=form.sender_contact.data or None,
    )


def photo_field(form: OpinionForm) -> None:
    """The photo's hint (with the configured limit) and, after a POST, a word when a photo
    was chosen but the form comes back: a browser never sends a file input's file again."""
    form.photo.description = _(
        "One JPEG, PNG or WebP photo, at most %(size)s. Only the Front committee sees it, "
        "unless it shows it with the answer.",
        size=filestore.human_size(photos.max_bytes()),
    )
    form.photo.render_kw = {"accept": photos.ACCEPT}


def _photo_upload(form: OpinionForm):
    """The photo sent, if any; refused (False) when more than one came."""
    uploads = [u for u in request.files.getlist("photo") if u.filename]
    if len(uploads) > 1:
        form.photo.errors = [_("Attach one photo at most.")]
        return False
    return uploads[0] if uploads else None


def _photo_lost(form: OpinionForm) -> None:
    """The form comes back with messages: a photo chosen must be chosen again."""
    if any(u.filename for u in request.files.getlist("photo")) and not form.photo.errors:
        form.photo.errors = [
            _(
                "Your photo was not kept: choose it again before sending. Everything else you "
                "typed is kept."
            )
        ]


def _topic_ok(form: OpinionForm) -> bool:
    valid = {choice.value for choice in form.topic.choices if choice.value}
    if form.topic.data not in valid:
        form.topic.errors = list(form.topic.errors) or [_("Please choose one.")]
        return False
    return True


def _commune_ok(form: OpinionForm, communes: list[Unit]) -> bool:
    if form.commune.data not in {u.id for u in communes}:
        form.commune.errors = [_("Choose a commune that exists today.")]
        return False
    return True


@bp.route("/new", methods=["GET", "POST"])
@csrf.exempt  # no account and no session: nothing to forge; the honeypot and limits stand
def new():
    policy.require(current_user, Action.OPINION_SEND)
    request.max_form_memory_size = FORM_MEMORY_BYTES
    source = request.form if request.method == "POST" else request.args
    district = _district(_int_of(source.get("district")))
    if district is None:
        if request.method == "POST":
            abort(400)
        step = DistrictForm(request.args)
        step.district.choices = choices(
            [("", _("Choose a district or province"))] + [(u.id, u.name) for u in commune_parents()]
        )
        return render_template("opinions/district.html", form=step)
    communes = units_in_force(Level.COMMUNE, district.id)
    form = OpinionForm(request.form if request.method == "POST" else None)
    form.district.data = str(district.id)
    form.commune.choices = choices(
        [("", _("Choose a commune"))] + [(u.id, u.name) for u in communes]
    )
    form.topic.choices = topic_choices()
    photo_field(form)
    if request.method == "GET":
        return render_template("opinions/new.html", form=form, district=district)
    if form.website.data:
        form.form_errors.append(_("Your opinion could not be sent. Please try again."))
        return render_template("opinions/new.html", form=form, district=district), 400
    upload = _photo_upload(form)
    valid = all(
        [form.validate(), _commune_ok(form, communes), _topic_ok(form), upload is not False]
    )
    if not valid:
        _photo_lost(form)
        return render_template("opinions/new.html", form=form, district=district), 422
    values = _values(form, communes)
    values.photo = upload
    with saving(OpinionError) as attempt:
        opinion = services.send(values, request.remote_addr or "unknown")
    if attempt.refused:
        field_error(form, attempt.refused)
        _photo_lost(form)
        status = 429 if isinstance(attempt.refused, services.TooMany) else 422
        return render_template("opinions/new.html", form=form, district=district), status
    return redirect(url_for("opinions.track", code=opinion.code, sent=1), 303)


@bp.get("/track")
def track():
    """An opinion by its code: its state and answer, never who sent it."""
    policy.require(current_user, Action.OPINION_SEND)
    form = TrackForm(request.args)
    opinion = final = None
    status = 200
    if request.args.get("code") is not None:
        code = services.normalize_code(form.code.data)
        opinion = (
            db.session.scalar(sa.select(Opinion).where(Opinion.code == code)) if code else None
        )
        if opinion is None:
            form.code.errors = [_("No opinion has this code. Check it and try again.")]
            status = 404
        else:
            final = opinion.final()
    return (
        render_template(
            "opinions/track.html",
            form=form,
            opinion=opinion,
            final=final,
            sent=bool(request.args.get("sent")),
        ),
        status,
    )


@bp.get("")
def index():
    if not policy.can_somewhere(current_user, Action.OPINION_VIEW):
        policy.require(current_user, Action.OPINION_VIEW, None)
    state = request.args.get("state") or ""
    stmt = policy.visible(current_user, Action.OPINION_VIEW, sa.select(Opinion))
    if state == "overdue":
        stmt = stmt.where(overdue.overdue_condition())
    elif state in {s.value for s in OpinionState}:
        stmt = stmt.where(Opinion.state == state)
    else:
        state = ""
        stmt = stmt.where(Opinion.state != OpinionState.MERGED)
    # Each row names its commune and topic: loaded together, not one query per row.
    stmt = stmt.options(selectinload(Opinion.unit), selectinload(Opinion.content))
    rows = list(db.session.scalars(stmt.order_by(Opinion.received_at.desc(), Opinion.id.desc())))
    paged = page_of(rows, PAGE_SIZE)
    return render_template(
        "opinions/index.html",
        paged=paged,
        state=state,
        states=list(OpinionState),
        days=overdue.days_for(_scope_unit()),
        overdue=overdue.overdue_ids([o.id for o in paged.items]),
        may_record=policy.can_somewhere(current_user, Action.OPINION_RECORD),
    )


def _scope_unit() -> Unit | None:
    """A unit of the user's scope, whose province's answer time the list states."""
    roots = policy.scope_roots(current_user, Action.OPINION_VIEW)
    return db.session.get(Unit, min(roots)) if roots else None


def _communes_in_scope() -> list[Unit]:
    roots = policy.scope_roots(current_user, Action.OPINION_RECORD)
    if not roots:
        return []
    stmt = units_in_scope(roots, levels=[Level.COMMUNE]).order_by(Unit.name)
    return list(db.session.scalars(stmt))


@bp.route("/record", methods=["GET", "POST"])
def record():
    """An opinion raised at a meeting, recorded by the committee."""
    if not policy.can_somewhere(current_user, Action.OPINION_RECORD):
        policy.require(current_user, Action.OPINION_RECORD, None)
    communes = _communes_in_scope()
    form = MeetingForm()
    form.commune.choices = [("", _("Choose a commune"))] + [(u.id, u.name) for u in communes]
    form.topic.choices = topic_choices()
    areas = (
        list(
            db.session.scalars(
                sa.select(Unit)
                .where(Unit.parent_id.in_([u.id for u in communes]), Unit.valid_to.is_(None))
                .order_by(Unit.name)
            )
        )
        if communes
        else []
    )
    by_id = {u.id: u for u in communes}
    form.area.choices = choices(
        [("", _("Not known"))] + [(a.id, f"{by_id[a.parent_id].name} – {a.name}") for a in areas]
    )
    photo_field(form)
    if request.method == "GET":
        return render_template("opinions/record.html", form=form)
    chosen = db.session.get(Unit, form.commune.data) if isinstance(form.commune.data, int) else None
    if chosen is not None:
        policy.require(current_user, Action.OPINION_RECORD, chosen)
    upload = _photo_upload(form)
    valid = all(
        [form.validate(), _commune_ok(form, communes), _topic_ok(form), upload is not False]
    )
    if not valid:
        _photo_lost(form)
        return render_template("opinions/record.html", form=form), 422
    values = _values(form, communes)
    values.photo = upload
    values.meeting_kind = MeetingKind(form.meeting_kind.data)
    values.meeting_place = form.meeting_place.data or None
    values.meeting_on = form.meeting_on.data
    values.area = next((a for a in areas if a.id == form.area.data), None)
    values.people = form.people.data
    with saving(OpinionError) as attempt:
        opinion = services.record_meeting(current_user, values)
    if attempt.refused:
        field_error(form, attempt.refused)
        _photo_lost(form)
        return render_template("opinions/record.html", form=form), 422
    flash(_("Opinion %(code)s was recorded.", code=opinion.code))
    return redirect(url_for("opinions.show", opinion_id=opinion.id), 303)


def _load(opinion_id: int) -> Opinion:
    opinion = db.get_or_404(Opinion, opinion_id)
    policy.require(current_user, Action.OPINION_VIEW, opinion)
    return opinion


def _show(opinion: Opinion, status: int = 200, **forms):
    version = str(opinion.version)
    defaults = {
        "plain_form": VersionForm(formdata=None, version=version),
        "reject_form": ReasonForm(formdata=None, version=version),
        "forward_form": ReasonForm(formdata=None, version=version, prefix="forward"),
        "summary_form": SummaryForm(formdata=None, version=version, summary=opinion.summary),
        "merge_form": MergeForm(formdata=None, version=version),
        "answer_form": AnswerForm(
            formdata=None,
            version=version,
            answer_text=opinion.answer_text,
            agency=opinion.answer_agency,
            answered_on=opinion.answered_on,
            photo_public=opinion.photo_public,
        ),
    }
    defaults.update(forms)
    return (
        render_template(
            "opinions/show.html",
            opinion=opinion,
            overdue=overdue.is_overdue(opinion),
            days=overdue.days_for(opinion.unit),
            dispatches=consolidated.dispatches_carrying(opinion),
            document_accept=files.ACCEPT,
            **defaults,
        ),
        status,
    )


@bp.get("/<id:opinion_id>")
def show(opinion_id: int):
    return _show(_load(opinion_id))


def _step(opinion_id: int, action: Action) -> Opinion | None:
    """The opinion, when the step falls to the user (403 otherwise); None when its state moved
    on meanwhile (the caller redirects with a word)."""
    opinion = db.get_or_404(Opinion, opinion_id)
    verdict = policy.require_in_scope(current_user, action, opinion)
    if verdict.wrong_state:
        flash(_("This opinion has moved on meanwhile: here it is as it stands."))
        return None
    return opinion


def _done(opinion_id: int, attempt, message: str, form_name: str | None = None, form=None):
    if attempt.stale:
        flash(_("Someone changed this opinion meanwhile: here it is as it stands."))
        return _back(opinion_id)
    if attempt.refused:
        opinion = db.session.get(Opinion, opinion_id)
        if form is not None:
            field_error(form, attempt.refused)
            return _show(opinion, 422, **{form_name: form})
        flash(str(attempt.refused))
        return _back(opinion_id)
    flash(message)
    return _back(opinion_id)


def _back(opinion_id: int):
    return redirect(url_for("opinions.show", opinion_id=opinion_id), 303)


def _run_step(opinion_id: int, action: Action, form, form_name: str, run, message: str):
    """One handling step with a form: in scope (403 otherwise), in state (a word otherwise),
    valid (the page with the form's messages otherwise), then saved or refused."""
    opinion = _step(opinion_id, action)
    if opinion is None:
        return _back(opinion_id)
    if form_name and not form.validate():
        return _show(opinion, 422, **{form_name: form})
    with saving(OpinionError) as attempt:
        run(opinion, form)
    return _done(opinion_id, attempt, message, form_name or None, form if form_name else None)


@bp.post("/<id:opinion_id>/accept")
def accept(opinion_id: int):
    return _run_step(
        opinion_id,
        Action.OPINION_HANDLE,
        VersionForm(),
        "",
        lambda opinion, form: services.accept(current_user, opinion, version_of(form)),
        _("The opinion was accepted for handling."),
    )


@bp.post("/<id:opinion_id>/reject")
def reject(opinion_id: int):
    return _run_step(
        opinion_id,
        Action.OPINION_HANDLE,
        ReasonForm(),
        "reject_form",
        lambda opinion, form: services.reject(
            current_user, opinion, form.reason.data, version_of(form)
        ),
        _("The opinion was not accepted."),
    )


@bp.post("/<id:opinion_id>/forward")
def forward(opinion_id: int):
    return _run_step(
        opinion_id,
        Action.OPINION_HANDLE,
        ReasonForm(prefix="forward"),
        "forward_form",
        lambda opinion, form: services.forward(
            current_user, opinion, form.reason.data, version_of(form)
        ),
        _("The opinion was sent up a level."),
    )


@bp.post("/<id:opinion_id>/summary")
def reword(opinion_id: int):
    return _run_step(
        opinion_id,
        Action.OPINION_HANDLE,
        SummaryForm(),
        "summary_form",
        lambda opinion, form: services.reword(
            current_user, opinion, form.summary.data, version_of(form)
        ),
        _("The summary was saved."),
    )


def _merge(opinion: Opinion, form: MergeForm) -> None:
    code = services.normalize_code(form.target.data)
    target = db.session.scalar(sa.select(Opinion).where(Opinion.code == code))
    services.merge(current_user, opinion, target, version_of(form))


@bp.post("/<id:opinion_id>/merge")
def merge(opinion_id: int):
    return _run_step(
        opinion_id,
        Action.OPINION_HANDLE,
        MergeForm(),
        "merge_form",
        _merge,
        _("The opinion was merged."),
    )


def _answer(opinion: Opinion, form: AnswerForm) -> None:
    services.answer(
        current_user,
        opinion,
        form.answer_text.data,
        form.agency.data,
        form.answered_on.data,
        version_of(form),
        document=request.files.get("document"),
        photo_public=bool(form.photo_public.data),
    )


@bp.post("/<id:opinion_id>/answer")
def answer(opinion_id: int):
    return _run_step(
        opinion_id,
        Action.OPINION_ANSWER,
        AnswerForm(),
        "answer_form",
        _answer,
        _("The answer was recorded."),
    )


@bp.post("/<id:opinion_id>/close")
def close(opinion_id: int):
    return _run_step(
        opinion_id,
        Action.OPINION_ANSWER,
        VersionForm(),
        "",
        lambda opinion, form: services.close(current_user, opinion, version_of(form)),
        _("The opinion was closed."),
    )
