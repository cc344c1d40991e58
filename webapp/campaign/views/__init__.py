"""The campaign's screens, on one blueprint ("campaign"): `overview` (the public description of
the campaign: contents, organizations, models, rules in force, deadlines) and `rule_pages` (an
administrator's screens for the minimum rules, under /admin/rules). `common` holds the blueprint."""

from webapp.campaign.views import overview, rule_pages  # noqa: F401  (their routes on bp)
from webapp.campaign.views.common import bp

__all__ = ["bp"]
