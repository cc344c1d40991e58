"""Public pages served from a cache that is always right: an anonymous reader's page is
rendered once and kept (Redis in production, this process's memory for `make run`, through
webapp.kv), compressed, under a key made of everything the page depends on. A change to a page,
its revisions, translations or files, or to the units, bumps the content generation in the same
transaction (`_bump`), so the next request of any node asks for another key; a saved interface
translation bumps its language's catalog generation (webapp.i18n.services) the same way.

What belongs here: the key, the store of rendered pages and the counter; the views say which
pages are public (`public_page`)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, Response, current_app, make_response, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp import kv
from webapp.extensions import db
from webapp.htmx import is_partial
from webapp.i18n.choice import ui_language_code
from webapp.i18n.domain import interface_stamp
from webapp.i18n.generations import generations
from webapp.i18n.models import CatalogGeneration, WordTranslation
from webapp.pages.models import Attachment, Page, PageTranslation, Recording, Revision
from webapp.units.models import Unit

# The content generation shares the counters' table with the languages' catalog generations,
# under a name that is no language code: one query reads them all.
CONTENT = "#pages"
# What a public page shows comes from these rows; any change to one is a new generation.
# (Interface strings are in the key through the catalog generations; campaign words' names
# may appear on a page, so their translations count too.)
WATCHED = (Page, Revision, PageTranslation, Attachment, Recording, WordTranslation, Unit)
# Kept this long in Redis; a new generation makes older entries unreachable well before.
KEEP_SECONDS = 3600
_BUILD = "webapp.pages.cache.build"
PREFIX = "page:"
# A body that carries a visitor's own token must never be served to another.
_PRIVATE_MARKS = (b'name="csrf_token"', b"X-CSRFToken")


def init_app(app: Flask) -> None:
    app.extensions[_BUILD] = _build_stamp(app)
    if not event.contains(db.session, "before_flush", _bump_on_change):
        event.listen(db.session, "before_flush", _bump_on_change)
        event.listen(db.session, "do_orm_execute", _bump_on_bulk_change)


def _build_stamp(app: Flask) -> str:
    """The templates, static files and code this node serves: nodes of two releases that
    share one Redis never serve each other's pages."""
    roots = [Path(app.template_folder), Path(app.static_folder), Path(app.root_path)]
    found = sorted(
        (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and path.suffix in {".html", ".css", ".js", ".svg", ".py", ".mo"}
    )
    return hashlib.sha256(repr(found).encode()).hexdigest()[:16]


def _watched(instances) -> bool:
    return any(isinstance(instance, WATCHED) for instance in instances)


def _bump_on_change(session, _flush_context, _instances) -> None:
    if _watched(session.new) or _watched(session.dirty) or _watched(session.deleted):
        _bump(session.connection())


def _bump_on_bulk_change(state) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in WATCHED for mapper in state.all_mappers
    ):
        _bump(state.session.connection())


def _bump(connection) -> None:
    """One more content generation, in the transaction that makes the change."""
    bumped = connection.execute(
        sa.update(CatalogGeneration)
        .where(CatalogGeneration.language == CONTENT)
        .values(generation=CatalogGeneration.generation + 1)
    ).rowcount
    if bumped:
        return
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    created = connection.execute(
        insert(CatalogGeneration)
        .values(language=CONTENT, generation=1)
        .on_conflict_do_nothing(index_elements=["language"])
    ).rowcount
    if not created:  # a colleague's first change, just now: count ours on top of it
        _bump(connection)


def forget_all() -> int:
    """Drop every kept page (a restored database counts its generations again)."""
    return kv.forget(PREFIX)


def _cacheable() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and current_app.config.get("PUBLIC_PAGE_CACHE", True)
    )


def _key() -> str:
    """Everything an anonymous page depends on, hashed: the address, the interface language
    and its text (catalog generations, compiled catalogs), fragment or page, the content
    generation and the release."""
    languages = tuple(current_app.config["LANGUAGES"])
    parts = (
        request.host_url,
        request.full_path,
        ui_language_code(),
        is_partial(),
        generations((*languages, CONTENT), fresh=True),
        interface_stamp(),
        current_app.extensions[_BUILD],
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _encoding() -> str:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding]:
            return encoding
    return "identity"


def _compressed(html: bytes) -> dict[str, bytes]:
    import brotli  # Flask-Compress's; once per rendered page, not per request

    return {
        "identity": html,
        "br": brotli.compress(html, quality=11),
        "gzip": gzip.compress(html, compresslevel=9),
    }


def _answer(body: bytes, key: str, encoding: str, *, not_modified: bool = False) -> Response:
    response = make_response(b"" if not_modified else body, 304 if not_modified else 200)
    response.mimetype = "text/html"
    if encoding != "identity":
        # Set here, Flask-Compress leaves the body alone (and still adds its Vary).
        response.headers["Content-Encoding"] = encoding
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.set_etag(key if encoding == "identity" else f"{key}:{encoding}")
    response.vary.add("Cookie")
    response.vary.add("Accept-Encoding")
    return response


def public_page(view: Callable) -> Callable:
    """Serve the view's page to anonymous readers from the cache; signed-in readers, visitors
    with a message to see, and anything but a 200 without a personal token go to the view."""

    @wraps(view)
    def serve(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        key = _key()
        encoding = _encoding()
        known = [key, *(f"{key}:{algorithm}" for algorithm in ("br", "gzip", "deflate"))]
        if any(request.if_none_match.contains(tag) for tag in known):
            return _answer(b"", key, encoding, not_modified=True)
        body = kv.cached(f"{PREFIX}{key}:{encoding}")
        if body is None:
            response = make_response(view(*args, **kwargs))
            html = response.get_data()
            if (
                response.status_code != 200
                or response.mimetype != "text/html"
                or any(mark in html for mark in _PRIVATE_MARKS)
            ):
                return response
            variants = _compressed(html)
            kept = {f"{PREFIX}{key}:{name}": data for name, data in variants.items()}
            kv.keep(kept, KEEP_SECONDS)
            body = variants[encoding]
        return _answer(body, key, encoding)

    return serve
