"""Adding a residential area (thôn, bản, tổ dân phố) under a commune."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from webapp.forms import chosen, max_length, required, text_filters
from webapp.units.models import AREA_KINDS, Kind


class AreaForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[chosen()])
    name = StringField(
        _l("Name"),
        validators=[required(), max_length(120)],
        filters=text_filters(),
        description=_l("For example: Thôn Nà Đon, Bản Khuổi Ú, Tổ 5."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = Kind.choices(AREA_KINDS)
