"""Changing opinions: receiving one (from anyone, or recorded by the committee), and each step
of its handling, every step checked by the policy and written to the audit log. Callers
commit (views through `concurrency.saving`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from webapp import filestore, photos, policy
from webapp.audit.services import record
from webapp.campaign.models import Content
from webapp.concurrency import lock_current, take_write_lock
from webapp.db import local_today, utcnow
from webapp.extensions import db
from webapp.forms import Refused
from webapp.opinions.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    OPEN_STATES,
    MeetingKind,
    Opinion,
    OpinionSource,
    OpinionState,
)
from webapp.pages import files
from webapp.policy import Action
from webapp.units.models import Level, Unit

TEXT_MAX = 5000
SUMMARY_MAX = 1000
REASON_MAX = 2000
ANSWER_MAX = 10000


class OpinionError(Refused):
    """A step the service refuses; the message is shown to the user."""


class TooMany(OpinionError):
    """The address sent the most opinions an hour allows."""


@dataclass
class OpinionValues:
    unit: Unit
    content: Content | None  # None: mechanisms and policies
    text: str
    sender_name: str | None = None
    sender_contact: str | None = None
    # Recorded at a meeting (committee staff only)
    meeting_kind: MeetingKind | None = None
    meeting_place: str | None = None
    meeting_on: date | None = None
    area: Unit | None = None
    people: int = 1
    photo: FileStorage | None = None  # optional; checked and stored by webapp.photos


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))
        if db.session.scalar(sa.select(Opinion.id).where(Opinion.code == code)) is None:
            return code


def normalize_code(text: str | None) -> str:
    """A code as typed: spaces and dashes dropped, any case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:20]


def address_key(address: str) -> str:
    """A keyed hash of an address: enough to count, never to find the sender."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:40]


def _lock_address(key: str) -> None:
    """Count and insert under a lock, so parallel sends from one address cannot all pass the
    limit: SQLite's write lock; on PostgreSQL an advisory lock on the address (until commit)."""
    take_write_lock()
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        number = int(key[:15], 16)  # 60 bits of the keyed hash: fits a bigint
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(number)))


