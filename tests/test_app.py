"""Configuration, security headers, static assets, compression and error pages."""

from __future__ import annotations

import gzip
import hashlib
import re

import pytest

from webapp import create_app


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"PRODUCTION": True, "SECRET_KEY": None})


def test_secret_key_is_generated_once_into_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from webapp import config

    class Fake:
        def __init__(self):
            self.config = {"PRODUCTION": False, "SECRET_KEY": None}
            self.instance_path = str(tmp_path)

    first, second = Fake(), Fake()
    config._ensure_secret_key(first)
    config._ensure_secret_key(second)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 40
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("WEBAPP_LOGIN_MAX_FAILURES_PER_ACCOUNT", "7")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_pages_carry_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = client.get("/login").headers["Set-Cookie"]  # a form: the visitor gets a session
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_htmx_is_served_by_us_with_hash_and_long_cache(client):
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<script src="(/static/htmx-2\.0\.4\.min\.js\?v=([0-9a-f]+))" defer>', page)
    assert match, "htmx 2.0.4 is loaded with defer from our own origin"
    assert "cdn" not in page.lower()
    url, version = match.groups()
    with client.get(url, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "no-cache" not in response.headers["Cache-Control"]
        body = gzip.decompress(response.get_data())
    assert hashlib.sha256(body).hexdigest().startswith(version)
    assert b'version:"2.0.4"' in body


def test_static_without_current_hash_is_not_cached_for_long(client):
    with client.get("/static/app.css?v=stale") as response:
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]


def test_html_is_compressed(client):
    response = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] in {"br", "gzip"}
    assert "Accept-Encoding" in response.headers["Vary"]


def test_unknown_page_is_404_in_vietnamese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Không tìm thấy" in page
