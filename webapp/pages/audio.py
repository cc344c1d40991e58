"""Recordings of guidance pages and of the campaign's contents per language: which files are
accepted (audio by their content: MP3, Ogg (Opus or Vorbis), M4A; within the attachments' size
limit), stored like attachments, and reviewed like a translation before readers hear them;
callers commit."""

from __future__ import annotations

import math
import os
import uuid

import filetype
import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from webapp import filestore, policy
from webapp.audit.services import record
from webapp.concurrency import check_version
from webapp.db import utcnow
from webapp.extensions import db
from webapp.i18n.languages import all_languages
from webapp.i18n.models import ReviewState
from webapp.i18n.services import OWN_WORK, own_work
from webapp.pages import files
from webapp.pages.models import Page, Recording
from webapp.pages.services import PageError
from webapp.policy import Action

# What `filetype` finds in the first bytes → the type served and the stored name's extension.
AUDIO = {
    "audio/mpeg": ("audio/mpeg", "mp3"),
    "audio/ogg": ("audio/ogg", "ogg"),
    "audio/mp4": ("audio/mp4", "m4a"),
    "audio/x-m4a": ("audio/mp4", "m4a"),
    "video/mp4": ("audio/mp4", "m4a"),  # an M4A's container, by its first bytes
}


def _of(subject):
    """The recordings of a subject: a guidance page or a campaign content."""
    if isinstance(subject, Page):
        return Recording.page_id == subject.id
    return Recording.content_id == subject.id


def recordings(page, language: str | None = None) -> list[Recording]:
    stmt = sa.select(Recording).where(_of(page))
    if language:
        stmt = stmt.where(Recording.language == language)
    return list(db.session.scalars(stmt.order_by(Recording.id.desc())))


def approved(page, language: str) -> Recording | None:
    """The newest approved recording of the page (or content) in the language, for readers."""
    return db.session.scalar(
        sa.select(Recording)
        .where(
            _of(page),
            Recording.language == language,
            Recording.state == ReviewState.APPROVED,
        )
        .order_by(Recording.approved_at.desc(), Recording.id.desc())
        .limit(1)
    )


def add_recording(actor, page, language: str, upload: FileStorage | None) -> Recording:
    """Check and store an upload as a recording of a page or a campaign content, sent for
    review."""
    if isinstance(page, Page):
        recording = Recording(page=page, page_id=page.id, language=language)
    else:
        recording = Recording(content=page, content_id=page.id, language=language)
    ensure_may(actor, recording, review=False)
    if upload is None or not upload.filename:
        raise files.FileError(_("Choose a recording to upload."))
    directory = files.attachments_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial, size, head = filestore.receive(
        upload.stream, directory, files.max_bytes(), files.FileError
    )
    try:
        found = filetype.guess(head)
        kind = AUDIO.get(found.mime) if found else None
        seconds = _seconds(partial) if kind else 0
        if not kind or not seconds:
            raise files.FileError(
                _("This file is not a recording: upload an MP3, Ogg or M4A audio file.")
            )
        path = directory / f"{uuid.uuid4().hex}.{kind[1]}"
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    filestore.written(db.session, path)
    recording.stored_name, recording.content_type = path.name, kind[0]
    recording.size, recording.seconds = size, seconds
    recording.translated_by_id = actor.id
    recording.state = ReviewState.REVIEW
    db.session.add(recording)
    db.session.flush()
    _record(actor, "recording.added", recording)
    return recording


def _seconds(path) -> int:
    import mutagen  # only where recordings arrive: readers' pages never load it

    try:
        audio = mutagen.File(path)
    except Exception:  # a file that only looks like audio: mutagen raises many kinds
        return 0
    length = getattr(getattr(audio, "info", None), "length", 0) or 0
    return math.ceil(length) if length > 0 else 0


def decide(actor, recording: Recording, version: int, *, approve: bool, note: str = ""):
    """A reviewer of the language approves the recording (readers hear it) or sends it back."""
    check_version(recording, version)
    if own_work(actor, recording):
        raise PageError(str(OWN_WORK))
    ensure_may(actor, recording, review=True)
    if approve:
        recording.state, recording.approved_by_id = ReviewState.APPROVED, actor.id
        recording.approved_at = utcnow()
    else:
        if not note.strip():
            raise PageError(_("Say what the translator should change."))
        recording.state, recording.review_note = ReviewState.DRAFT, note.strip()[:500]
    db.session.flush()
    _record(actor, "recording.approved" if approve else "recording.returned", recording)
    return recording


def may(actor, recording: Recording, *, review: bool) -> bool:
    """Whether `actor` may upload (or, `review`, decide) this recording: a page's follow the
    page translations' rules; a content's, like the campaign's words, the language's
    translators and reviewers on the province."""
    if recording.content_id is not None:
        action = Action.INTERFACE_REVIEW if review else Action.INTERFACE_TRANSLATE
        return policy.can(
            actor, action, recording if review else all_languages()[recording.language]
        )
    action = Action.TRANSLATION_APPROVE if review else Action.PAGE_TRANSLATE
    return policy.can(actor, action, recording)


def ensure_may(actor, recording: Recording, *, review: bool) -> None:
    if not may(actor, recording, review=review):
        raise policy.Denied(recording)


def _record(actor, action: str, recording: Recording) -> None:
    if recording.page is None:
        record(actor, action, recording, unit_id=None, language=recording.language)
        return
    record(
        actor,
        action,
        recording.page,
        unit_id=recording.page.unit_id,
        language=recording.language,
    )
