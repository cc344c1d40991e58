"""Recordings of guidance pages: a translator uploads one per language from the translation
editor, a reviewer of the language approves it or sends it back, and readers play the
approved one (the file is served here)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.campaign.models import Content
from webapp.concurrency import saving, version_of
from webapp.extensions import db
from webapp.i18n.languages import all_languages
from webapp.i18n.models import ReviewState
from webapp.pages import audio, files
from webapp.pages.forms import TranslationForm
from webapp.pages.models import Page, Recording
from webapp.pages.queries import is_public
from webapp.pages.services import PageError
from webapp.pages.views.common import bp, translation_language
from webapp.pages.views.translation_pages import translation_editor
from webapp.policy import Action

PUBLIC_MAX_AGE = 3600


def _editor(recording_or_page, code: str):
    content_id = getattr(recording_or_page, "content_id", None)
    if content_id is not None:  # a content's recordings sit beside its name's translation
        url = url_for("i18n.edit_word", code=code, kind="contents.short", row_id=content_id)
        return redirect(url, code=303)
    page_id = getattr(recording_or_page, "page_id", None) or recording_or_page.id
    return redirect(url_for("pages.edit_translation", page_id=page_id, code=code), code=303)


@bp.post("/translations/<code>/words/contents.short/<int:row_id>/recordings")
@login_required
def upload_content_recording(code: str, row_id: int):
    """A recording of one of the campaign's contents, uploaded beside its name's translation."""
    content = db.get_or_404(Content, row_id)
    language = translation_language(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    with saving(files.FileError) as attempt:
        audio.add_recording(current_user, content, language.code, request.files.get("file"))
    if attempt.refused:
        flash(str(attempt.refused), "error")  # said on the content's page, where the form is
        return _editor(Recording(content_id=content.id), code)
    flash(
        _("The recording was sent for review. Readers hear it once a reviewer approves it."),
        "success",
    )
    return _editor(Recording(content_id=content.id), code)


@bp.post("/pages/<id:page_id>/translations/<code>/recordings")
@login_required
def upload_recording(page_id: int, code: str):
    page = db.get_or_404(Page, page_id)
    language = translation_language(code)
    policy.require(current_user, Action.PAGE_TRANSLATE, Recording(page=page, language=code))
    with saving(files.FileError) as attempt:
        audio.add_recording(current_user, page, language.code, request.files.get("file"))
    if attempt.refused:
        return translation_editor(page, language, 422, str(attempt.refused))
    flash(
        _("The recording was sent for review. Readers hear it once a reviewer approves it."),
        "success",
    )
    return _editor(page, code)


@bp.post("/recordings/<int:recording_id>/<any(approve, return):step>")
@login_required
def decide_recording(recording_id: int, step: str):
    recording = db.get_or_404(Recording, recording_id)
    own = recording.translated_by_id == current_user.id
    if not own and recording.content_id is not None:
        if not audio.may(current_user, recording, review=True):
            abort(403)
    elif not own:
        policy.require_in_scope(current_user, Action.TRANSLATION_APPROVE, recording)
    with saving(PageError, policy.Denied) as attempt:
        audio.decide(
            current_user,
            recording,
            version_of(TranslationForm()),
            approve=step == "approve",
            note=request.form.get("note", ""),
        )
    if attempt.refused:
        flash(
            str(attempt.refused)
            if own or isinstance(attempt.refused, PageError)
            else _("This recording is not waiting for review any more; look at it again."),
            "error",
        )
        if own:
            abort(403, str(attempt.refused))
    elif attempt.stale:
        flash(_("Someone else changed this recording meanwhile; look at it again."), "error")
    else:
        flash(
            _("The recording is approved: readers hear it now.")
            if step == "approve"
            else _("The recording was sent back to its translator."),
            "success",
        )
    return _editor(recording, recording.language)


@bp.get("/recordings/<int:recording_id>")
def play_recording(recording_id: int):
    recording = db.get_or_404(Recording, recording_id)
    page = recording.page
    approved = recording.state == ReviewState.APPROVED
    if page is None:  # a content's: the campaign page is public
        heard = approved
        if not heard:  # its translators (and reviewers) listen before approving
            language = all_languages()[recording.language]
            policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    else:
        heard = approved and policy.can(current_user, Action.PAGE_VIEW, page)
        if not heard:
            policy.require(current_user, Action.PAGE_TRANSLATE, recording)
    path = files.attachments_dir() / recording.stored_name
    if not files.is_stored_name(recording.stored_name) or not path.is_file():
        current_app.logger.error("recording %s: file %s is missing", recording.id, path)
        abort(404)
    public = heard and (page is None or is_public(page))
    response = send_file(
        path,
        mimetype=recording.content_type,
        conditional=True,
        etag=True,
        max_age=PUBLIC_MAX_AGE if public else None,
    )
    if public:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# For the templates of other packages (a content's translation screen, the campaign page),
# which may not import pages.


@bp.app_template_global()
def content_recordings(content_id: int, code: str) -> list[Recording]:
    return audio.recordings(Content(id=content_id), code)


@bp.app_template_global()
def content_recording(content_id: int, code: str) -> Recording | None:
    """The approved recording of a content in the reader's language, if any."""
    return audio.approved(Content(id=content_id), code)


@bp.app_template_global()
def recording_decidable(recording: Recording) -> bool:
    return audio.may(current_user, recording, review=True)
