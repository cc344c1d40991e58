"""Error pages in the visitor's language, as full pages or as small htmx fragments."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.htmx import is_partial
from webapp.policy import Denied


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        401: (_("Please sign in"), _("Sign in again to continue.")),
        403: (_("Not allowed"), _("You do not have permission to open this page or do this.")),
        404: (_("Not found"), _("This page does not exist or has been removed.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("File too large"), _("The file you sent is larger than allowed.")),
        500: (_("Something went wrong"), _("The error has been recorded. Please try again.")),
    }


def _render(status: int, detail: str | None = None):
    title, text = _messages().get(status, _messages()[500])
    template = "errors/_error.html" if is_partial() else "errors/error.html"
    return render_template(template, status=status, title=title, text=detail or text), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400,
            _(
                "Your form expired or was sent from elsewhere. Go back, reload the page and "
                "send it again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400 or error.response is not None:
            return error
        return _render(error.code)

    @app.errorhandler(Denied)
    def denied(error: Denied):
        return _render(403)

    @app.errorhandler(500)
    def server_error(error):
        # The failed transaction may be aborted (PostgreSQL): the page must not reuse it.
        db.session.rollback()
        return _render(500)
