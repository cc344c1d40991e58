"""Guidance pages: public reading in the reader's language where translated (cached for
anonymous readers, webapp/pages/cache.py) and the publishers' side (write with preview,
revisions, compare and restore, publish and archive)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.concurrency import keep_typed, saving, version_of
from webapp.extensions import db
from webapp.i18n.choice import ui_language
from webapp.i18n.languages import all_languages
from webapp.pages import audio, services
from webapp.pages.cache import public_page
from webapp.pages.forms import NewPageForm, PageForm
from webapp.pages.models import (
    ORIGINAL_LANGUAGE,
    Page,
    PageKind,
    PageState,
    PageTranslation,
    Revision,
)
from webapp.pages.queries import editable_by, published_children, resolve
from webapp.pages.translations import published_translations
from webapp.pages.views.common import bp
from webapp.policy import Action
from webapp.revalidate import not_kept
from webapp.units.models import Level, Unit
from webapp.units.queries import tree_order, units_in_scope


@bp.app_template_global("page_translations")
def _page_translations(pages: list[Page]) -> dict[int, PageTranslation]:
    """For lists of pages: their published translations into the reader's language."""
    return published_translations(list(pages), ui_language().code)


def _load(page_id: int, action: Action) -> Page:
    page = db.get_or_404(Page, page_id)
    policy.require(current_user, action, page)
    return page


# Reading


@bp.get("/pages")
@public_page
def index():
    policy.require(current_user, Action.CAMPAIGN_VIEW)
    sections = [(section, published_children(section)) for section in published_children(None)]
    listed = [page for section, pages in sections for page in (section, *pages)]
    return render_template(
        "pages/index.html",
        sections=sections,
        tr=published_translations(listed, ui_language().code),
    )


def _content_language() -> str:
    """The language to read the page in: the one asked for in the address (`?lang=vi` for the
    Vietnamese original), else the interface language."""
    wanted = request.args.get("lang")
    if wanted in current_app.config["LANGUAGES"]:
        return wanted
    return ui_language().code


@dataclass(frozen=True)
class _Reading:
    """The page as this reader gets it: in which language, the published translations shown
    (the page's own, its breadcrumb's and its children's titles), and, when the Vietnamese
    original is read on purpose, the translation the reader would otherwise see."""

    language: str
    shown: dict[int, PageTranslation]
    instead: PageTranslation | None


def _reading(page: Page, children: list[Page]) -> _Reading:
    language = _content_language()
    shown = published_translations([*page.ancestors(), *children], language)
    ui_code = ui_language().code
    instead = None
    if language == ORIGINAL_LANGUAGE and ui_code != language:
        instead = published_translations([page], ui_code).get(page.id)
    return _Reading(language, shown, instead)


def _render_page(page: Page, children: list[Page], reading: _Reading) -> str:
    return render_template(
        "pages/page.html",
        page=page,
        children=children,
        revision=page.current,
        tr=reading.shown,
        translation=reading.shown.get(page.id),
        language=all_languages()[reading.language],
        translated_into=reading.instead,
        recording=_recording(page),
    )


def _recording(page: Page):
    """The page read aloud in the reader's language, once approved (the Vietnamese page is
    read as it is)."""
    code = ui_language().code
    return audio.approved(page, code) if code != ORIGINAL_LANGUAGE else None


@bp.get("/pages/<path:path>")
@public_page
def show_page(path: str):
    page = resolve(path)
    if page is None:
        abort(404)
    policy.require(current_user, Action.PAGE_VIEW, page)
    children = published_children(page)
    reading = _reading(page, children)
    response = make_response(_render_page(page, children, reading))
    if current_user.is_authenticated or session.get("_flashes"):
        return not_kept(response)
    # Anonymous readers get it from the cache (public_page), with an ETag for 304s.
    return response


# Writing


@bp.get("/pages/manage")
@login_required
def manage():
    if not policy.can_somewhere(current_user, Action.PAGE_PUBLISH):
        abort(403)
    return render_template("pages/manage.html", pages=editable_by(current_user))


def _new_form(formdata=None) -> NewPageForm:
    form = NewPageForm(formdata=formdata)
    roots = policy.scope_roots(current_user, Action.PAGE_EDIT)
    units = tree_order(
        db.session.scalars(
            units_in_scope(roots, levels=(Level.PROVINCE, Level.DISTRICT, Level.COMMUNE))
        )
    )  # the publisher's own unit first, then those below it
    form.unit_id.choices = [(u.id, "– " * depth + u.name) for u, depth in units]
    sections = [p for p in editable_by(current_user) if p.state != PageState.ARCHIVED]
    form.parent_id.choices = [("", _("— Top of the site —"))] + [
        (p.id, " › ".join(a.title for a in reversed(p.ancestors()))) for p in sections
    ]
    return form


