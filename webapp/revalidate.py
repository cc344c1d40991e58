"""Caching of public pages: anonymous readers revalidate with an ETag and get a 304 when
nothing changed; signed-in readers (and anyone with a message waiting) get a copy no cache
keeps. Private either way: every page carries the visitor's own CSRF token (htmx headers)."""

from __future__ import annotations

import hashlib

from flask import request


def etag_of(parts) -> str:
    """An ETag for what a page depends on (its data, the languages, the catalogs' stamps)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def already_known(etag: str) -> bool:
    """The reader's copy is this one. Flask-Compress tags what it compresses "<etag>:br" /
    ":gzip": those are ours too."""
    known = [etag, *(f"{etag}:{algorithm}" for algorithm in ("br", "gzip", "deflate"))]
    return any(request.if_none_match.contains(tag) for tag in known)


def revalidated(response, etag: str):
    """Kept, but asked about each time (so a change shows at once)."""
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.set_etag(etag)
    response.vary.add("Cookie")
    return response


def not_kept(response):
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
