"""The admin console's screens, all on one blueprint ("admin"): `users` (accounts in the admin's
scope, their roles and passwords) and `audit_log` (the journal's events of the admin's scope).
`common` holds the blueprint and what the screens share."""

from webapp.admin.views import audit_log, users  # noqa: F401  (their routes on bp)
from webapp.admin.views.common import bp

__all__ = ["bp"]
