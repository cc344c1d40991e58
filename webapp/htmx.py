"""HTMX helpers: the one place that reads HX headers and chooses fragment or full page."""

from __future__ import annotations

import json

from flask import Flask, flash, g, make_response, redirect, render_template
from werkzeug.wrappers import Response

from webapp.extensions import htmx

# The request headers `is_partial` reads: a response chosen by them varies on them, so that a
# cache (the browser's, a proxy's) never serves a fragment for a page or the other way round.
HTMX_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")


def is_partial() -> bool:
    """True for an htmx request that swaps a fragment (not boosted, not a history restore).
    Asking marks the response to vary on the htmx headers (see `_vary_on_htmx`)."""
    g.asked_htmx = True
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def _vary_on_htmx(response: Response) -> Response:
    """`Vary: HX-Request` (and the other htmx headers) on every response of a request whose
    view, error page or helper asked `is_partial()`: whatever the answer, the other answer
    would have been different."""
    if g.get("asked_htmx"):
        response.vary.update(HTMX_HEADERS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_vary_on_htmx)


def render_fragment_or_page(fragment: str, page: str, *, status: int = 200, **context) -> Response:
    """The fragment for htmx swaps, else the whole page that includes it; varies on HX-Request."""
    template = fragment if is_partial() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def after_change(
    fragment: str, *, event: str, redirect_to: str, saved: str | None = None, **context
) -> Response:
    """After a successful mutation: the updated fragment with an HX-Trigger event for htmx,
    else a 303 redirect to the full page (post/redirect/get), with `saved` as a success
    message there: without the row changing in place, the reader needs to be told."""
    if not is_partial():
        if saved:
            flash(saved, "success")
        return redirect(redirect_to, code=303)
    return render_fragment(fragment, event=event, **context)


def render_fragment(fragment: str | None, *, event: str | None = None, **context) -> Response:
    """A fragment alone (None: an empty body, which removes the swapped element), optionally
    announcing an HX-Trigger event."""
    body = render_template(fragment, **context) if fragment else ""
    response = make_response(body)
    if event:
        response.headers["HX-Trigger"] = json.dumps({event: True})
    response.vary.add("HX-Request")
    return response


def fragment_or_redirect(fragment: str, *, redirect_to: str, **context) -> Response:
    """For GETs that only exist as fragments: the fragment for htmx, else the full page (303)."""
    if not is_partial():
        response = redirect(redirect_to, code=303)
        response.vary.add("HX-Request")
        return response
    return render_fragment(fragment, **context)
