"""The production configuration started for real: two app nodes (gunicorn with
webapp/deploy/gunicorn.conf.py, WEBAPP_PRODUCTION=true, this run's PostgreSQL database, this
worker's Redis database, one attachments folder) behind nginx with the shipped configuration, on
loopback. Slow clients wait on nginx, never on a worker (H2 of issue 17); what one node does,
the other sees: sessions, sign-out, throttling, translations, attachments.

PostgreSQL only (several nodes share a server database; production refuses SQLite). nginx is
needed: skipped without it on a developer's machine, a failure in CI (.ci/run installs it)."""

from __future__ import annotations

import os
import socket
import stat
import time
from dataclasses import dataclass

import pytest

from tests import factories
from tests import production as prod
from tests.conftest import TEST_DB, _insert_rows, _wipe, unavailable
from tests.production import Browser
from tests.test_attachments import PDF, make_page
from webapp.auth.models import Role
from webapp.config import DEFAULTS
from webapp.extensions import db as _db
from webapp.i18n.models import message_key
from webapp.pages import services
from webapp.pages.models import Page
from webapp.pages.services import PageValues
from webapp.seed.loader import DEMO_ACCOUNTS

# One worker runs them all (`--dist loadgroup`): they share the nodes, started once.
pytestmark = pytest.mark.xdist_group("production_nodes")


@dataclass
class Site:
    cluster: prod.Cluster
    editor: str
    translator: str
    language_reviewer: str
    publisher: str
    throttled: str
    viewer: str  # of the province: its aggregated list is an export job here
    province_id: int
    page_id: int
    page_path: str
    attachments: object
    env: dict
    workdir: object

    @property
    def a(self) -> str:
        return self.cluster.node_url(0)

    @property
    def b(self) -> str:
        return self.cluster.node_url(1)


@pytest.fixture(scope="module")
def site(app, database_url, redis_url, tmp_path_factory):
    if TEST_DB != "postgresql":
        pytest.skip("several nodes share one PostgreSQL database: runs with TEST_DB=postgresql")
    if prod.nginx_binary() is None:
        unavailable("nginx is not installed (apt-get install nginx)")
    with app.app_context():
        tree = factories.make_tree()
        users = {
            "editor": factories.make_user(roles=[(Role.EDITOR, tree.c1)]),
            "translator": factories.make_user(
                roles=[(Role.TRANSLATOR, tree.province, None, "tyz")]
            ),
            "language_reviewer": factories.make_user(
                roles=[(Role.TRANSLATION_REVIEWER, tree.province, None, "tyz")]
            ),
            "publisher": factories.make_user(roles=[(Role.PUBLISHER, tree.province)]),
            "throttled": factories.make_user(roles=[(Role.EDITOR, tree.c2)]),
            "viewer": factories.make_user(roles=[(Role.VIEWER, tree.province)]),
        }
        _insert_rows(app.extensions["test_campaign_rows"])  # coverage needs the campaign
        province_id = tree.province.id
        page = make_page(tree.province)
        page_id, page_path = page.id, page.path
        _db.session.commit()
        names = {role: user.username for role, user in users.items()}
        _db.session.remove()
    workdir = tmp_path_factory.mktemp("production")
    attachments = workdir / "shared" / "attachments"
    env = prod.production_env(database_url, redis_url, attachments)
    env["WEBAPP_EXPORT_JOB_MIN_COMMUNES"] = "2"  # the tree's province (3 communes) is large
    try:
        with prod.cluster(env, workdir) as cluster:
            for base in (cluster.node_url(0), cluster.node_url(1)):
                Browser().get(f"{base}/pages")  # each node's worker has started and warmed up
            yield Site(
                cluster,
                province_id=province_id,
                page_id=page_id,
                page_path=page_path,
                attachments=attachments,
                env=env,
                workdir=workdir,
                **names,
            )
    finally:
        _wipe(app)


def signed_in(browser: Browser, base: str) -> bool:
    """The account page answers a signed-in browser; anyone else is sent to /login."""
    return browser.get(f"{base}/account/password").status == 200


# Slow clients (H2).


