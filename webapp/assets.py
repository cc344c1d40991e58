"""Static files under URLs that carry a hash of their content, cached for a year."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for
from werkzeug.wrappers import Response


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _version(filename: str) -> str | None:
    hashes: dict[str, str] = current_app.extensions["asset_hashes"]
    if filename not in hashes:
        path = Path(current_app.static_folder) / filename
        if not path.is_file():
            return None
        hashes[filename] = _digest(path)
    return hashes[filename]


def static_url(filename: str) -> str:
    return url_for("static", filename=filename, v=_version(filename))


def _cache_headers(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    # Our static files are a few KB: read them into memory so that the compression step
    # (which skips gzip for streamed bodies) compresses them with a Content-Length.
    response.direct_passthrough = False
    response.make_sequence()
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    if version and version == _version(filename):
        max_age = current_app.config["STATIC_MAX_AGE"]
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response


def init_app(app: Flask) -> None:
    app.extensions["asset_hashes"] = {}
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(_cache_headers)
