"""The coverage blueprint and what its screens share: the view of a unit's coverage for a year,
and the page's own address with some arguments changed."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, request, url_for

from webapp.campaign.models import Campaign
from webapp.coverage.queries import Coverage, counted_states
from webapp.units.models import Unit

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

# The gap list names communes that fall short: keep it out of shared caches.
NO_STORE = "private, no-store"


@dataclass
class View:
    unit: Unit
    year: int
    include_submitted: bool
    campaign: Campaign
    communes: sa.Select
    coverage: Coverage | None = None  # None on the overlap pages, which count nothing

    @property
    def states(self):
        return counted_states(self.include_submitted)


def here(**changes) -> str:
    """This page's address with some arguments changed (None drops one)."""
    args = {**request.view_args, **request.args.to_dict(), **changes}
    return url_for(request.endpoint, **{k: v for k, v in args.items() if v not in (None, "")})
