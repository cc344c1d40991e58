"""Forms of the fund's book: one form for a line (receipt, transfer or spending: the fields
each needs are shown), the households of a spending, a reversing entry, and the confirmations
of closing and approving a year. Every field keeps what was typed when refused."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    validators,
    widgets,
)
from wtforms import Form as PlainForm

from webapp.forms import (
    Form,
    WholeNumberField,
    chosen,
    day_field,
    max_length,
    optional_int,
    required,
    text_filters,
)
from webapp.fund.models import Means, Purpose
from webapp.fund.services import AMOUNT_MAX

BENEFICIARY_ROWS = 3
AMOUNT_RANGE = _l("Enter a whole number of đồng, more than 0 and at most a thousand billion.")
AMOUNT_TYPED = _l("Enter the amount in digits, e.g. 5000000 or 5.000.000.")
AMOUNT_HINT = _l("Whole đồng, e.g. 5000000 or 5.000.000.")


class MoneyField(WholeNumberField):
    """Whole đồng in a text box: "5.000.000", "5 000 000", "5,000,000" and "5.000.000 đ" read
    as 5000000 (people group the digits and add the currency as they write them on vouchers);
    anything else is refused with what was typed kept."""

    widget = widgets.TextInput()

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0]:
            text = CURRENCY.sub("", valuelist[0].strip())
            if GROUPED.fullmatch(text):
                text = re.sub(r"[.,\s]", "", text)
            valuelist = [text]
        super().process_formdata(valuelist)


GROUPED = re.compile(r"-?\d{1,3}([.,\s]\d{3})+")
CURRENCY = re.compile(r"\s*(đồng|đ|vnđ|vnd|d)\.?$", re.IGNORECASE)


def _amount_field(label, *, optional: bool = False) -> MoneyField:
    first = (
        validators.Optional()
        if optional
        else validators.InputRequired(message=_l("Enter the amount in đồng."))
    )
    return MoneyField(
        label,
        validators=[
            first,
            validators.NumberRange(1, AMOUNT_MAX, message=AMOUNT_RANGE),
        ],
        description=AMOUNT_HINT,
        invalid_value_message=AMOUNT_TYPED,
        render_kw={"inputmode": "numeric"},
    )


class BeneficiaryForm(PlainForm):
    """One household a spending supported (a sub-form: the outer form carries the CSRF)."""

    household = StringField(
        _l("Household (head's name)"), filters=text_filters(), validators=[max_length(120)]
    )
    area = SelectField(_l("Residential area"), coerce=optional_int, validate_choice=False)
    amount = _amount_field(_l("Amount for this household"), optional=True)


class MovementForm(Form):
    version = HiddenField()
    on = day_field(_l("Date"))
    amount = _amount_field(_l("Amount (đồng)"))
    means = SelectField(
        _l("Received or paid as"),
        choices=lambda: [(m.value, m.label) for m in Means],
        validators=[chosen()],
    )
    in_kind = StringField(
        _l("What was given in kind"),
        filters=text_filters(),
        validators=[max_length(300)],
        description=_l("Only for gifts in kind: the amount above is their value."),
    )
    counterparty = StringField(
        _l("From whom / to whom"),
        filters=text_filters(),
        validators=[max_length(200)],
        description=_l("A person, household, organization, business or drive."),
    )
    to_unit = SelectField(
        _l("Unit receiving the transfer"), coerce=optional_int, validate_choice=False
    )
    purpose = SelectField(
        _l("Purpose"),
        choices=lambda: [("", _l("Choose a purpose"))] + [(p.value, p.label) for p in Purpose],
        validate_choice=False,  # spendings only: the service asks for one there
    )
    voucher = StringField(
        _l("Voucher number"),
        filters=text_filters(),
        validators=[max_length(40)],
        description=_l("Leave empty to number it in sequence."),
    )
    note = StringField(_l("Note"), filters=text_filters(), validators=[max_length(1000)])
    beneficiaries = FieldList(FormField(BeneficiaryForm), min_entries=BENEFICIARY_ROWS)


class ReverseForm(Form):
    on = day_field(_l("Date of the reversing entry"))
    note = StringField(
        _l("Reason"), filters=text_filters(), validators=[required(), max_length(1000)]
    )
