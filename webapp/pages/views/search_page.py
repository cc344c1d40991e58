"""The public search page: a plain GET form with paged results, and the same results as a
fragment for the live search as one types (htmx)."""

from __future__ import annotations

from flask import request, session
from flask_login import current_user

from webapp import policy
from webapp.htmx import is_partial, render_fragment_or_page
from webapp.i18n.choice import ui_language
from webapp.pages.search import MAX_QUERY, clean_query, search
from webapp.pages.views.common import bp
from webapp.policy import Action

PAGE_SIZE = 20
MAX_PAGE = 50  # a bound on OFFSET; nobody pages through a thousand results
MAX_AGE = 60  # seconds: new publications show up in search within a minute


@bp.get("/search")
def search_pages():
    policy.require(current_user, Action.CAMPAIGN_VIEW)
    query, was_cut = clean_query(request.args.get("q"))
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    results = (
        search(
            query,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            language=ui_language().code,
        )
        if query
        else None
    )
    response = render_fragment_or_page(
        "search/_results.html",
        "search/search.html",
        q=query,
        was_cut=was_cut,
        results=results,
        page_number=page,
        max_page=MAX_PAGE,
        max_query=MAX_QUERY,
    )
    response.vary.add("Cookie")
    if current_user.is_authenticated or session.get("_flashes"):
        response.cache_control.private = True
        response.cache_control.no_store = True
        return response
    # The results are the same for every anonymous reader; the full page is not, since it
    # carries the visitor's CSRF token (htmx headers), so only the fragment may be shared.
    if is_partial():
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    response.cache_control.max_age = MAX_AGE
    return response
