"""Translations of guidance pages: a page's languages and their state, the side-by-side
editor (the Vietnamese original beside the translation), sending a translation for review and
approving (publishing) it, and a translator's worklist of pages whose translation is missing
or outdated."""

from __future__ import annotations

from dataclasses import dataclass

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from webapp import policy
from webapp.concurrency import hidden_id, keep_typed, saving, version_of
from webapp.extensions import db
from webapp.i18n.choice import enabled_languages
from webapp.i18n.languages import Language, all_languages
from webapp.i18n.queries import SOURCE_LANGUAGE, Coverage, coverages
from webapp.pages import audio, translations
from webapp.pages.forms import TranslationForm
from webapp.pages.models import ORIGINAL_LANGUAGE, Page, TranslationState
from webapp.pages.queries import (
    translation_languages,
    translation_statuses,
    translation_worklist,
)
from webapp.pages.services import PageError, PageValues, render
from webapp.pages.views.common import bp, translation_language
from webapp.policy import Action


@bp.get("/pages/<id:page_id>/translations")
@login_required
def list_translations(page_id: int):
    page = db.get_or_404(Page, page_id)
    rows = [
        (language, translations.translation_for(page, language.code))
        for language in translation_languages()
    ]
    publisher = policy.can(current_user, Action.PAGE_PUBLISH, page)
    rows = [
        (language, translation)
        for language, translation in rows
        if publisher or policy.can(current_user, Action.PAGE_TRANSLATE, translation)
    ]
    if not rows and not publisher:
        abort(403)
    return render_template("pages/translations.html", page=page, rows=rows)


@bp.route("/pages/<id:page_id>/translations/<code>", methods=["GET", "POST"])
@login_required
def edit_translation(page_id: int, code: str):
    page = db.get_or_404(Page, page_id)
    language = translation_language(code)
    translation = translations.translation_for(page, language.code)
    policy.require(current_user, Action.PAGE_TRANSLATE, translation)
    if page.current is None:
        abort(404)
    form = _translation_form(page, translation, request.form if request.method == "POST" else None)
    preview = stale = None
    if request.method == "POST" and form.validate():
        values = PageValues(form.title.data, form.body.data or "", form.summary.data)
        if "preview" in request.form:
            preview = render(values.body)
        else:
            response, stale = _save(page, language, translation, form, values)
            if response is not None:
                return response
            translation = translations.translation_for(page, language.code)
    status = 422 if request.method == "POST" and preview is None else 200
    return _editor(page, language, translation, form, status, preview=preview, stale=stale)


def _translation_form(page: Page, translation, formdata=None) -> TranslationForm:
    return TranslationForm(
        formdata=formdata,
        data={
            "title": translation.title or "",
            "summary": translation.summary or "",
            "body": translation.body or "",
            "version": str(translation.version),
            "source_revision_id": str(page.current.id),
        },
    )


def translation_editor(page: Page, language: Language, status: int, refusal: str):
    """The editor as it stands, saying why an action was refused (recordings.py too)."""
    translation = translations.translation_for(page, language.code)
    return _editor(page, language, translation, _translation_form(page, translation), status,
                   refusal=refusal)  # fmt: skip


def _may_review(translation, language: Language) -> bool:
    """Whether to offer approving: to the language's reviewers, also on their own work (where
    approving is refused with the reason, rather than the buttons silently missing)."""
    if translation.id is None or translation.state != TranslationState.REVIEW:
        return False
    own = translation.translated_by_id == current_user.id
    return policy.can(current_user, Action.TRANSLATION_APPROVE, translation) or (
        own and policy.can_somewhere(current_user, Action.TRANSLATION_APPROVE, language.code)
    )


def _editor(page, language, translation, form, status=200, **extra):
    extra.setdefault("may_review", _may_review(translation, language))
    return make_response(
        render_template(
            "pages/translate.html",
            page=page,
            language=language,
            translation=translation,
            form=form,
            changes=translations.original_changes(translation),
            recordings=audio.recordings(page, language.code),
            may_review_language=policy.can_somewhere(
                current_user, Action.TRANSLATION_APPROVE, language.code
            ),
            **{"preview": None, "stale": None, "refusal": None, **extra},
        ),
        status,
    )


