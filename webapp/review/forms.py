"""The decision form: the version the reviewer saw, and the reason for a return or reopen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from webapp.forms import Form, max_length, text_filters


class DecisionForm(Form):
    version = HiddenField()
    reason = TextAreaField(
        _l("Reason"),
        validators=[max_length(2000)],
        filters=text_filters(),
        description=_l("What the editor should change."),
        render_kw={"rows": 2},
    )
