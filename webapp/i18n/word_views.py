"""The campaign's words for translators and reviewers: the list of catalogue texts of a
language, and one text's page (translate, send for review, approve or send back)."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.concurrency import saving
from webapp.i18n import words
from webapp.i18n.forms import TranslationForm
from webapp.i18n.models import ReviewState
from webapp.i18n.queries import MessageState
from webapp.i18n.services import OwnWork, TranslationError
from webapp.i18n.view_common import PAGE_SIZE, bp, language_or_404, reviews
from webapp.paging import page_of
from webapp.policy import Action

STATES = tuple(MessageState)


@bp.get("/translations/<code>/words")
@login_required
def list_words(code: str):
    language = language_or_404(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    state = request.args.get("state") if request.args.get("state") in STATES else None
    query = request.args.get("q", "").strip()[:200]
    items = words.words(code)
    return render_template(
        "i18n/words.html",
        language=language,
        paged=page_of(words.matching(items, state, query), PAGE_SIZE),
        state=state,
        query=query,
        counts={s: sum(w.state == s for w in items) for s in STATES},
    )


def _word(code: str, kind: str, row_id: int) -> words.Word:
    item = words.word(code, kind, row_id)
    if item is None:
        abort(404)
    return item


def _page(language, item, *, status=200, error=None, typed=None):
    pending = item.pending
    return make_response(
        render_template(
            "i18n/word.html",
            language=language,
            item=item,
            error=error,
            typed=item.saved.text if typed is None and item.saved else (typed or ""),
            may_review=pending is not None
            and pending.state == ReviewState.REVIEW
            and reviews(language),
        ),
        status,
    )


@bp.route("/translations/<code>/words/<kind>/<int:row_id>", methods=["GET", "POST"])
@login_required
def edit_word(code: str, kind: str, row_id: int):
    language = language_or_404(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    item = _word(code, kind, row_id)
    if request.method == "GET":
        return _page(language, item)
    text = request.form.get("text", "")
    with saving(TranslationError) as attempt:
        words.save(
            current_user,
            language,
            item,
            text,
            seen_version=TranslationForm(request.form).seen_version(),
            submit="submit" in request.form,
        )
    if attempt.refused:
        return _page(language, item, status=422, error=str(attempt.refused), typed=text)
    if attempt.stale:
        error = _("Someone saved this text while you were translating it; look at it again.")
        return _page(language, _word(code, kind, row_id), status=409, error=error, typed=text)
    flash(
        _("The translation was sent for review.")
        if "submit" in request.form
        else _("The translation was saved as a draft."),
        "success",
    )
    return redirect(url_for("i18n.edit_word", code=code, kind=kind, row_id=row_id), code=303)


@bp.post("/translations/<code>/words/<kind>/<int:row_id>/<any(approve, return):step>")
@login_required
def review_word(code: str, kind: str, row_id: int, step: str):
    language = language_or_404(code)
    if not reviews(language):
        abort(403)
    item = _word(code, kind, row_id)
    if item.saved is None:
        abort(404)
    seen = TranslationForm(request.form).seen_version()
    with saving(TranslationError, policy.Denied) as attempt:
        if step == "approve":
            words.approve(current_user, item.saved, seen_version=seen)
        else:
            words.send_back(
                current_user, item.saved, seen_version=seen, note=request.form.get("note", "")
            )
    fresh = _word(code, kind, row_id)
    if isinstance(attempt.refused, OwnWork):
        return _page(language, fresh, status=403, error=str(attempt.refused))
    if isinstance(attempt.refused, policy.Denied) or attempt.stale:
        error = _("This text is not waiting for review any more; look at it again.")
        return _page(language, fresh, status=409, error=error)
    if attempt.refused:
        return _page(language, fresh, status=422, error=str(attempt.refused))
    flash(
        _("The translation is approved: readers see it now.")
        if step == "approve"
        else _("The translation was sent back to its translator."),
        "success",
    )
    return redirect(url_for("i18n.edit_word", code=code, kind=kind, row_id=row_id), code=303)
