"""The public list of a year's approved commendations (page and spreadsheet), cached by ETag."""

from __future__ import annotations

from flask import (
    Response,
    make_response,
    render_template,
    session,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp import policy
from webapp.campaign.deadlines import registration_years
from webapp.commendations import queries, services
from webapp.commendations.views.common import bp, checked_year
from webapp.db import local_today
from webapp.downloads import XLSX_MIMETYPE, content_disposition
from webapp.i18n.choice import ui_language
from webapp.i18n.domain import interface_stamp
from webapp.policy import Action
from webapp.revalidate import already_known, etag_of, not_kept, revalidated


@bp.get("/<int:year>")
def public_list(year: int):
    """Approved commendations of a year, by the level that proposed them and by kind; names
    of units as they were that year. Anonymous readers revalidate with an ETag."""
    policy.require(current_user, Action.COMMENDATION_VIEW)
    year = checked_year(year)
    personal = current_user.is_authenticated or session.get("_flashes")
    etag = None
    if not personal:
        parts = (year, queries.public_stamp(year), ui_language().code, interface_stamp())
        etag = etag_of(parts)
        if already_known(etag):
            return revalidated(make_response("", 304), etag)
    body = render_template(
        "commendations/public.html",
        year=year,
        years=[y for y in registration_years() if y <= local_today().year],
        groups=queries.approved_groups(year),
    )
    response = make_response(body)
    return not_kept(response) if personal else revalidated(response, etag)


@bp.get("/<int:year>.xlsx")
def public_list_xlsx(year: int):
    """The same list as a spreadsheet: public like the page, since it holds nothing more."""
    policy.require(current_user, Action.COMMENDATION_VIEW)
    year = checked_year(year)
    title = _("Commendations %(year)s", year=year)
    workbook = services.commendations_xlsx(queries.approved_groups(year), title)
    response = Response(workbook, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{title}.xlsx")
    response.cache_control.no_cache = True
    return response