@bp.route("/pages/new", methods=["GET", "POST"])
@login_required
def new_page():
    if not policy.can_somewhere(current_user, Action.PAGE_EDIT):
        abort(403)
    form = _new_form(request.form if request.method == "POST" else None)
    if request.method != "POST":  # HEAD reads like GET
        form.parent_id.data = request.args.get("parent", type=int)
    preview = None
    if form.validate_on_submit():
        values = services.PageValues(form.title.data, form.body.data or "", form.summary.data)
        if "preview" in request.form:
            preview = services.render(values.body)
        else:
            parent = db.session.get(Page, form.parent_id.data) if form.parent_id.data else None
            unit = db.session.get(Unit, form.unit_id.data)
            try:
                page = services.create_page(
                    current_user,
                    unit=unit,
                    parent=parent,
                    kind=PageKind(form.kind.data),
                    values=values,
                    slug=form.slug.data or None,
                )
            except policy.Denied:
                form.unit_id.errors.append(
                    _("You may not write pages for this unit or in this section.")
                )
            except services.PageError as error:
                getattr(form, error.field or "title").errors.append(str(error))
            else:
                db.session.commit()
                flash(_("The page was saved as a draft."), "success")
                return redirect(url_for("pages.edit_page", page_id=page.id), code=303)
    status = 422 if request.method == "POST" and preview is None else 200
    return make_response(render_template("pages/new.html", form=form, preview=preview), status)


@bp.route("/pages/<id:page_id>/edit", methods=["GET", "POST"])
@login_required
def edit_page(page_id: int):
    page = _load(page_id, Action.PAGE_PUBLISH)
    editable = policy.can(current_user, Action.PAGE_EDIT, page)
    current = page.current
    form = PageForm(
        formdata=request.form if request.method == "POST" else None,
        data={
            "title": current.title if current else "",
            "summary": current.summary if current else "",
            "body": current.body if current else "",
            "version": str(page.version),
        },
    )
    preview = None
    if request.method == "POST" and not editable:
        abort(403)
    if request.method == "POST" and form.validate():
        values = services.PageValues(form.title.data, form.body.data or "", form.summary.data)
        if "preview" in request.form:
            preview = services.render(values.body)
        else:
            with saving() as attempt:
                services.save(current_user, page, version_of(form), values)
                if "publish" in request.form:  # what was typed goes out with the page
                    services.set_state(current_user, page, page.version, PageState.PUBLISHED)
            if attempt.stale:
                page = _load(page_id, Action.PAGE_PUBLISH)
                message = _(
                    "Someone else saved this page after you opened it (revision %(number)d). "
                    "Your text is kept below; compare it with the history, then save again "
                    "to keep yours.",
                    number=page.current.number if page.current else 0,
                )
                keep_typed(form, page, message)
            else:
                flash(_("Saved as revision %(number)d.", number=page.current.number), "success")
                return redirect(url_for("pages.edit_page", page_id=page.id), code=303)
    status = 422 if request.method == "POST" and preview is None else 200
    return make_response(
        render_template(
            "pages/edit.html", page=page, form=form, preview=preview, editable=editable
        ),
        status,
    )


_TRANSITIONS = {
    "publish": PageState.PUBLISHED,
    "archive": PageState.ARCHIVED,
    "unpublish": PageState.DRAFT,
}


@bp.post("/pages/<id:page_id>/<any(publish, archive, unpublish):step>")
@login_required
def change_state(page_id: int, step: str):
    page = _load(page_id, Action.PAGE_PUBLISH)
    with saving() as attempt:
        services.set_state(current_user, page, version_of(PageForm()), _TRANSITIONS[step])
    if attempt.stale:
        flash(_("Someone else changed this page meanwhile; look at it again."), "error")
    else:
        flash(
            {
                "publish": _("The page is published: everyone can read it."),
                "archive": _("The page is archived: only publishers see it now."),
                "unpublish": _("The page is a draft again: only publishers see it now."),
            }[step],
            "success",
        )
    return redirect(url_for("pages.edit_page", page_id=page.id), code=303)


@bp.get("/pages/<id:page_id>/history")
@login_required
def history(page_id: int):
    page = _load(page_id, Action.PAGE_PUBLISH)
    return render_template("pages/history.html", page=page)


@bp.get("/pages/<id:page_id>/diff")
@login_required
def compare(page_id: int):
    page = _load(page_id, Action.PAGE_PUBLISH)
    numbers = {r.number: r for r in page.revisions}
    older = numbers.get(request.args.get("from", type=int))
    newer = numbers.get(request.args.get("to", type=int))
    if older is None or newer is None:
        flash(_("Choose two revisions to compare."), "error")
        return redirect(url_for("pages.history", page_id=page.id), code=303)
    if older.number > newer.number:
        older, newer = newer, older
    return render_template(
        "pages/diff.html", page=page, older=older, newer=newer, lines=services.diff(older, newer)
    )


@bp.post("/pages/<id:page_id>/revisions/<id:revision_id>/restore")
@login_required
def restore(page_id: int, revision_id: int):
    page = _load(page_id, Action.PAGE_EDIT)
    revision = db.get_or_404(Revision, revision_id)
    if revision.page_id != page.id:
        abort(404)
    with saving() as attempt:
        restored = services.restore(current_user, page, version_of(PageForm()), revision)
    if attempt.stale:
        flash(_("Someone else changed this page meanwhile; look at it again."), "error")
        return redirect(url_for("pages.history", page_id=page.id), code=303)
    flash(
        _(
            "Revision %(old)d was restored as revision %(new)d.",
            old=revision.number,
            new=restored.number,
        ),
        "success",
    )
    return redirect(url_for("pages.edit_page", page_id=page.id), code=303)
