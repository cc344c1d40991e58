"""Forms for a list's entries and header; money and month fields that read what people type."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
    widgets,
)

from webapp.campaign.deadlines import current_campaign
from webapp.campaign.models import Content, MemberOrganization, ModelType
from webapp.extensions import db
from webapp.forms import (
    YEAR_MAX,
    YEAR_MESSAGE,
    YEAR_MIN,
    Form,
    day_field,
    max_length,
    optional_int,
    refuse_foreign_digits,
    required,
    text_filters,
)
from webapp.registrations.models import EntryKind
from webapp.registrations.services import EntryValues, location_choices
from webapp.units.models import Unit

# Whole đồng: digits, optionally grouped by threes with dots or spaces. Not commas: in
# Vietnamese "1,5" is one and a half. ASCII: Python's \d would also read ٣ or ３.
_MONEY = re.compile(r"^\d{1,3}(?:([. \u00a0])\d{3})?(?:\1\d{3})*$|^\d+$", re.ASCII)
MONEY_LIMIT = 10**15  # a thousand trillion đồng: anything above is a typing mistake
_MONTH = (
    re.compile(r"^(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})$", re.ASCII),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$", re.ASCII),
)
# Free texts of an entry: room for a paragraph or two, and always whole in a spreadsheet cell.
DESCRIPTION_LIMIT = 4000
NOTES_LIMIT = 2000


class MoneyField(StringField):
    """An amount in whole đồng: "1.500.000" or "1500000" in, Vietnamese grouping out."""

    widget = widgets.TextInput()
    unit_suffix = "đ"
    limit = MONEY_LIMIT
    negative_message = _l("An amount cannot be negative.")
    invalid_message = _l("Enter an amount in whole đồng, such as 1.500.000 or 1500000.")
    too_large_message = _l("This amount is too large.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().removesuffix(self.unit_suffix).strip()
        if not text:
            return
        if text.startswith("-"):
            raise ValueError(self.negative_message)
        refuse_foreign_digits(text)
        if not _MONEY.match(text):
            raise ValueError(self.invalid_message)
        amount = int(re.sub(r"\D", "", text))
        if amount >= self.limit:
            raise ValueError(self.too_large_message)
        self.data = amount

    def _value(self) -> str:
        if self.raw_data and self.process_errors:
            return self.raw_data[0]
        return "" if self.data is None else format_decimal(self.data)


class CountField(MoneyField):
    """A whole number of things (days, m², people): "1.200" or "1200", never negative."""

    unit_suffix = "%"
    limit = 2**31
    negative_message = _l("This number cannot be negative.")
    invalid_message = _l("Enter a whole number, such as 12 or 1.200.")
    too_large_message = _l("This number is too large.")


class MonthField(StringField):
    """A month as MM/YYYY (also accepts 7/2017 and 2017-07); the data is its first day."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "render_kw",
            {"inputmode": "numeric", "placeholder": _l("MM/YYYY"), "autocomplete": "off"},
        )
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        refuse_foreign_digits(text)
        for pattern in _MONTH:
            match = pattern.match(text)
            if match and 1 <= int(match["month"]) <= 12:
                if not YEAR_MIN <= int(match["year"]) <= YEAR_MAX:
                    raise ValueError(YEAR_MESSAGE)
                self.data = date(int(match["year"]), int(match["month"]), 1)
                return
        raise ValueError(_l("Enter a month as MM/YYYY, such as 07/2017."))

    def _value(self) -> str:
        if self.raw_data and self.process_errors:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data.month:02d}/{self.data.year}"


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EntryForm(Form):
    version = HiddenField()
    kind = SelectField(_l("Kind"), validators=[required()])
    name = StringField(
        _l("Name of the work, model or task"),
        validators=[required(), max_length(300)],
        filters=text_filters(),
    )
    content_id = SelectField(
        _l("Content"),
        coerce=optional_int,
        validators=[validators.DataRequired(message=_l("Choose the content this belongs to."))],
        description=_l("Which of the campaign's contents it serves."),
    )
    model_type_id = SelectField(
        _l("Model from the catalogue"),
        coerce=optional_int,
        description=_l("Only for the kind “Model”."),
    )
    location_id = SelectField(_l("Location"), coerce=optional_int, validators=[required()])
    scale = StringField(
        _l("Scale"),
        validators=[max_length(300)],
        filters=text_filters(),
        description=_l("For example: 1.2 km of concrete road, 30 households."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[max_length(DESCRIPTION_LIMIT)],
        filters=text_filters(),
        render_kw={"rows": 3},
    )
    starts_on = MonthField(_l("Start month"))
    ends_on = MonthField(_l("End month"))
    budget_people = MoneyField(_l("People's contributions (đồng)"))
    budget_state = MoneyField(_l("State budget (đồng)"))
    budget_other = MoneyField(_l("Other sources (đồng)"))
    lead_organization_id = SelectField(
        _l("Lead organization"), coerce=optional_int, validators=[required()]
    )
    partner_ids = CheckboxesField(_l("Partner organizations"), coerce=int)
    notes = TextAreaField(
        _l("Notes"),
        validators=[max_length(NOTES_LIMIT)],
        filters=text_filters(),
        render_kw={"rows": 2},
    )

    def __init__(self, *args, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.kind.choices = EntryKind.choices()

    def validate_model_type_id(self, field) -> None:
        # The catalogue lists models; a work or a task is not one (the form hides the choice
        # for them where the browser can, and this catches the rest).
        if field.data and self.kind.data != EntryKind.MO_HINH:
            raise ValidationError(
                _l(
                    "A model from the catalogue can only be chosen when the kind is “Model”: "
                    "change the kind, or choose “— None —”."
                )
            )

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end month cannot be before the start month."))

    def validate_starts_on(self, field) -> None:
        if field.data and self.year and not (self.year - 1 <= field.data.year <= self.year + 5):
            raise ValidationError(_l("The start should be close to %(year)s.", year=self.year))


class HeaderForm(Form):
    version = HiddenField()
    registered_on = day_field(
        _l("Date of the list"),
        description=_l("As DD/MM/YYYY. Filled in with the day of submission if left empty."),
    )
    signer_title = StringField(
        _l("Title of the signer"),
        validators=[max_length(120)],
        filters=text_filters(),
        description=_l("For example: TM. BAN THƯỜNG TRỰC – CHỦ TỊCH."),
    )
    signer_name = StringField(
        _l("Name of the signer"), validators=[max_length(120)], filters=text_filters()
    )


def entry_form(registration_list, *, entry=None, formdata=None) -> EntryForm:
    """The entry form with its choices for this list: the campaign's contents, the list
    organization's models first, the places of the list's unit, the organizations."""
    if entry is not None and formdata is None:
        form = EntryForm(formdata=None, obj=entry, year=registration_list.year)
        form.partner_ids.data = [p.id for p in entry.partners]
        form.version.data = str(entry.version)
    elif formdata is None:
        form = EntryForm(
            formdata=None,
            year=registration_list.year,
            data={
                "location_id": registration_list.unit_id,
                "lead_organization_id": registration_list.organization_id,
            },
        )
    else:
        form = EntryForm(formdata=formdata, year=registration_list.year)

    campaign = current_campaign()
    form.content_id.choices = [("", _l("— Choose a content —"))] + [
        (c.id, f"{c.number}. {c.tr('short')}") for c in (campaign.contents if campaign else [])
    ]
    models = list(
        db.session.scalars(sa.select(ModelType).where(ModelType.is_active).order_by(ModelType.id))
    )
    own = registration_list.organization
    form.model_type_id.choices = {
        None: [("", _l("— None —"))],
        _l("Models of %(organization)s", organization=own.tr("name")): [
            (m.id, m.tr("name")) for m in models if m.organization_id == own.id
        ],
        _l("Other models"): [(m.id, m.tr("name")) for m in models if m.organization_id != own.id],
    }
    form.location_id.choices = [
        (unit.id, unit.name) for unit in location_choices(registration_list)
    ]
    form.location_id.invalid_choice_message = _l(
        "The location must be %(unit)s or a place inside it.", unit=registration_list.unit.name
    )
    organizations = list(
        db.session.scalars(
            sa.select(MemberOrganization)
            .where(MemberOrganization.is_active)
            .order_by(MemberOrganization.sort_order)
        )
    )
    form.lead_organization_id.choices = [(o.id, o.tr("name")) for o in organizations]
    form.partner_ids.choices = [(o.id, o.tr("name")) for o in organizations]
    if entry is not None:
        _keep_saved_choices(form, entry)
    return form


def _keep_saved_choices(form: EntryForm, entry) -> None:
    """A saved value that is no longer offered (a model or organization retired, a place
    ended) stays selectable, so saving other changes does not silently drop it."""
    retired = _l("(no longer in use)")
    saved = [
        (form.location_id, entry.location, entry.location.name if entry.location else ""),
        (form.lead_organization_id, entry.lead_organization, None),
    ]
    for field, value, label in saved:
        if value is not None and value.id not in [c[0] for c in field.choices]:
            field.choices.append((value.id, f"{label or value.tr('name')} {retired}"))
    model = entry.model_type
    if model is not None and not model.is_active:
        form.model_type_id.choices[None].append((model.id, f"{model.tr('name')} {retired}"))
    known = {c[0] for c in form.partner_ids.choices}
    for partner in entry.partners:
        if partner.id not in known:
            form.partner_ids.choices.append((partner.id, f"{partner.tr('name')} {retired}"))


def entry_values(form: EntryForm, registration_list):
    """The service's input from a validated form, with the chosen objects loaded."""
    partners = [
        db.session.get(MemberOrganization, pid)
        for pid in form.partner_ids.data or []
        if pid != form.lead_organization_id.data
    ]
    return EntryValues(
        kind=EntryKind(form.kind.data),
        name=form.name.data,
        content=db.session.get(Content, form.content_id.data),
        model_type=db.session.get(ModelType, form.model_type_id.data)
        if form.model_type_id.data
        else None,
        location=db.session.get(Unit, form.location_id.data),
        lead_organization=db.session.get(MemberOrganization, form.lead_organization_id.data),
        description=form.description.data or None,
        scale=form.scale.data or None,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        budget_people=form.budget_people.data,
        budget_state=form.budget_state.data,
        budget_other=form.budget_other.data,
        partners=[p for p in partners if p is not None],
        notes=form.notes.data or None,
    )
