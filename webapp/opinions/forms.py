"""Forms for opinions: the public one (no account, no session: no CSRF token to forge, and a
honeypot field instead), the committee's record of a meeting's opinion, and the handling steps."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
)
from wtforms.fields.choices import SelectChoice

from webapp.campaign.models import Content
from webapp.concurrency import VersionForm
from webapp.db import local_today
from webapp.extensions import db
from webapp.forms import (
    Form,
    WholeNumberField,
    day_field,
    max_length,
    optional_int,
    required,
    text_filters,
)
from webapp.opinions.models import MeetingKind
from webapp.opinions.services import ANSWER_MAX, REASON_MAX, SUMMARY_MAX, TEXT_MAX
from webapp.units.models import Level, Unit
from webapp.units.queries import active_on

POLICY_TOPIC = "policy"
_PHONE = re.compile(r"^\+?[0-9 .\-]{9,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms wants them."""
    return [SelectChoice(value, label) for value, label in pairs]


def topic_choices() -> list[SelectChoice]:
    contents = db.session.scalars(sa.select(Content).order_by(Content.number))
    return choices(
        [("", _l("Choose a topic"))]
        + [(str(c.id), f"{c.number}. {c.tr('short')}") for c in contents]
        + [(POLICY_TOPIC, _l("Mechanisms and policies"))]
    )


def units_in_force(level: Level, parent_id: int | None = None) -> list[Unit]:
    stmt = sa.select(Unit).where(Unit.level == level, active_on(local_today()))
    if parent_id is not None:
        stmt = stmt.where(Unit.parent_id == parent_id)
    return list(db.session.scalars(stmt.order_by(Unit.name)))


def commune_parents() -> list[Unit]:
    """The first step of the commune choice: the units in force right above communes in force
    (districts; the province itself where the communes sit right under it, as from 2025)."""
    today = local_today()
    parents = (
        sa.select(Unit.parent_id)
        .where(Unit.level == Level.COMMUNE, active_on(today))
        .scalar_subquery()
    )
    stmt = sa.select(Unit).where(Unit.id.in_(parents), active_on(today))
    return sorted(db.session.scalars(stmt), key=lambda u: (u.level != Level.DISTRICT, u.name))


def _contact(form, field) -> None:
    value = field.data or ""
    if value and not (_PHONE.match(value) or _EMAIL.match(value)):
        raise ValidationError(_l("Enter a phone number or an e-mail address."))


class DistrictForm(Form):
    """Step one of the commune choice, without JavaScript: the district (a GET form)."""

    class Meta:
        csrf = False

    district = SelectField(_l("District or province"), coerce=optional_int, validate_choice=False)


class OpinionForm(Form):
    """What anyone may send; `website` is a honeypot people never see nor fill."""

    class Meta:
        csrf = False

    district = HiddenField()
    commune = SelectField(
        _l("Commune"), coerce=optional_int, validators=[required()], validate_choice=False
    )
    topic = SelectField(_l("Topic"), validators=[required()], validate_choice=False)
    text = TextAreaField(
        _l("Your opinion or proposal"),
        filters=text_filters(),
        validators=[required(), max_length(TEXT_MAX)],
        description=_l("Any language. At most %(max)d characters.", max=TEXT_MAX),
        render_kw={"rows": 6, "maxlength": TEXT_MAX},
    )
    sender_name = StringField(
        _l("Your name (optional)"), filters=text_filters(), validators=[max_length(120)]
    )
    sender_contact = StringField(
        _l("Phone number or e-mail (optional)"),
        filters=text_filters(),
        validators=[max_length(120), _contact],
        description=_l(
            "Only the Front committee handling your opinion sees your name and contact."
        ),
    )
    # Read from request.files by the view (webapp.photos checks it); here for its label. Its
    # description, with the size configured, is set per request (views.photo_field).
    photo = FileField(_l("A photo (optional)"))
    website = StringField(
        _l("Leave this empty"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )


class MeetingForm(OpinionForm):
    """The committee's record of an opinion raised at a meeting (signed in, with CSRF)."""

    class Meta:
        csrf = True

    # The staff member types what someone else said: the public form's "your" reads wrong.
    text = TextAreaField(
        _l("The opinion or proposal"),
        filters=text_filters(),
        validators=[required(), max_length(TEXT_MAX)],
        description=_l("Any language. At most %(max)d characters.", max=TEXT_MAX),
        render_kw={"rows": 6, "maxlength": TEXT_MAX},
    )
    sender_name = StringField(
        _l("Name of the person who raised it (optional)"),
        filters=text_filters(),
        validators=[max_length(120)],
    )
    sender_contact = StringField(
        _l("Their phone number or e-mail (optional)"),
        filters=text_filters(),
        validators=[max_length(120), _contact],
        description=_l("Only the Front committees handling the opinion see the name and contact."),
    )
    meeting_kind = SelectField(
        _l("Meeting"),
        # Called per form: the labels in the reader's language, not the one at import.
        choices=lambda: choices((k.value, k.label) for k in MeetingKind),
        validators=[required()],
    )
    meeting_place = StringField(_l("Place"), filters=text_filters(), validators=[max_length(200)])
    meeting_on = day_field(_l("Date of the meeting"))
    area = SelectField(_l("Residential area"), coerce=optional_int, validate_choice=False)
    people = WholeNumberField(
        _l("Number of people who raised it"),
        default=1,
        validators=[
            validators.InputRequired(message=_l("This field is required.")),
            validators.NumberRange(1, 100000, message=_l("Enter a number between 1 and 100000.")),
        ],
    )


class ReasonForm(VersionForm):
    reason = TextAreaField(
        _l("Reason"),
        filters=text_filters(),
        validators=[required(), max_length(REASON_MAX)],
        render_kw={"rows": 3},
    )


class SummaryForm(VersionForm):
    summary = TextAreaField(
        _l("Short summary in Vietnamese"),
        filters=text_filters(),
        validators=[max_length(SUMMARY_MAX)],
        render_kw={"rows": 3},
    )


class MergeForm(VersionForm):
    target = StringField(
        _l("Code of the opinion to merge into"), filters=text_filters(), validators=[required()]
    )


class AnswerForm(VersionForm):
    answer_text = TextAreaField(
        _l("Answer"),
        filters=text_filters(),
        validators=[required(), max_length(ANSWER_MAX)],
        render_kw={"rows": 5},
    )
    agency = StringField(
        _l("Agency that answered"), filters=text_filters(), validators=[required(), max_length(200)]
    )
    answered_on = day_field(_l("Date of the answer"))
    # Read from request.files by the view (webapp.pages.files checks it).
    document = FileField(
        _l("The answer's document (optional)"),
        description=_l(
            "PDF, Word, Excel or an image. Public with the answer. A new file replaces the one "
            "before."
        ),
    )
    photo_public = BooleanField(_l("Show the opinion's photo with the public answer"))


class TrackForm(Form):
    class Meta:
        csrf = False

    code = StringField(
        _l("Receipt code"), filters=text_filters(), validators=[required(), max_length(20)]
    )
