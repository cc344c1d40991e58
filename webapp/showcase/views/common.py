"""The blueprint, the links other capabilities' templates show (an entry's source model, a
commended entry's model) and the photo URLs."""

from __future__ import annotations

from flask import Blueprint, g, url_for
from flask_login import current_user

from webapp import photos, policy
from webapp.extensions import db
from webapp.photos import Photo, srcset
from webapp.policy import Action
from webapp.registrations.models import EntryState
from webapp.showcase import queries
from webapp.units.models import Unit

bp = Blueprint("showcase", __name__)


def photo_url(photo: Photo, width: int, public: bool, extension: str = "webp") -> str:
    """A photo's URL for readers who see it `public` or not: the key in it changes when the
    photo stops being public, so what a cache kept for a year is not served again."""
    return url_for(
        "showcase.photo_file", photo_id=photo.id, key=photos.key(photo, public), width=width,
        extension=extension,
    )  # fmt: skip


@bp.app_template_global("photo_srcset")
def photo_srcset(photo: Photo, public: bool, extension: str = "webp") -> str:
    return srcset(photo, lambda p, w: photo_url(p, w, public, extension))


@bp.app_template_global("photo_src")
def photo_src(photo: Photo, width: int, public: bool, extension: str = "webp") -> str:
    return photo_url(photo, photo.fitting(width), public, extension)


@bp.app_template_global("replicated_model")
def replicated_model(entry):
    """The model an entry replicates, for reviewers and editors; one query per list shown."""
    cache = g.setdefault("showcase_sources", {})
    list_id = entry.list_id
    if list_id not in cache:
        ids = [e.id for e in entry.registration_list.entries]
        cache[list_id] = queries.sources_of_entries(ids)
    return cache[list_id].get(entry.id)


@bp.app_template_global("may_recognise")
def may_recognise(entry) -> bool:
    """Whether to offer "recognise" on an approved entry's row: the user's roles reach it (the
    form itself says when its report shows too little progress), without a query per row."""
    if entry.state != EntryState.APPROVED or not policy.signed_in(current_user):
        return False
    unit = policy.unit_for(Action.MODEL_RECOGNISE, entry)
    return unit is not None and policy.covers(current_user, Action.MODEL_RECOGNISE, unit)


@bp.app_template_global("effective_model_of")
def effective_model_of(entry_id: int | None):
    """A commended entry's recognised model, if it has one."""
    if entry_id is None:
        return None
    return queries.models_of_entries([entry_id]).get(entry_id)


@bp.app_template_global("spread_unit")
def spread_unit():
    """The unit whose models' replication the user follows (the top of their scope), for the
    home page and the showcase; None for those who follow none (visitors, translators)."""
    if not policy.signed_in(current_user):
        return None
    roots = policy.scope_roots(current_user, Action.MODEL_SPREAD)
    return db.session.get(Unit, roots[0]) if roots else None
