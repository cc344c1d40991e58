"""The form for one interface string (one text per plural form, and the version seen), and
for a glossary term."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, HiddenField, StringField, TextAreaField

from webapp.forms import Form, max_length, required, text_filters


class TranslationForm(Form):
    version = HiddenField(default="0")
    strings = FieldList(TextAreaField(filters=text_filters()), min_entries=1)

    def fit(self, count: int) -> TranslationForm:
        """Exactly one box per plural form of the language."""
        while len(self.strings) < count:
            self.strings.append_entry()
        while len(self.strings) > count:
            self.strings.pop_entry()
        return self

    def seen_version(self) -> int:
        try:
            return max(int(self.version.data or 0), 0)
        except ValueError:
            return -1  # matches no saved version: treated as stale, nothing overwritten


class GlossaryTermForm(Form):
    term_vi = StringField(
        _l("Vietnamese term"), filters=text_filters(), validators=[required(), max_length(200)]
    )
    term = StringField(
        _l("In this language"), filters=text_filters(), validators=[required(), max_length(200)]
    )
    note = StringField(_l("Note"), filters=text_filters(), validators=[max_length(500)])
