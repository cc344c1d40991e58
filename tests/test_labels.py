"""Every state and kind people see has a label in each member's enum, translated: a new member
without one would show its code (or fail) on the pages."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale

from webapp.labels import Labelled
from webapp.reports.models import FigureMeasure, Period


def _labelled() -> list[type]:
    found, todo = [], list(Labelled.__subclasses__())
    while todo:
        enum = todo.pop()
        found.append(enum)
        todo += enum.__subclasses__()
    return sorted(found, key=lambda enum: enum.__name__)


def test_the_enums_people_see_are_labelled(app):
    assert len(_labelled()) >= 20  # create_app imported every model


@pytest.mark.parametrize("enum", _labelled(), ids=lambda enum: enum.__name__)
def test_every_member_has_a_vietnamese_label(app, enum):
    with app.test_request_context(), force_locale("vi"):
        labels = enum.labels()
        assert set(labels) == set(enum)
        assert all(label and label != member.value for member, label in labels.items())
        assert enum.choices() == [(member.value, label) for member, label in labels.items()]


def test_the_label_filter_reads_a_member_and_refuses_a_bare_code(app):
    with app.test_request_context(), force_locale("vi"):
        assert render_template_string("{{ p|label }}", p=Period.YEAR) == Period.YEAR.label
        with pytest.raises(TypeError):
            render_template_string("{{ p|label }}", p="year")


def test_choices_keep_the_order_the_labels_are_listed_in(app):
    with app.test_request_context():
        assert [value for value, _ in FigureMeasure.choices()] == ["count", "money"]
        assert FigureMeasure.choices([FigureMeasure.MONEY]) == [
            ("money", FigureMeasure.MONEY.label)
        ]
