"""The translator's kit screen: choose what to translate in one language (public strings,
every string, the campaign's words, guidance pages), download it as a spreadsheet, a PO file
or (the pages) a Word document, and send the filled spreadsheet or PO file back: its
translations arrive sent for review, with a report of what changed and what was skipped."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import policy
from webapp.concurrency import saving
from webapp.downloads import content_disposition
from webapp.extensions import db
from webapp.i18n import kit
from webapp.pages.models import Page
from webapp.pages.queries import public_clause
from webapp.pages.views.common import bp, translation_language
from webapp.policy import Action

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "po": "text/x-gettext-translation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _published_pages() -> list[Page]:
    return list(
        db.session.scalars(
            sa.select(Page)
            .where(public_clause(), Page.current_revision_id.is_not(None))
            .order_by(Page.parent_id.nullsfirst(), Page.sort_order, Page.id)
        )
    )


def _screen(language, *, status=200, error=None, report=None):
    return make_response(
        render_template(
            "pages/kit.html",
            language=language,
            sets=kit.SETS,
            pages=[p for p in _published_pages() if p.kind != "section"],
            error=error,
            report=report,
        ),
        status,
    )


@bp.route("/translations/<code>/kit", methods=["GET", "POST"])
@login_required
def translation_kit(code: str):
    language = translation_language(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    if request.method == "GET":
        return _screen(language)
    upload = request.files.get("file")
    name = (upload.filename or "").lower() if upload else ""
    if not upload or not name.endswith((".xlsx", ".po", ".docx")):
        return _screen(language, status=422, error=_("Choose the filled .xlsx, .po or .docx file."))
    if name.endswith(".docx"):
        from webapp.pages import kit_docx  # python-docx: on the kit's imports only

        read, save = kit_docx.read_docx, kit_docx.import_docx
    else:
        read = kit.read_xlsx if name.endswith(".xlsx") else kit.read_po_file
        save = kit.import_filled
    try:
        filled = read(upload.stream)
    except kit.KitError as error:
        return _screen(language, status=422, error=str(error))
    with saving() as attempt:
        report = save(current_user, language, filled)
    if attempt.stale:
        return _screen(language, status=409, error=_("Someone saved meanwhile; import again."))
    return _screen(language, report=report)


@bp.get("/translations/<code>/kit/export")
@login_required
def export_kit(code: str):
    language = translation_language(code)
    policy.require(current_user, Action.INTERFACE_TRANSLATE, language)
    kind = request.args.get("format", "xlsx")
    # Nothing chosen: what every reader meets first, the public strings.
    sets = set(request.args.getlist("set")) & set(kit.SETS) or {"public"}
    chosen = {int(p) for p in request.args.getlist("page") if p.isdigit()}
    if kind not in FORMATS:
        kind = "xlsx"
    if kind == "docx":
        pages = [p for p in _published_pages() if p.id in chosen]
        if not pages:
            return _screen(language, status=422, error=_("Choose at least one page."))
        from webapp.pages.kit_docx import pages_docx  # python-docx: on export only

        body = pages_docx(language, pages)
    else:
        rows = kit.rows(language.code, sets)
        body = kit.to_xlsx(language, rows) if kind == "xlsx" else kit.to_po(language, rows)
    return Response(
        body,
        mimetype=FORMATS[kind],
        headers={
            "Content-Disposition": content_disposition(f"kit-{language.code}.{kind}"),
            "Cache-Control": "no-store",
        },
    )
