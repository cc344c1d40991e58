"""Evaluation and commendation screens, on one blueprint ("commendations"): `evaluations` (a
year's evaluations under a unit and the form for one), `nominations` (a unit's nominations,
proposing one, its page with submission and the decision, the approver's queue) and `public`
(the public list of a year's approved commendations). `common` holds the blueprint and what
they share."""

from webapp.commendations.views import evaluations, nominations, public  # noqa: F401  (routes on bp)
from webapp.commendations.views.common import bp

__all__ = ["bp"]
