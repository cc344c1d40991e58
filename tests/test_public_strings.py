"""What public readers see: the list of interface strings they are shown
(webapp/i18n/public_strings.json, what readiness counts) is what a crawl of the public pages of
the demo data finds; and a guidance page shown in Vietnamese to a Tày reader is labelled vi."""

from __future__ import annotations

import json
import os
from collections import deque

from flask import g, request_started

from tests.test_dead_links import same_site_links
from webapp.i18n import queries


def test_a_guidance_page_without_translation_is_labelled_vi(app, seeded):
    reader = app.test_client()
    reader.set_cookie("lang", "tyz")
    index = reader.get("/pages").get_data(as_text=True)
    link = next(
        h for h in same_site_links("/pages", index) if h.startswith("/pages/") and "/" in h[7:]
    )
    html = reader.get(link).get_data(as_text=True)
    assert '<article class="guidance" lang="vi">' in html
    assert 'lang="tyz"' not in html.split("<main")[1].split("</main>")[0]


# What public readers see, measured.


def _crawl(app, limit: int = 150) -> set[tuple[str | None, str]]:
    heard: set[str] = set()

    def listen(sender, **extra) -> None:
        g.heard_msgids = heard

    request_started.connect(listen, app)
    try:
        reader = app.test_client()
        seen, queue = set(), deque(["/", "/login", "/no-such-page"])
        while queue and len(seen) < limit:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            response = reader.get(url)
            if response.mimetype == "text/html":
                queue.extend(same_site_links(url, response.get_data(as_text=True)))
            response.close()  # attachments are files
    finally:
        request_started.disconnect(listen, app)
    by_key = {s.key: (s.context, s.msgid) for s in queries.sources()}
    return {by_key[key] for key in heard if key in by_key}


def test_public_strings_are_what_a_crawl_of_the_public_pages_finds(app, seeded):
    with app.app_context():
        found = _crawl(app)
    rows = [
        {"msgid": msgid} | ({"context": context} if context else {})
        for context, msgid in sorted(found, key=lambda r: (r[1], r[0] or ""))
    ]
    if os.environ.get("UPDATE_PUBLIC_STRINGS"):
        text = json.dumps(rows, ensure_ascii=False, indent=1)
        queries.PUBLIC_STRINGS.write_text(text + "\n", encoding="utf-8")
    stored = json.loads(queries.PUBLIC_STRINGS.read_text(encoding="utf-8"))
    assert 50 <= len(rows) <= 300
    assert stored == rows, "public strings changed: rerun with UPDATE_PUBLIC_STRINGS=1"
