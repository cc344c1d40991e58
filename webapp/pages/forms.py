"""The page editor's form: where the page sits, what it says, and the version it started from."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField, ValidationError

from webapp.forms import Form, max_length, optional_int, required, text_filters
from webapp.pages.models import PageKind
from webapp.pages.services import RESERVED_SLUGS

# About 10 printed pages: longer texts belong in an attached file. Below a spreadsheet cell's
# 32,767 characters, so a page (or its translation, which shares this form) always exports whole.
BODY_LIMIT = 30_000


class PageForm(Form):
    version = HiddenField()
    title = StringField(
        _l("Title"), validators=[required(), max_length(300)], filters=text_filters()
    )
    summary = StringField(
        _l("Summary"),
        validators=[max_length(500)],
        filters=text_filters(),
        description=_l("One or two sentences shown in lists and when the page is shared."),
    )
    body = TextAreaField(
        _l("Text"),
        validators=[max_length(BODY_LIMIT)],
        filters=text_filters(),
        description=_l(
            "Markdown: ## for a heading, - for a list item, [text](https://…) for a link, "
            "| a | b | for a table. HTML is not allowed."
        ),
        render_kw={"rows": 18},
    )


class NewPageForm(PageForm):
    parent_id = SelectField(_l("Section"), coerce=optional_int)
    kind = SelectField(_l("Kind"), validators=[required()])
    unit_id = SelectField(_l("Unit"), coerce=optional_int, validators=[required()])
    slug = StringField(
        _l("Address"),
        validators=[max_length(120)],
        filters=text_filters(),
        description=_l("Letters, digits and dashes; made from the title if left empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = PageKind.choices()

    def validate_slug(self, field) -> None:
        if field.data and not all(c.isascii() and (c.isalnum() or c == "-") for c in field.data):
            raise ValidationError(_l("Use only letters without accents, digits and dashes."))
        if field.data and (field.data.lower() in RESERVED_SLUGS or field.data.isdigit()):
            raise ValidationError(_l("This address is taken by the site; choose another."))


class TranslationForm(PageForm):
    # The original's revision the translator had in front of them.
    source_revision_id = HiddenField()
