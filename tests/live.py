"""A real HTTP server for the app on a free loopback port, and Debian's Chromium through
Playwright; shared by the browser tests and bench/lowend.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no network beyond loopback: keep Chromium from trying.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve the app from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class NetworkMeter:
    """Bytes over the wire (compressed bodies plus headers) as Chromium's DevTools reports them."""

    def __init__(self, page) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.requests: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.failed: set[str] = set()
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.on("Network.loadingFailed", self._failed)

    def _sent(self, event) -> None:
        self.requests[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        self.sizes[event["requestId"]] = int(event["encodedDataLength"])

    def _failed(self, event) -> None:
        self.failed.add(event["requestId"])

    def reset(self) -> None:
        self.requests.clear()
        self.sizes.clear()
        self.failed.clear()

    def unsettled(self) -> list[str]:
        """The requests seen going out that have neither finished nor failed yet."""
        return [
            url
            for rid, url in self.requests.items()
            if rid not in self.sizes and rid not in self.failed
        ]

    def settle(self, page, timeout: float = 10.0) -> None:
        """Wait until every request seen has finished or failed: the `load` event can come
        before DevTools reports the last bytes. Playwright delivers events while it waits.
        (No page of ours starts a request by itself after `load`: htmx requests wait for an
        event, so nothing comes later.)"""
        deadline = time.monotonic() + timeout
        while pending := self.unsettled():
            if time.monotonic() > deadline:
                raise TimeoutError(f"still loading: {pending}")
            page.wait_for_timeout(10)

    def visit(self, page, path: str) -> int:
        """Bytes over the wire for one visit of `path`, every request seen finished; the
        page's own response is kept in `response`."""
        self.reset()
        self.response = page.goto(path, wait_until="load")
        self.settle(page)
        return self.total

    def clear_cache(self) -> None:
        self.session.send("Network.clearBrowserCache")

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    def by_url(self) -> dict[str, int]:
        return {self.requests.get(rid, rid): size for rid, size in self.sizes.items()}
