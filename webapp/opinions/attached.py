"""Files attached to opinions over HTTP: the photo a sender (or the committee, at a meeting)
attached, and the document of the authority's answer.

Who sees what:
- The photo is the handling committee's and above (OPINION_PHOTO_VIEW: it may show faces and
  homes), like the sender's name. It reaches the public (the answers page, /opinions/track)
  only when the committee, recording the answer, marks it publishable, and only once the
  opinion is answered or closed. Others get 404 (not signed in) or 403 (signed in).
- The answer's document is the authority's official reply: public once the opinion is
  answered (or closed), like the answer's text; before, only for those who read the opinion.
"""

from __future__ import annotations

from flask import abort, current_app, url_for
from flask_login import current_user

from webapp import photos, policy
from webapp.extensions import db
from webapp.opinions import services
from webapp.opinions.answers import PUBLISHED_STATES
from webapp.opinions.models import Opinion
from webapp.opinions.views import bp
from webapp.pages import files
from webapp.photos import Photo
from webapp.policy import Action


def opinion_photo_url(photo: Photo, width: int) -> str:
    return url_for("opinions.photo_file", photo_id=photo.id, width=width)


@bp.app_template_global("opinion_photo_src")
def opinion_photo_src(photo: Photo, width: int) -> str:
    return opinion_photo_url(photo, photo.fitting(width))


@bp.app_template_global("opinion_photo_srcset")
def opinion_photo_srcset(photo: Photo) -> str:
    return photos.srcset(photo, opinion_photo_url)


def _refuse():
    abort(403 if policy.signed_in(current_user) else 404)


@bp.get("/photos/<id:photo_id>/<int:width>.webp")
def photo_file(photo_id: int, width: int):
    opinion = db.session.scalar(db.select(Opinion).filter_by(photo_id=photo_id))
    if opinion is None:
        abort(404)
    public = opinion.photo_published
    if not public and not policy.can(current_user, Action.OPINION_PHOTO_VIEW, opinion):
        _refuse()
    return photos.send_width(opinion.photo, width, public=public)


@bp.get("/<id:opinion_id>/answer/<filename>")
def answer_document(opinion_id: int, filename: str):
    """The name in the URL is for people and browsers; the id decides."""
    opinion = db.get_or_404(Opinion, opinion_id)
    public = opinion.state in PUBLISHED_STATES and opinion.answer_text is not None
    if not public and not policy.can(current_user, Action.OPINION_VIEW, opinion):
        _refuse()
    path = services.answer_document_path(opinion)
    if path is None or not path.is_file():
        if opinion.answer_document:
            current_app.logger.error("opinion %s: answer file %s is missing", opinion.id, path)
        abort(404)
    return files.send_stored(
        path, opinion.answer_document_type, opinion.answer_document_name, public=public
    )
