"""The reports' screens, on one blueprint ("reports"): `progress` (a unit's progress reports,
their lines and decisions), `rollup` (the consolidated report and completeness of the units
below) and `figure_pages` (an administrator's screens for the report figures, under
/admin/report-figures). `common` holds the blueprint."""

from webapp.reports.views import figure_pages, progress, rollup  # noqa: F401  (their routes on bp)
from webapp.reports.views.common import bp

__all__ = ["bp"]
