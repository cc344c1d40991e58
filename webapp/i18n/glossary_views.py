"""The glossary screen of a language: translators read it, its reviewers keep it."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.extensions import db
from webapp.i18n import glossary
from webapp.i18n.forms import GlossaryTermForm
from webapp.i18n.models import GlossaryTerm
from webapp.i18n.view_common import bp, language_or_404
from webapp.policy import Action


@bp.route("/translations/<code>/glossary", methods=["GET", "POST"])
@login_required
def show_glossary(code: str):
    language = language_or_404(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    may_edit = policy.can(current_user, Action.GLOSSARY_EDIT, language)
    form = GlossaryTermForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        policy.require(current_user, Action.GLOSSARY_EDIT, language)
        if form.validate():
            try:
                glossary.save_term(
                    current_user, language, form.term_vi.data, form.term.data, form.note.data
                )
            except glossary.GlossaryError as error:
                form.form_errors.append(str(error))
            else:
                db.session.commit()
                flash(_("The term was saved."), "success")
                return redirect(url_for("i18n.show_glossary", code=code), code=303)
        status = 422
    return make_response(
        render_template(
            "i18n/glossary.html",
            language=language,
            terms=glossary.terms(code),
            form=form,
            may_edit=may_edit,
        ),
        status,
    )


@bp.post("/translations/<code>/glossary/<int:term_id>/delete")
@login_required
def delete_term(code: str, term_id: int):
    language = language_or_404(code)
    policy.require(current_user, Action.GLOSSARY_EDIT, language)
    row = db.get_or_404(GlossaryTerm, term_id)
    if row.language != language.code:
        abort(404)
    glossary.delete_term(current_user, language, row)
    db.session.commit()
    flash(_("The term was removed."), "success")
    return redirect(url_for("i18n.show_glossary", code=code), code=303)
