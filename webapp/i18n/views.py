"""Switching the interface language and translating interface strings in the app. How far each
language is translated (interface and pages together) is the pages' translation status screen."""

from __future__ import annotations

import io

from babel.messages.pofile import write_po
from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.concurrency import keep_typed, saving
from webapp.downloads import content_disposition
from webapp.extensions import db
from webapp.htmx import after_change, is_partial, render_fragment_or_page
from webapp.i18n import glossary, queries, services
from webapp.i18n.choice import LANGUAGE_COOKIE, VISIT_LANGUAGE, ui_language
from webapp.i18n.forms import TranslationForm
from webapp.i18n.languages import Language
from webapp.i18n.models import ReviewState
from webapp.i18n.view_common import PAGE_SIZE, bp, language_or_404, reviews
from webapp.paging import page_of
from webapp.policy import Action
from webapp.urls import safe_next

ONE_YEAR = 365 * 24 * 3600
STATE_FILTERS = tuple(queries.MessageState)


@bp.get("/language/<code>")
def set_language(code: str):
    """A plain link (works without JavaScript) that brings the reader back to the same page.
    The choice is kept in a cookie; for a signed-in person also for this visit, in the session.
    A GET changes no data: the profile's language changes by the switcher's form (below)."""
    language_or_404(code)
    if current_user.is_authenticated:
        session[VISIT_LANGUAGE] = code
    return _back_with_cookie(code, request.args.get("next"))


@bp.post("/language/<code>")
@login_required
def save_language(code: str):
    """The signed-in person's switcher: a form, so the choice is kept in their profile and
    follows them to every device."""
    language_or_404(code)
    policy.require(current_user, Action.ACCOUNT_SET_LANGUAGE, current_user)
    current_user.language = code
    db.session.commit()
    session.pop(VISIT_LANGUAGE, None)
    return _back_with_cookie(code, request.form.get("next"))