def sent_last_hour(key: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return db.session.scalar(
        sa.select(sa.func.count(Opinion.id)).where(
            Opinion.address_key == key, Opinion.received_at >= since
        )
    )


def _check(values: OpinionValues) -> None:
    if values.unit.level != Level.COMMUNE or not values.unit.is_active_on(local_today()):
        raise OpinionError(_("Choose a commune that exists today."), "commune")
    if not values.text:
        raise OpinionError(_("Write your opinion."), "text")
    if len(values.text) > TEXT_MAX:
        raise OpinionError(_("At most %(max)d characters.", max=TEXT_MAX), "text")
    if values.area is not None and values.area.parent_id != values.unit.id:
        raise OpinionError(_("Choose a residential area of this commune."), "area")


def _new(values: OpinionValues, **more) -> Opinion:
    opinion = Opinion(
        code=_new_code(),
        unit=values.unit,
        content=values.content,
        text=values.text,
        sender_name=values.sender_name,
        sender_contact=values.sender_contact,
        **more,
    )
    if values.photo is not None and values.photo.filename:
        try:
            opinion.photo = photos.add_photo(values.photo, more.get("created_by_id"))
        except photos.PhotoError as error:
            raise OpinionError(str(error), "photo") from error
    db.session.add(opinion)
    return opinion


def send(values: OpinionValues, address: str) -> Opinion:
    """An opinion from anyone (no account): limited per address and hour."""
    _check(values)
    key = address_key(address)
    _lock_address(key)
    if sent_last_hour(key) >= current_app.config["OPINIONS_PER_ADDRESS_HOUR"]:
        raise TooMany(
            _(
                "Too many opinions were sent from your connection in the last hour. "
                "Please try again later."
            )
        )
    opinion = _new(values, source=OpinionSource.ONLINE, address_key=key)
    record(None, "opinion.sent", opinion, unit_id=values.unit.id)
    return opinion


def record_meeting(user, values: OpinionValues) -> Opinion:
    """An opinion raised at a meeting, recorded by the committee; handled like any other."""
    policy.ensure(user, Action.OPINION_RECORD, values.unit)
    _check(values)
    if not 1 <= values.people <= 100000:
        raise OpinionError(_("Enter a number between 1 and 100000."), "people")
    opinion = _new(
        values,
        source=OpinionSource.MEETING,
        meeting_kind=values.meeting_kind,
        meeting_place=values.meeting_place,
        meeting_on=values.meeting_on,
        area=values.area,
        people=values.people,
        created_by_id=user.id,
    )
    record(user, "opinion.recorded", opinion, unit_id=values.unit.id, people=values.people)
    return opinion


def _ready(user, action: Action, opinion: Opinion, version: int | None) -> None:
    lock_current(opinion, version)
    policy.ensure(user, action, opinion)


def _reason(text: str | None) -> str:
    if not text:
        raise OpinionError(_("Give the reason."), "reason")
    if len(text) > REASON_MAX:
        raise OpinionError(_("At most %(max)d characters.", max=REASON_MAX), "reason")
    return text


def accept(user, opinion: Opinion, version: int | None = None) -> None:
    _ready(user, Action.OPINION_HANDLE, opinion, version)
    if opinion.state != OpinionState.RECEIVED:
        raise OpinionError(_("This opinion is already being handled."))
    opinion.state = OpinionState.ACCEPTED
    record(user, "opinion.accepted", opinion, unit_id=opinion.unit_id)


def reject(user, opinion: Opinion, reason: str | None, version: int | None = None) -> None:
    _ready(user, Action.OPINION_HANDLE, opinion, version)
    opinion.reason = _reason(reason)
    opinion.state = OpinionState.REJECTED
    record(user, "opinion.rejected", opinion, unit_id=opinion.unit_id, reason=opinion.reason)


def reword(user, opinion: Opinion, summary: str | None, version: int | None = None) -> None:
    _ready(user, Action.OPINION_HANDLE, opinion, version)
    if summary and len(summary) > SUMMARY_MAX:
        raise OpinionError(_("At most %(max)d characters.", max=SUMMARY_MAX), "summary")
    opinion.summary = summary or None
    record(user, "opinion.reworded", opinion, unit_id=opinion.unit_id)


def forward(user, opinion: Opinion, reason: str | None, version: int | None = None) -> None:
    """Send it up a level: beyond the authority of the commune (or the district)."""
    _ready(user, Action.OPINION_HANDLE, opinion, version)
    above = opinion.forwarded_to or opinion.unit
    if above.parent is None:
        raise OpinionError(_("There is no level above to send it to."))
    opinion.reason = _reason(reason)
    opinion.forwarded_to = above.parent
    opinion.state = OpinionState.FORWARDED
    record(
        user,
        "opinion.forwarded",
        opinion,
        unit_id=opinion.unit_id,
        to_unit_id=above.parent.id,
        reason=opinion.reason,
    )


def merge(user, opinion: Opinion, target: Opinion | None, version: int | None = None) -> None:
    """Merge `opinion` into `target`, an opinion of the same commune still open: the target's
    count adds this one's people (and those merged into it); their senders follow the target."""
    _ready(user, Action.OPINION_HANDLE, opinion, version)
    if target is None or target.id == opinion.id or target.unit_id != opinion.unit_id:
        raise OpinionError(_("Give the code of another opinion of the same commune."), "target")
    lock_current(target)
    policy.ensure(user, Action.OPINION_VIEW, target)
    if target.state not in OPEN_STATES:
        raise OpinionError(_("That opinion is closed: merge into one still open."), "target")
    target.people += opinion.people
    for follower in list(opinion.merged):
        follower.merged_into = target
    opinion.merged_into = target
    opinion.state = OpinionState.MERGED
    if target.state == OpinionState.RECEIVED:
        target.state = OpinionState.ACCEPTED
    record(
        user,
        "opinion.merged",
        opinion,
        unit_id=opinion.unit_id,
        into_id=target.id,
        into_code=target.code,
        people=opinion.people,
    )


def answer(
    user,
    opinion: Opinion,
    text: str | None,
    agency: str | None,
    day: date | None,
    version: int | None = None,
    *,
    document: FileStorage | None = None,
    photo_public: bool = False,
) -> None:
    """The authority's answer: its text, agency, date and, optionally, its document (which
    replaces one attached before; public with the answer). `photo_public` publishes the
    opinion's photo with the answer; the committee decides, the default keeps it theirs."""
    _ready(user, Action.OPINION_ANSWER, opinion, version)
    if not text:
        raise OpinionError(_("Write the answer."), "answer_text")
    if len(text) > ANSWER_MAX:
        raise OpinionError(_("At most %(max)d characters.", max=ANSWER_MAX), "answer_text")
    if not agency:
        raise OpinionError(_("Name the agency that answered."), "agency")
    if document is not None and document.filename:
        _attach_answer_document(opinion, document)
    opinion.answer_text = text
    opinion.answer_agency = agency
    opinion.answered_on = day or local_today()
    opinion.state = OpinionState.ANSWERED
    opinion.photo_public = bool(photo_public and opinion.photo_id is not None)
    record(
        user,
        "opinion.answered",
        opinion,
        unit_id=opinion.unit_id,
        agency=agency,
        document=opinion.answer_document_name,
        photo_public=opinion.photo_public,
    )


def answer_document_path(opinion: Opinion):
    """Where the answer's document is; None without one, or for a name we could not have made."""
    if not files.is_stored_name(opinion.answer_document):
        return None
    return files.attachments_dir() / opinion.answer_document


def _attach_answer_document(opinion: Opinion, upload: FileStorage) -> None:
    try:
        stored = files.store_upload(upload)
    except files.FileError as error:
        raise OpinionError(str(error), "document") from error
    previous = answer_document_path(opinion)
    if previous is not None:
        filestore.doomed(db.session, previous)  # goes when the new one commits
    opinion.answer_document = stored.path.name
    opinion.answer_document_name = stored.name
    opinion.answer_document_type = stored.kind.mimetype
    opinion.answer_document_size = stored.size


def close(user, opinion: Opinion, version: int | None = None) -> None:
    _ready(user, Action.OPINION_ANSWER, opinion, version)
    if opinion.state != OpinionState.ANSWERED:
        raise OpinionError(_("Only an answered opinion can be closed."))
    opinion.state = OpinionState.CLOSED
    record(user, "opinion.closed", opinion, unit_id=opinion.unit_id)
