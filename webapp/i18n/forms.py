"""The form for one interface string: one text per plural form, and the version seen."""

from __future__ import annotations

from wtforms import FieldList, HiddenField, TextAreaField

from webapp.forms import Form, text_filters


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
