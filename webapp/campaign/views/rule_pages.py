"""The campaign's rules as data: the list (in force, to come, retired), adding and changing a
rule, retiring it from a year, and deleting one no year has used. Plain pages and forms: they
work without JavaScript."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from webapp import policy
from webapp.campaign import rules
from webapp.campaign.deadlines import current_campaign
from webapp.campaign.display import rule_label
from webapp.campaign.forms import RequirementForm, RetireRequirementForm
from webapp.campaign.models import (
    AppliesTo,
    Campaign,
    MemberOrganization,
    ModelType,
    Requirement,
    RequirementKind,
)
from webapp.campaign.views.common import bp
from webapp.concurrency import keep_typed, saving, version_of
from webapp.db import local_today
from webapp.extensions import db
from webapp.forms import field_error
from webapp.policy import Action


def _campaign() -> Campaign:
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    policy.require(current_user, Action.REQUIREMENT_MANAGE, campaign)
    return campaign


def _load(campaign: Campaign, requirement_id: int) -> Requirement:
    requirement = db.get_or_404(Requirement, requirement_id)
    if requirement.campaign_id != campaign.id:
        abort(404)
    return requirement


def _organizations() -> list[MemberOrganization]:
    return list(
        db.session.scalars(
            sa.select(MemberOrganization)
            .where(MemberOrganization.is_active)
            .order_by(MemberOrganization.sort_order, MemberOrganization.id)
        )
    )


def _rule_form(requirement: Requirement | None = None, formdata=None) -> RequirementForm:
    form = RequirementForm(formdata=formdata)
    form.kind.choices = RequirementKind.choices()
    form.applies_to.choices = AppliesTo.choices()
    organizations = _organizations()
    form.organization_id.choices = [("", _("Any organization"))] + [
        (o.id, o.tr("name")) for o in organizations
    ]
    form.partner_ids.choices = [(o.id, o.tr("name")) for o in organizations]
    models = db.session.scalars(
        sa.select(ModelType)
        .where(ModelType.is_active)
        .options(selectinload(ModelType.organization))
        .order_by(ModelType.organization_id, ModelType.id)
    )
    form.model_type_ids.choices = [
        (m.id, f"{m.organization.tr('name')}: {m.tr('name')}" if m.organization else m.tr("name"))
        for m in models
    ]
    if formdata is None and requirement is not None:
        form.process(obj=requirement)
        form.kind.data = str(requirement.kind)
        form.applies_to.data = str(requirement.applies_to)
        form.model_type_ids.data = [m.id for m in requirement.model_types]
        form.partner_ids.data = [o.id for o in requirement.partners]
        form.version.data = str(requirement.version)
    elif formdata is None:
        form.kind.data = RequirementKind.MODEL_TYPES.value
        form.applies_to.data = AppliesTo.ALL_COMMUNES.value
    return form


def _values(form: RequirementForm) -> rules.RequirementValues:
    def rows(model, ids):
        return list(db.session.scalars(sa.select(model).where(model.id.in_(ids or []))))

    organization_id = form.organization_id.data
    return rules.RequirementValues(
        code=form.code.data or "",
        kind=RequirementKind(form.kind.data),
        min_count=form.min_count.data,
        applies_to=AppliesTo(form.applies_to.data),
        organization=db.session.get(MemberOrganization, organization_id)
        if organization_id
        else None,
        model_types=rows(ModelType, form.model_type_ids.data),
        partners=rows(MemberOrganization, form.partner_ids.data),
        rule_vi=form.rule_vi.data or None,
        source_vi=form.source_vi.data or None,
        valid_from_year=form.valid_from_year.data,
        valid_to_year=form.valid_to_year.data,
    )


def _shown(row) -> dict[str, str]:
    """The rule's fields as the conflict view shows them."""

    def text(name: str) -> str:
        value = getattr(row, name)
        if name == "kind":
            return RequirementKind(value).label
        if name == "applies_to":
            return AppliesTo(value).label
        if isinstance(value, list):
            return "; ".join(sorted(v.tr("name") for v in value))
        if isinstance(value, MemberOrganization):
            return value.tr("name")
        return "" if value is None else str(value)

    return {name: text(name) for name in rules.REQUIREMENT_FIELDS}


def _conflict(form: RequirementForm, values, current: Requirement) -> list[tuple[str, str, str]]:
    mine, theirs = _shown(values), _shown(current)
    fields = {"organization": "organization_id", "model_types": "model_type_ids",
              "partners": "partner_ids"}  # fmt: skip
    return [
        (str(form[fields.get(name, name)].label.text), mine[name], theirs[name])
        for name in rules.REQUIREMENT_FIELDS
        if mine[name] != theirs[name]
    ]


def _history_kept(requirement: Requirement | None) -> bool:
    """Past years were judged by the rule: what it asks is shown, not changed."""
    return requirement is not None and not rules.never_in_force(requirement)


def _posted(requirement: Requirement):
    """The posted form; for a rule whose history is kept, the fields shown disabled (and so
    not posted) are taken as saved."""
    formdata = request.form.copy()
    if _history_kept(requirement):
        saved = {
            "code": [requirement.code],
            "kind": [str(requirement.kind)],
            "min_count": [str(requirement.min_count)],
            "model_type_ids": [str(m.id) for m in requirement.model_types],
            "organization_id": [str(requirement.organization_id or "")],
            "partner_ids": [str(o.id) for o in requirement.partners],
            "applies_to": [str(requirement.applies_to)],
            "valid_from_year": [str(requirement.valid_from_year or "")],
        }
        for name, values in saved.items():
            if name not in formdata:
                formdata.setlist(name, values)
    return formdata


