"""The pages' screens, on one blueprint ("pages"): `guidance` (reading, writing and publishing
guidance pages), `attachments` (a page's files), `search_page` and `translation_pages` (a page's
translations, a translator's worklist, how far each language is translated). `common` holds the
blueprint."""

from webapp.pages.views import (  # noqa: F401  (their routes on bp)
    attachments,
    guidance,
    kit,
    recordings,
    search_page,
    translation_pages,
)
from webapp.pages.views.common import bp

__all__ = ["bp"]