def _slow_header(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(b"GET /pages HTTP/1.1\r\nHost: localhost\r\nX-Slow-1: a\r\n")
    return sock


def _slow_body(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(
        b"POST /login HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\n"
        b"username=slow&pass"
    )
    return sock


def _still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""  # data: nginx answered early (it must not)
    except BlockingIOError:
        return True  # nothing yet: still waiting for the client
    finally:
        sock.setblocking(True)


def test_twenty_slow_clients_do_not_hold_the_app(site):
    """20 clients trickle header lines and 20 others a POST body, through nginx, while a
    normal request is answered within a second, again and again. (The nodes have 8 threads
    each: without nginx buffering the bodies, the slow POSTs alone would hold them all.)"""
    slow = [_slow_header(site.cluster.url) for _ in range(20)]
    slow += [_slow_body(site.cluster.url) for _ in range(20)]
    try:
        for round_ in range(3):
            for sock in slow[:20]:
                sock.sendall(f"X-Slow-{round_ + 2}: a\r\n".encode())  # one more line each
            for sock in slow[20:]:
                sock.sendall(b"w")  # one more byte of body each
            started = time.monotonic()
            response = Browser().get(f"{site.cluster.url}/pages")
            assert response.status == 200
            assert time.monotonic() - started < 1.0
        assert all(_still_open(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()


def test_nginx_serves_static_files_compressed_and_cached_for_a_year(site):
    browser = Browser()
    page = browser.get(f"{site.cluster.url}/pages").text
    css = next(part.split('"')[0] for part in page.split('href="')[1:] if "app.css" in part)
    response = browser.get(f"{site.cluster.url}{css}", **{"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers.get("Server") == "nginx"  # not the app's gunicorn


def test_requests_reach_both_nodes_through_nginx(site):
    """Each node's /pages page through nginx carries the same session-free answer; the nodes
    themselves answer too (the load balancer has somewhere to send)."""
    for base in (site.a, site.b, site.cluster.url):
        assert Browser().get(f"{base}/pages").status == 200


# Several nodes, one state.


def test_session_made_on_one_node_works_on_the_other(site):
    browser = Browser()
    assert browser.sign_in(site.a, site.editor, factories.PASSWORD).status == 303
    assert signed_in(browser, site.b) and signed_in(browser, site.a)


def test_sign_out_on_one_node_ends_the_session_on_both(site):
    browser = Browser()
    assert browser.sign_in(site.a, site.editor, factories.PASSWORD).status == 303
    copied = browser.copy()  # the cookie as someone copied it before the sign-out
    assert signed_in(copied, site.b)
    out = browser.post(f"{site.b}/logout", {}, token_from=f"{site.b}/account/password")
    assert out.status in (302, 303)
    assert not signed_in(copied, site.a) and not signed_in(copied, site.b)


def test_throttle_counts_failures_on_both_nodes(site):
    # One browser, one address: the (account, address) pair's free failures, then a wait.
    limit = DEFAULTS["LOGIN_MAX_FAILURES_PER_PAIR"]
    browser = Browser()
    for attempt in range(limit):
        base = (site.a, site.b)[attempt % 2]
        assert browser.sign_in(base, site.throttled, "wrong-password").status == 200
    for base in (site.a, site.b):
        assert browser.sign_in(base, site.throttled, "wrong-password").status == 429


def _translate_on_a(site, msgid: str, text: str, check=None) -> None:
    """A translator saves a Tày interface string through node A and, after `check` (if given)
    saw the draft not served, the language's reviewer approves it there."""
    translator = Browser()
    assert translator.sign_in(site.a, site.translator, factories.PASSWORD).status == 303
    key = message_key(msgid)
    saved = translator.post(
        f"{site.a}/translations/tyz/{key}",
        {"strings-0": text, "version": "0", "submit": "1"},
        token_from=f"{site.a}/translations/tyz",
    )
    assert saved.status == 303, saved.text[:500]
    if check is not None:
        check()
    reviewer = Browser()
    assert reviewer.sign_in(site.a, site.language_reviewer, factories.PASSWORD).status == 303
    approved = reviewer.post(
        f"{site.a}/translations/tyz/{key}/approve",
        {"version": "1"},
        token_from=f"{site.a}/translations/tyz",
    )
    assert approved.status == 303, approved.text[:500]


def test_translation_approved_on_one_node_is_served_by_the_other(site):
    reader = Browser({"lang": "tyz"})
    assert "Khảu slư" not in reader.get(f"{site.b}/login").text  # B has built its catalogs

    def draft_not_served():
        assert "Khảu slư" not in reader.get(f"{site.b}/login").text

    _translate_on_a(site, "Sign in", "Khảu slư", check=draft_not_served)
    assert "Khảu slư" in reader.get(f"{site.b}/login").text


def test_public_page_changes_show_on_both_nodes_at_once(site, app):
    """Anonymous pages come from the shared cache (Redis): a publish, an interface translation
    and a language change made anywhere show on the next request of either node."""
    path = f"/pages/{site.page_path}"
    reader = Browser()
    first = [reader.get(f"{base}{path}") for base in (site.a, site.b, site.a)]
    assert [r.status for r in first] == [200, 200, 200]
    assert all("Set-Cookie" not in r.headers for r in first)
    assert first[0].body == first[1].body == first[2].body
    with app.app_context():
        page = _db.session.get(Page, site.page_id)
        publisher = factories.make_user(roles=[(Role.PUBLISHER, page.unit)])
        services.save(publisher, page, page.version, PageValues(page.title, "Hạn mới: 20/3."))
        _db.session.commit()
        _db.session.remove()
    for base in (site.b, site.a):
        assert "Hạn mới: 20/3." in reader.get(f"{base}{path}").text
    tay = Browser({"lang": "tyz"})
    assert "Mẹnu" not in tay.get(f"{site.b}{path}").text
    _translate_on_a(site, "Menu", "Mẹnu")
    assert "Mẹnu" in tay.get(f"{site.b}{path}").text
    assert "Mẹnu" in tay.get(f"{site.a}{path}").text
    assert '<html lang="en"' in Browser({"lang": "en"}).get(f"{site.b}{path}").text


def test_attachment_uploaded_on_one_node_downloads_from_the_other(site):
    publisher = Browser()
    assert publisher.sign_in(site.a, site.publisher, factories.PASSWORD).status == 303
    edit = f"{site.a}/pages/{site.page_id}/edit"
    uploaded = publisher.post_file(
        f"{site.a}/pages/{site.page_id}/attachments", {"title": "Kế hoạch"}, "plan.pdf", PDF, edit
    )
    assert uploaded.status == 303, uploaded.text[:500]
    page = publisher.get(f"{site.b}/pages/{site.page_id}/edit").text
    link = next(part.split('"')[0] for part in page.split('href="')[1:] if "/files/" in part)
    download = Browser().get(f"{site.b}{link}")
    assert download.status == 200 and download.body == PDF
    # On the shared folder, the app's user only.
    (stored,) = site.attachments.iterdir()
    modes = [stat.S_IMODE(os.stat(p).st_mode) for p in (site.attachments, stored)]
    assert modes == [0o700, 0o600]


def test_a_node_refuses_to_start_while_a_demo_account_keeps_its_readme_password(site, app):
    """gunicorn with the production settings stops (its worker cannot boot) and says why."""
    account = DEMO_ACCOUNTS[0]
    with app.app_context():
        user = factories.make_user(username=account.username)
        user.set_password(account.password)
        _db.session.commit()
        _db.session.remove()
    node = prod.gunicorn(site.env, site.workdir, "refused")
    try:
        assert node.popen.wait(timeout=60) != 0
    finally:
        node.stop()
    log = node.log.read_text()
    assert f"Demo accounts still have the README's passwords: {account.username}." in log


# Background exports (webapp/jobs).


def test_an_export_asked_of_one_node_is_run_beside_the_nodes_and_served_by_the_other(site):
    """gunicorn's master starts a `flask jobs worker` with each node (Redis is set): the job
    queued through node A is run, its progress and file are seen through node B (the exports
    live in the shared attachments' folder)."""
    import io
    import re
    import time

    from openpyxl import load_workbook

    browser = Browser()
    assert browser.sign_in(site.a, site.viewer, factories.PASSWORD).status == 303
    year = time.localtime().tm_year
    asked = browser.get(f"{site.a}/coverage/{year}/{site.province_id}/summary.xlsx")
    assert asked.status == 303, asked.status
    job = re.search(r"/jobs/\d+$", asked.headers["Location"]).group(0)
    deadline = time.monotonic() + 60
    while "download" not in (status := browser.get(f"{site.b}{job}/status").text):
        assert time.monotonic() < deadline, status
        time.sleep(0.5)
    download = browser.get(f"{site.b}{job}/download")
    assert download.status == 200
    sheets = load_workbook(io.BytesIO(download.body)).sheetnames
    assert len(sheets) == 2  # the totals and the entries (none in this campaign's tree)
