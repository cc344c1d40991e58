"""The official form of a registration list: a print page, a Word file and a spreadsheet."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import login_required

from webapp.downloads import DOCX_MIMETYPE, XLSX_MIMETYPE, content_disposition
from webapp.exports.official_form import OfficialForm, build_form
from webapp.registrations.queries import load_list

bp = Blueprint("exports", __name__, url_prefix="/registrations/lists")

# The form names the people who registered: keep it out of shared caches and the disk cache.
NO_STORE = "private, no-store"


@bp.get("/<id:list_id>/print")
@login_required
def print_list(list_id: int):
    registration_list = load_list(list_id)
    form = build_form(registration_list)
    response = Response(
        render_template(
            "exports/print_list.html",
            form=form,
            registration_list=registration_list,
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/<id:list_id>/export.docx")
@login_required
def export_docx(list_id: int):
    from webapp.exports import documents  # python-docx: loaded by the download that asks

    form = build_form(load_list(list_id))
    return _attachment(documents.to_docx(form), DOCX_MIMETYPE, form, "docx")


@bp.get("/<id:list_id>/export.xlsx")
@login_required
def export_xlsx(list_id: int):
    from webapp.exports import documents  # xlsxwriter: loaded by the download that asks

    form = build_form(load_list(list_id))
    return _attachment(documents.to_xlsx(form), XLSX_MIMETYPE, form, "xlsx")


def _attachment(body: bytes, mimetype: str, form: OfficialForm, extension: str) -> Response:
    """A download named in ASCII for old clients and in Vietnamese (RFC 5987) for the rest."""
    name = f"Danh sách {form.year} - {form.owner}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(
        name, ascii_name=f"{form.file_stem}.{extension}"
    )
    response.headers["Cache-Control"] = NO_STORE
    return response
