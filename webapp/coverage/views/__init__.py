"""Coverage's screens, all on one blueprint ("coverage"): `matrices` (a unit's communes against
the contents and the organization rules, a commune's card, the entries behind a cell, the gap
list and the summary) and `overlap_pages` (likely duplicates and the decisions on them).
`common` holds the blueprint and what the screens share."""

from webapp.coverage.views import matrices, overlap_pages  # noqa: F401  (their routes on bp)
from webapp.coverage.views.common import bp

__all__ = ["bp"]
