"""Review of submitted registration lists: decisions per entry (approve, return, reopen), the
reviewer's queue, what changed since a return, and the history of an item."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Review's part in the pages below it: a registration list loads its entries' decisions
    with who made them in the same few queries (registrations import nothing of review)."""
    from webapp.registrations.queries import load_entries_with
    from webapp.review.models import with_decisions

    load_entries_with(with_decisions)
