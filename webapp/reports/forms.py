"""Forms for a report's lines and figures; numbers read as people type them ("1.500.000")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, validators

from webapp.forms import Form, max_length, text_filters
from webapp.labels import LINE_STATUS_LABELS
from webapp.registrations.forms import CountField, MoneyField
from webapp.reports.models import FigureMeasure, LineStatus, ProgressLine, ReportFigure
from webapp.reports.services import LINE_FIELDS, LineValues

PERCENT_MESSAGE = _l("Percent done must be a whole number from 0 to 100.")


class LineForm(Form):
    version = HiddenField()
    status = SelectField(
        _l("Status"),
        validators=[validators.InputRequired(message=_l("Please choose one."))],
    )
    percent_done = CountField(
        _l("Percent done"),
        validators=[validators.Optional(), validators.NumberRange(0, 100, PERCENT_MESSAGE)],
    )
    money_people = MoneyField(_l("From the people (đồng)"))
    money_state = MoneyField(_l("From the state budget (đồng)"))
    money_other = MoneyField(_l("From other sources (đồng)"))
    workdays = CountField(_l("Workdays contributed (ngày công)"))
    land_m2 = CountField(_l("Land donated (m²)"))
    beneficiaries = CountField(_l("Beneficiaries (people)"))
    result = StringField(
        _l("Result"), validators=[max_length(500)], filters=text_filters(),
        description=_l("A short sentence: what has been done."),
    )  # fmt: skip


def line_form(line: ProgressLine | None = None, formdata=None) -> LineForm:
    form = LineForm(formdata=formdata) if formdata is not None else LineForm(obj=line)
    # Set per request: the labels speak the user's language.
    form.status.choices = {s.value: str(label) for s, label in LINE_STATUS_LABELS.items()}
    if formdata is None:
        form.status.data = str(line.status)
        form.version.data = str(line.version)
    return form


def line_values(form: LineForm) -> LineValues:
    values = LineValues(**{name: getattr(form, name).data for name in LINE_FIELDS})
    values.status = LineStatus(values.status)
    values.percent_done = values.percent_done or 0
    values.result = values.result or None
    return values


def figures_form(figures: list[ReportFigure], formdata=None, report=None) -> Form:
    """One field per figure of the catalogue (money or count), and the report's version."""

    class FiguresForm(Form):
        version = HiddenField()

    for figure in figures:
        kind = MoneyField if figure.measure == FigureMeasure.MONEY else CountField
        setattr(FiguresForm, f"figure_{figure.id}", kind(figure.tr("name")))
    if formdata is not None:
        return FiguresForm(formdata=formdata)
    form = FiguresForm()
    form.version.data = str(report.version)
    for figure in figures:
        getattr(form, f"figure_{figure.id}").data = report.figure_value(figure.id)
    return form


def figure_values(form: Form, figures: list[ReportFigure]) -> dict[int, int | None]:
    return {f.id: getattr(form, f"figure_{f.id}").data for f in figures}
