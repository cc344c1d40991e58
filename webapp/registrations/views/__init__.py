"""Registration screens, on one blueprint ("registrations"): `lists` (a unit's lists, a list and
its header, submitting) and `entries` (an entry and its changes). `common` holds the blueprint
and what both share.

Every flow is a plain form post that redirects (JavaScript off); with htmx the same URLs answer
with the one row that changed."""

from webapp.registrations.views import entries, lists  # noqa: F401  (their routes on bp)
from webapp.registrations.views.common import bp

__all__ = ["bp"]