def _back_with_cookie(code: str, next_url: str | None) -> Response:
    response = redirect(safe_next(next_url), code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response


@bp.get("/translations/<code>")
@login_required
def strings(code: str):
    language = language_or_404(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    state = request.args.get("state") if request.args.get("state") in STATE_FILTERS else None
    query = request.args.get("q", "").strip()[:200]
    items = queries.by_readers(queries.messages(code))
    paged = page_of(queries.matching(items, state, query), PAGE_SIZE)
    return render_template(
        "i18n/strings.html",
        language=language,
        paged=paged,
        # The glossary's terms met on this page of strings, shown beside them.
        terms=glossary.terms_in(code, [m.source.vi_text for m in paged.items]),
        state=state,
        query=query,
        counts={s: sum(m.state == s for m in items) for s in STATE_FILTERS},
        can_export=policy.can(current_user, Action.INTERFACE_EXPORT, language),
    )


def _item(code: str, key: str) -> queries.InterfaceMessage:
    item = queries.message(code, key)
    if item is None:
        abort(404)
    return item


def _load(code: str, key: str) -> tuple[Language, queries.InterfaceMessage]:
    """Load and authorize: the language (404 unless offered) and one of its strings."""
    language = language_or_404(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    return language, _item(code, key)


def _form_for(item: queries.InterfaceMessage, code: str, formdata=None) -> TranslationForm:
    count = queries.plural_count(code) if item.source.msgid_plural else 1
    if formdata is not None:
        return TranslationForm(formdata).fit(count)
    saved = item.saved
    # The translator goes on from their latest text: the draft when there is one.
    strings = list(saved.strings) if saved is not None else list(item.strings)
    return TranslationForm(
        formdata=None,
        version=str(saved.version if saved else 0),
        strings=strings or [""] * count,
    ).fit(count)


def _form_page(language, item, form, *, status=200, stale=None, error=None) -> Response:
    saved = item.saved
    may_review = saved is not None and saved.state == ReviewState.REVIEW and reviews(language)
    return render_fragment_or_page(
        "i18n/_string_form.html",
        "i18n/edit.html",
        # htmx swaps 200s into the row; a full page tells what went wrong in its status.
        status=200 if is_partial() else status,
        language=language,
        item=item,
        form=form,
        stale=stale,
        error=error,
        may_review=may_review,
        back=safe_next(request.values.get("next") or _strings_url(language)),
    )


def _strings_url(language: Language) -> str:
    return url_for("i18n.strings", code=language.code)


@bp.get("/translations/<code>/<key>")
@login_required
def edit(code: str, key: str):
    language, item = _load(code, key)
    return _form_page(language, item, _form_for(item, code))


@bp.get("/translations/<code>/<key>/row")
@login_required
def row(code: str, key: str):
    """The string's row as the list shows it (htmx: "cancel" in the inline editor)."""
    language, item = _load(code, key)
    return render_template("i18n/_string_row.html", language=language, item=item)


@bp.post("/translations/<code>/<key>")
@login_required
def save(code: str, key: str):
    language, item = _load(code, key)
    form = _form_for(item, code, request.form)
    if not any(name.startswith("strings-") for name in request.form):
        abort(400)  # a cut-off request, not an emptied translation: never delete on it
    if not form.validate():
        return _form_page(language, item, form, status=422)
    with saving(services.TranslationError) as attempt:
        services.save(
            current_user,
            language,
            item,
            [entry.data or "" for entry in form.strings],
            seen_version=form.seen_version(),
            submit="submit" in request.form,
        )
    if attempt.refused:
        return _form_page(language, item, form, status=422, error=str(attempt.refused))
    if attempt.stale:
        fresh = _item(code, key)
        keep_typed(form, fresh.saved, missing="0")
        return _form_page(language, fresh, form, status=409, stale=fresh)
    return after_change(
        "i18n/_string_row.html",
        event="translation-saved",
        redirect_to=safe_next(request.form.get("next") or _strings_url(language)),
        saved=_("The translation was sent for review.")
        if "submit" in request.form
        else _("The translation was saved as a draft."),
        language=language,
        item=_item(code, key),
    )


@bp.post("/translations/<code>/<key>/<any(approve, return):step>")
@login_required
def review(code: str, key: str, step: str):
    """A reviewer of the language approves the text sent for review (it is served from the
    next request on) or sends it back with a reason. Their own translation is refused, with
    the reason shown on the string's page."""
    language = language_or_404(code)
    if not reviews(language):
        abort(403)
    item = _item(code, key)
    if item.saved is None:
        abort(404)
    form = _form_for(item, code)
    with saving(services.TranslationError, policy.Denied) as attempt:
        seen = TranslationForm(request.form).seen_version()
        if step == "approve":
            services.approve(current_user, item.saved, seen_version=seen)
        else:
            services.send_back(
                current_user, item.saved, seen_version=seen, note=request.form.get("note", "")
            )
    if isinstance(attempt.refused, services.OwnWork):
        return _form_page(language, item, form, status=403, error=str(attempt.refused))
    if isinstance(attempt.refused, policy.Denied):
        error = _("This string is not waiting for review any more; look at it again.")
        return _form_page(language, _item(code, key), form, status=409, error=error)
    if attempt.refused:
        return _form_page(language, item, form, status=422, error=str(attempt.refused))
    if attempt.stale:
        error = _("Someone changed this string meanwhile; look at it again.")
        return _form_page(language, _item(code, key), form, status=409, error=error)
    return after_change(
        "i18n/_string_row.html",
        event="translation-saved",
        redirect_to=safe_next(request.form.get("next") or _strings_url(language)),
        saved=_("The translation is approved: readers see it now.")
        if step == "approve"
        else _("The translation was sent back to its translator."),
        language=language,
        item=_item(code, key),
    )


@bp.get("/translations/<code>/messages.po")
@login_required
def export(code: str):
    """The catalog as shipped with the in-app translations laid over it, to commit to the
    repository (translations/<code>/LC_MESSAGES/messages.po)."""
    language = language_or_404(code)
    policy.require(current_user, Action.INTERFACE_EXPORT, language)
    catalog = queries.exported_catalog(code)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, ignore_obsolete=True)
    return Response(
        buffer.getvalue(),
        mimetype="text/x-gettext-translation",
        headers={
            "Content-Disposition": content_disposition(f"messages-{code}.po"),
            "Cache-Control": "no-store",
        },
    )


@bp.app_template_global()
def interface_coverage() -> queries.Coverage | None:
    """For the notice under the language switcher: how much of the interface language is
    translated (None for the source language and for Vietnamese, which are complete)."""
    code = ui_language().code
    if code in (queries.SOURCE_LANGUAGE, current_app.config["DEFAULT_LANGUAGE"]):
        return None
    return queries.coverage(code)


# The glossary's and the campaign words' screens join the blueprint.
from webapp.i18n import glossary_views, word_views  # noqa: E402, F401
