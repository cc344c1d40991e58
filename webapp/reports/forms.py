"""Forms for a report's lines and figures, and for the figures' catalogue; numbers read as
people type them ("1.500.000")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, validators

from webapp.forms import Form, chosen, max_length, required, text_filters
from webapp.registrations.forms import CountField, MoneyField
from webapp.reports.figures import FigureValues
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
    form.status.choices = dict(LineStatus.choices())
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


class FigureForm(Form):
    """A figure of the catalogue: its code, names, measure and place in the list."""

    version = HiddenField()
    code = StringField(
        _l("Code"),
        validators=[required(), max_length(40)],
        filters=[*text_filters(), lambda v: v.lower() if v else v],
        description=_l("Lower-case letters, digits, dashes; such as houses-repaired."),
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )
    name_vi = StringField(
        _l("Name in Vietnamese"), validators=[required(), max_length(300)], filters=text_filters()
    )
    name_en = StringField(
        _l("Name in English"), validators=[max_length(300)], filters=text_filters()
    )
    measure = SelectField(_l("Measure"), validators=[chosen()])
    sort_order = CountField(
        _l("Place in the list"),
        description=_l("Smaller numbers come first; leave empty to put a new figure last."),
    )


def figure_form(figure: ReportFigure | None = None, formdata=None) -> FigureForm:
    form = FigureForm(formdata=formdata) if formdata is not None else FigureForm(obj=figure)
    form.measure.choices = dict(FigureMeasure.choices())
    if formdata is None and figure is not None:
        form.measure.data = str(figure.measure)
        form.version.data = str(figure.version)
    return form


def figure_values_of(form: FigureForm) -> FigureValues:
    return FigureValues(
        code=form.code.data or "",
        name_vi=form.name_vi.data or "",
        name_en=form.name_en.data or None,
        measure=FigureMeasure(form.measure.data),
        sort_order=form.sort_order.data,
    )