def _form_page(campaign, requirement, form, *, status=200, conflict=None, retire_form=None):
    context = {
        "campaign": campaign,
        "requirement": requirement,
        "form": form,
        "conflict": conflict,
        "retire_form": retire_form,
        "rule_label": rule_label,
        "deletable": requirement is not None and rules.never_in_force(requirement),
        "history_kept": _history_kept(requirement),
        "retired": requirement is not None
        and requirement.valid_to_year is not None
        and requirement.valid_to_year < local_today().year,
    }
    if requirement is not None and retire_form is None:
        context["retire_form"] = RetireRequirementForm(
            formdata=None, version=str(requirement.version), from_year=local_today().year + 1
        )
    return make_response(render_template("admin/rule_form.html", **context), status)


@bp.get("/admin/rules")
@login_required
def list_rules():
    campaign = _campaign()
    year = local_today().year
    requirements = list(
        db.session.scalars(
            sa.select(Requirement)
            .where(Requirement.campaign_id == campaign.id)
            .options(
                selectinload(Requirement.organization),
                selectinload(Requirement.model_types),
                selectinload(Requirement.partners),
            )
            .order_by(Requirement.id)
        )
    )
    groups = [
        (_("In force in %(year)d", year=year), [r for r in requirements if r.applies_in(year)]),
        (
            _("Starting after %(year)d", year=year),
            [r for r in requirements if r.valid_from_year and r.valid_from_year > year],
        ),
        (
            _("Retired"),
            [r for r in requirements if r.valid_to_year and r.valid_to_year < year],
        ),
    ]
    return render_template(
        "admin/rules.html", campaign=campaign, groups=groups, rule_label=rule_label, year=year
    )


@bp.route("/admin/rules/new", methods=["GET", "POST"])
@login_required
def new_rule():
    campaign = _campaign()
    posted = request.method == "POST"
    form = _rule_form(formdata=request.form if posted else None)
    if posted and form.validate():
        with saving(rules.RuleError) as attempt:
            requirement = rules.save_requirement(current_user, campaign, None, 0, _values(form))
        if attempt.refused:
            field_error(form, attempt.refused)
        else:
            flash(_("The rule %(code)s was added.", code=requirement.code), "success")
            return redirect(url_for("campaign.list_rules"), code=303)
    return _form_page(campaign, None, form, status=422 if posted else 200)


@bp.route("/admin/rules/<id:requirement_id>/edit", methods=["GET", "POST"])
@login_required
def edit_rule(requirement_id: int):
    campaign = _campaign()
    requirement = _load(campaign, requirement_id)
    if request.method != "POST":  # HEAD reads like GET
        return _form_page(campaign, requirement, _rule_form(requirement))
    form = _rule_form(formdata=_posted(requirement))
    if form.validate():
        values = _values(form)
        with saving(rules.RuleError) as attempt:
            rules.save_requirement(current_user, campaign, requirement, version_of(form), values)
        if attempt.stale and attempt.stale.current is None:
            return _gone()
        requirement = _load(campaign, requirement_id)
        if attempt.stale:
            message = _(
                "Someone else saved this rule after you opened it. Both versions are "
                "shown below; saving again keeps your version."
            )
            keep_typed(form, requirement, message)
            conflict = _conflict(form, values, requirement)
            return _form_page(campaign, requirement, form, status=409, conflict=conflict)
        if attempt.refused:
            field_error(form, attempt.refused)
        else:
            flash(_("The rule %(code)s was saved.", code=requirement.code), "success")
            return redirect(url_for("campaign.list_rules"), code=303)
    return _form_page(campaign, requirement, form, status=422)


@bp.post("/admin/rules/<id:requirement_id>/retire")
@login_required
def retire_rule(requirement_id: int):
    campaign = _campaign()
    requirement = _load(campaign, requirement_id)
    retire_form = RetireRequirementForm()
    if retire_form.validate():
        with saving(rules.RuleError) as attempt:
            rules.retire_requirement(
                current_user, requirement, version_of(retire_form), retire_form.from_year.data
            )
        if attempt.stale and attempt.stale.current is None:
            return _gone()
        requirement = _load(campaign, requirement_id)
        if attempt.stale:
            keep_typed(retire_form, requirement, _changed_meanwhile())
            return _form_page(
                campaign, requirement, _rule_form(requirement), status=409, retire_form=retire_form
            )
        if attempt.refused:
            field_error(retire_form, attempt.refused)
        else:
            flash(
                _(
                    "The rule %(code)s holds until %(year)d.",
                    code=requirement.code,
                    year=requirement.valid_to_year,
                ),
                "success",
            )
            return redirect(url_for("campaign.list_rules"), code=303)
    return _form_page(
        campaign, requirement, _rule_form(requirement), status=422, retire_form=retire_form
    )


@bp.post("/admin/rules/<id:requirement_id>/delete")
@login_required
def delete_rule(requirement_id: int):
    campaign = _campaign()
    requirement = _load(campaign, requirement_id)
    code = requirement.code
    with saving(rules.RuleError) as attempt:
        rules.delete_requirement(current_user, requirement, version_of(RetireRequirementForm()))
    if attempt.stale and attempt.stale.current is None:
        return _gone()
    if not attempt.saved:
        flash(_changed_meanwhile() if attempt.stale else str(attempt.refused), "error")
        return redirect(url_for("campaign.edit_rule", requirement_id=requirement_id), code=303)
    flash(_("The rule %(code)s was deleted.", code=code), "success")
    return redirect(url_for("campaign.list_rules"), code=303)


def _changed_meanwhile() -> str:
    return _("Someone else changed this rule after you opened it. Look at it again.")


def _gone():
    flash(_("Someone else deleted this rule meanwhile."), "error")
    return redirect(url_for("campaign.list_rules"), code=303)
