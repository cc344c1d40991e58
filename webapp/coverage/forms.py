"""The decision on a likely duplicate: not a duplicate, or joint work with its lead entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice

from webapp.coverage.models import OverlapKind
from webapp.forms import Form, chosen, max_length, text_filters
from webapp.registrations.models import Entry


class OverlapDecisionForm(Form):
    version = HiddenField()
    back = HiddenField()
    kind = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(OverlapKind.NOT_DUPLICATE.value, _l("Not a duplicate")),
            SelectChoice(OverlapKind.JOINT.value, _l("Joint work")),
        ],
        validators=[chosen()],
    )
    lead = RadioField(_l("Lead entry (for joint work)"), choices=[], validate_choice=False)
    note = TextAreaField(
        _l("Note"), validators=[max_length(1000)], filters=text_filters(), render_kw={"rows": 2}
    )

    def for_pair(
        self, first: Entry, second: Entry, leads: list[Entry] | None = None
    ) -> OverlapDecisionForm:
        """The pair's entries as the possible leads of a joint work, or only `leads` (those
        the decider may take); with none, joint work is not offered."""
        self.lead.choices = [
            SelectChoice(str(e.id), f"{e.lead_organization.tr('name')}: {e.name}")
            for e in ((first, second) if leads is None else leads)
        ]
        if not self.lead.choices:
            self.kind.choices = [c for c in self.kind.choices if c.value != OverlapKind.JOINT]
        return self

    def validate_lead(self, field) -> None:
        if self.kind.data == OverlapKind.JOINT and field.data not in {
            choice.value for choice in field.choices
        }:
            raise ValidationError(_l("Choose which entry leads the joint work."))


class OverlapReopenForm(Form):
    version = HiddenField()
    back = HiddenField()
