"""How the audit log reads the events of pages, their files and their translations."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, as_int, object_ids, text_detail
from webapp.i18n.audit import language_name
from webapp.pages.models import Attachment, Page

PAGES = Page.__tablename__

audit.loads(PAGES, audit.by_id(Page, selectinload(Page.current)))


@audit.wants(PAGES)
def _pages(events, names: Names):
    return object_ids(events, PAGES) | object_ids(events, Attachment.__tablename__, "page_id")


def _values(event, details: dict, names: Names) -> dict:
    page_id = event.object_id if event.object_type == PAGES else as_int(details.get("page_id"))
    page = names.get(PAGES, page_id)
    return {
        "page": page.title if page else _("a page no longer kept"),
        "file": text_detail(details, "title") or text_detail(details, "filename") or "—",
        "language": language_name(details),
    }


audit.register(
    {
        "page.created": (
            _l("Page “%(page)s” was created"),
            _l("Page created"),
        ),
        "page.saved": (
            _l("Page “%(page)s” was saved"),
            _l("Page saved"),
        ),
        "page.restored": (
            _l("An earlier version of page “%(page)s” was restored"),
            _l("Page revision restored"),
        ),
        "page.published": (
            _l("Page “%(page)s” was published"),
            _l("Page published"),
        ),
        "page.draft": (
            _l("Page “%(page)s” was taken back to draft"),
            _l("Page back to draft"),
        ),
        "page.archived": (
            _l("Page “%(page)s” was archived"),
            _l("Page archived"),
        ),
        "attachment.added": (
            _l("File “%(file)s” was attached to page “%(page)s”"),
            _l("File attached"),
        ),
        "attachment.deleted": (
            _l("File “%(file)s” was removed from page “%(page)s”"),
            _l("File deleted"),
        ),
        "translation.saved": (
            _l("The %(language)s translation of page “%(page)s” was saved"),
            _l("Translation saved"),
        ),
        "translation.published": (
            _l("The %(language)s translation of page “%(page)s” was published"),
            _l("Translation published"),
        ),
        "recording.added": (
            _l("A %(language)s recording of page “%(page)s” was sent for review"),
            _l("Recording sent for review"),
        ),
        "recording.approved": (
            _l("A %(language)s recording of page “%(page)s” was approved"),
            _l("Recording approved"),
        ),
        "recording.returned": (
            _l("A %(language)s recording of page “%(page)s” was sent back to its translator"),
            _l("Recording sent back"),
        ),
        "translation.review": (
            _l("The %(language)s translation of page “%(page)s” was sent for review"),
            _l("Translation sent for review"),
        ),
        "translation.draft": (
            _l("The %(language)s translation of page “%(page)s” was taken back to draft"),
            _l("Translation back to draft"),
        ),
    },
    values=_values,
)