def _save(page: Page, language: Language, translation, form, values: PageValues):
    """Save (and send for review, if asked): a redirect when done; otherwise no response, and
    what a colleague saved meanwhile when that is why, to show beside the form kept as typed."""
    source_id = hidden_id(form.source_revision_id.data)
    with saving(PageError, policy.Denied) as attempt:
        translations.save_translation(
            current_user,
            translation,
            version_of(form),
            values,
            source_revision_id=source_id,
            submit="submit" in request.form,
        )
    if attempt.stale:
        saved = translations.translation_for(page, language.code)
        message = _(
            "Someone else saved this translation after you opened it. Your text is kept "
            "below; compare it with what they saved, then save again to keep yours."
        )
        keep_typed(form, saved, message)
        return None, saved
    if attempt.refused:
        form.form_errors.append(str(attempt.refused))
        return None, None
    flash(
        _("The translation was sent for review. Readers see it once a reviewer approves it.")
        if "submit" in request.form
        else _("The translation was saved as a draft."),
        "success",
    )
    return redirect(
        url_for("pages.edit_translation", page_id=page.id, code=language.code), code=303
    ), None


STEP_DONE = {
    "submit": _l("The translation was sent for review."),
    "approve": _l("The translation is approved and published: readers in this language see it."),
    "return": _l("The translation was sent back to its translator."),
    "unpublish": _l("The translation is a draft again: readers see the Vietnamese page."),
}


@bp.post("/pages/<id:page_id>/translations/<code>/<any(submit, approve, return, unpublish):step>")
@login_required
def change_translation_state(page_id: int, code: str, step: str):
    page = db.get_or_404(Page, page_id)
    language = translation_language(code)
    translation = translations.translation_for(page, language.code)
    if translation.id is None:
        abort(404)
    reviewing = step in ("approve", "return")
    action = {
        "submit": Action.PAGE_TRANSLATE,
        "unpublish": Action.TRANSLATION_PUBLISH,
    }.get(step, Action.TRANSLATION_APPROVE)
    own = reviewing and translation.translated_by_id == current_user.id
    if not (own and policy.can_somewhere(current_user, action, language.code)):
        policy.require_in_scope(current_user, action, translation)
    version = version_of(TranslationForm())
    with saving(PageError, policy.Denied) as attempt:
        if step == "submit":
            translations.submit_translation(current_user, translation, version)
        elif step == "approve":
            translations.approve_translation(current_user, translation, version)
        elif step == "return":
            translations.return_translation(
                current_user, translation, version, request.form.get("note", "")
            )
        else:
            translations.withdraw_translation(current_user, translation, version)
    if attempt.stale:
        flash(_("Someone else changed this translation meanwhile; look at it again."), "error")
    elif attempt.refused:
        if own:  # the policy would only say 403: say why, on the translation's own page
            return translation_editor(page, language, 403, str(attempt.refused))
        flash(
            str(attempt.refused)
            if isinstance(attempt.refused, PageError)
            else _("This translation cannot take that step now; look at it again."),
            "error",
        )
    else:
        flash(str(STEP_DONE[step]), "success")
    return redirect(
        url_for("pages.edit_translation", page_id=page.id, code=language.code), code=303
    )


@bp.get("/translations/pages", defaults={"code": None})
@bp.get("/translations/<code>/pages")
@login_required
def worklist(code: str | None):
    if not policy.can_somewhere(current_user, Action.PAGE_TRANSLATE):
        abort(403)
    offered = [lang.code for lang in translation_languages()]
    mine = policy.languages_of(current_user, Action.PAGE_TRANSLATE, offered)
    if code is None:
        if not mine:
            return render_template("pages/worklist.html", language=None, mine=[], rows=[])
        return redirect(url_for("pages.worklist", code=mine[0]), code=303)
    language = translation_language(code)
    if language.code not in mine:
        abort(403)
    return render_template(
        "pages/worklist.html",
        language=language,
        mine=[all_languages()[c] for c in mine],
        rows=translation_worklist(current_user, language.code),
    )


@bp.get("/translations")
def translation_status():
    policy.require(current_user, Action.TRANSLATION_STATUS)
    languages = [
        language
        for language in enabled_languages()
        if language.code not in (SOURCE_LANGUAGE, ORIGINAL_LANGUAGE)
    ]
    pages = translation_statuses([language.code for language in languages])
    rows = [
        StatusRow(
            language,
            coverages(language.code).public,
            coverages(language.code).signed_in,
            pages[language.code],
            policy.can(current_user, Action.INTERFACE_TRANSLATE, language),
            policy.can_somewhere(current_user, Action.PAGE_TRANSLATE, language.code),
        )
        for language in languages
    ]
    return render_template("pages/translation_status.html", rows=rows)


@dataclass(frozen=True)
class StatusRow:
    """How far one language is: the interface strings a public reader sees, all of them (what
    a signed-in person may see), and its published pages."""

    language: Language
    public: Coverage
    interface: Coverage
    pages: dict[str, int]
    may_translate_interface: bool
    may_translate_pages: bool

    @property
    def pages_percent(self) -> int:
        published = self.pages["published"]
        return round(100 * self.pages["translated"] / published) if published else 100
