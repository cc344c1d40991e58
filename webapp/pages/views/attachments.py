"""Attachments over HTTP: uploading to a page and deleting (publishers, with or without htmx),
and downloading (whoever may read the page)."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from webapp import policy
from webapp.extensions import db
from webapp.htmx import after_change, is_partial, render_fragment
from webapp.pages import files
from webapp.pages.models import Attachment, Page
from webapp.pages.queries import is_public
from webapp.pages.views.common import bp
from webapp.policy import Action

FRAGMENT = "pages/_attachments.html"
EVENT = "attachments-changed"


@bp.app_template_filter("file_size")
def _file_size(size: int) -> str:
    return files.human_size(size)


@bp.app_template_filter("file_kind")
def _file_kind(content_type: str) -> str:
    return files.kind_label(content_type)


@bp.app_template_global("attachment_rules")
def _attachment_rules() -> dict:
    return {"accept": files.ACCEPT, "max_size": files.human_size(files.max_bytes())}


def _edit_url(page: Page, **args) -> str:
    return url_for("pages.edit_page", page_id=page.id, **args)


@bp.post("/pages/<id:page_id>/attachments")
@login_required
def upload_attachment(page_id: int):
    page = db.get_or_404(Page, page_id)
    policy.require(current_user, Action.ATTACHMENT_UPLOAD, page)
    title = request.form.get("title", "")
    try:
        attachment = files.add_attachment(current_user, page, request.files.get("file"), title)
    except files.FileError as error:
        db.session.rollback()
        return _refused(page, str(error), title)
    db.session.commit()
    notice = _("Attached “%(title)s”.", title=attachment.title)
    if not is_partial():
        flash(notice, "success")
    return after_change(
        FRAGMENT, event=EVENT, redirect_to=_edit_url(page), page=page, notice=notice
    )


@bp.post("/files/<id:attachment_id>/delete")
@login_required
def delete_attachment(attachment_id: int):
    attachment = db.get_or_404(Attachment, attachment_id)
    page = attachment.page
    policy.require(current_user, Action.PAGE_EDIT, page)
    title = attachment.title
    files.delete_attachment(current_user, page, attachment)
    db.session.commit()
    notice = _("Deleted “%(title)s”.", title=title)
    if not is_partial():
        flash(notice, "success")
    return after_change(
        FRAGMENT, event=EVENT, redirect_to=_edit_url(page), page=page, notice=notice
    )


@bp.get("/files/<id:attachment_id>/<filename>")
def download_attachment(attachment_id: int, filename: str):
    """The name in the URL is for people and browsers; the id decides."""
    attachment = db.get_or_404(Attachment, attachment_id)
    page = attachment.page
    policy.require(current_user, Action.PAGE_VIEW, page)
    path = files.stored_path(attachment)
    if path is None or not path.is_file():
        current_app.logger.error("attachment %s: file %s is missing", attachment.id, path)
        abort(404)
    return files.send_stored(
        path, attachment.content_type, attachment.filename, public=is_public(page)
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A file far over the limit is refused before it is read (MAX_CONTENT_LENGTH): answer
    like any refused file, with the limit, rather than with a bare error page."""
    # The pages' other screens keep the site's own error page.
    uploading = request.endpoint == "pages.upload_attachment"
    page_id = (request.view_args or {}).get("page_id", 0) if uploading else 0
    page = db.session.get(Page, page_id)
    if page is None or not policy.can(current_user, Action.ATTACHMENT_UPLOAD, page):
        # The site's own error page (an error handler must not raise another error).
        template = "errors/_error.html" if is_partial() else "errors/error.html"
        title, text = _("File too large"), _("The file you sent is larger than allowed.")
        return render_template(template, status=413, title=title, text=text), 413
    limit = files.human_size(files.max_bytes())
    return _refused(page, _("The file is too large: at most %(size)s.", size=limit), "")


def _refused(page: Page, message: str, title: str):
    """htmx: the fragment with the message and the title typed; without JavaScript: back to
    the page's edit view with the message (and the title, which the form shows again)."""
    if is_partial():
        return render_fragment(FRAGMENT, page=page, error=message, title_value=title)
    flash(message, "error")
    return redirect(_edit_url(page, attachment_title=title or None), code=303)
