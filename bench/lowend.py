"""Low-end benchmark: each key page in Chromium with the CPU slowed 4× and the network at
400 kbit/s with 400 ms round trips (Chrome DevTools Protocol), timing navigation until the
page's main form (or main content) is usable, on a first and a repeat visit.

Run with `make bench`. It serves the app from a temporary SQLite database seeded with Bắc Kạn
and the demo accounts, and prints a table. A benchmark, not a test: nothing here fails on time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests import scenario  # noqa: E402
from tests.live import NetworkMeter, chromium, serve  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402

CPU_SLOWDOWN = 4
KBIT = 400
ROUND_TRIP_MS = 400


@dataclass(frozen=True)
class KeyPage:
    name: str
    account: tuple[str, str] | None
    path: str
    ready: str  # selector of the element that makes the page usable


# A cheap Android phone set to Vietnamese: 360 px wide, Accept-Language vi-VN.
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN"}


def key_pages(app) -> list[KeyPage]:
    import sqlalchemy as sa

    from webapp.pages.models import Page, PageKind
    from webapp.registrations.models import ListState, RegistrationList
    from webapp.units.models import Unit

    with app.app_context():
        commune = db.session.scalar(sa.select(Unit).where(Unit.code == "01858"))
        plan_path = db.session.scalar(sa.select(Page).where(Page.kind == PageKind.PLAN)).path
        draft, submitted = (
            db.session.scalars(
                sa.select(RegistrationList).where(
                    RegistrationList.unit_id == commune.id, RegistrationList.state == state
                )
            ).first()
            for state in (ListState.DRAFT, ListState.SUBMITTED)
        )
    editor = ("editor.pacnam", "edit-bang-thanh")
    admin = ("admin", "admin-bac-kan")
    reviewer = ("reviewer.pacnam", "review-pac-nam")
    return [
        KeyPage("home (visitor)", None, "/", "main h1"),
        KeyPage("sign in", None, "/login", "main form button[type=submit]"),
        KeyPage("commune: add area", editor, f"/units/{commune.id}", "#areas form button"),
        KeyPage("unit tree", admin, "/units", "main .tree a"),
        KeyPage("new user", admin, "/admin/users/new", "main form button[type=submit]"),
        KeyPage("lists of a commune", editor, f"/registrations/2017/{commune.id}", ".lists a"),
        KeyPage("a list (draft)", editor, f"/registrations/lists/{draft.id}", "#new-entry a"),
        KeyPage("the plan (guidance)", None, f"/pages/{plan_path}", ".prose p"),
        KeyPage("search (no accents)", None, "/search?q=nong+thon", "#search-results a"),
        KeyPage("review queue", reviewer, "/review", ".queue a"),
        KeyPage(
            "send an opinion",
            None,
            f"/opinions/new?district={commune.parent_id}",
            "main form button[type=submit]",
        ),
        KeyPage(
            "answers of a commune",
            None,
            f"/opinions/answers?commune={commune.id}",
            "main form[role=search] button[type=submit]",
        ),
        KeyPage("a list (reviewer)", reviewer, f"/registrations/lists/{submitted.id}", ".decide"),
        KeyPage(
            "new entry (no JS form)",
            editor,
            f"/registrations/lists/{draft.id}/entries/new",
            "main form button[type=submit]",
        ),
    ]


def add_row_inline(page, list_path: str) -> tuple[float, int]:
    """Seconds and bytes from pressing Save on the inline form to the new row being shown."""
    page.goto(list_path)
    page.click("#new-entry a")
    page.locator("#new-entry form").wait_for()
    page.fill("#name", "Đường bê tông thôn Nà Phặc")
    page.select_option("#content_id", index=1)
    page.fill("#budget_people", "1.500.000")
    meter = throttle(page)
    meter.reset()
    start = time.perf_counter()
    page.click("#new-entry button[type=submit]")
    page.locator("#entries > li", has_text="Đường bê tông thôn Nà Phặc").wait_for()
    return time.perf_counter() - start, meter.total


def throttle(page) -> NetworkMeter:
    meter = NetworkMeter(page)
    meter.session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": ROUND_TRIP_MS,
            "downloadThroughput": KBIT * 1000 / 8,
            "uploadThroughput": KBIT * 1000 / 8,
        },
    )
    meter.session.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return meter


def usable_after(page, path: str, ready: str) -> float:
    """Seconds from navigation start until `ready` is visible and enabled, with htmx loaded
    when scripts run (the deferred script has then run too)."""
    start = time.perf_counter()
    page.goto(path, wait_until="commit")
    page.locator(ready).first.wait_for(state="visible")
    page.wait_for_load_state("domcontentloaded")
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "ATTACHMENTS_DIR": f"{tmp}/attachments",
            }
        )
        with app.app_context():
            upgrade()
            scenario.load_demo()
            db.session.commit()
        pages = key_pages(app)
        rows = []
        with serve(app) as base_url, chromium() as browser:
            for spec in pages:
                context = browser.new_context(**PHONE, base_url=base_url)
                page = context.new_page()
                if spec.account:
                    page.goto("/login")
                    page.fill("#username", spec.account[0])
                    page.fill("#password", spec.account[1])
                    page.click("main button[type=submit]")
                    page.wait_for_url("**/")
                meter = throttle(page)
                meter.clear_cache()
                meter.reset()
                first = usable_after(page, spec.path, spec.ready)
                first_bytes = meter.total
                meter.reset()
                repeat = usable_after(page, spec.path, spec.ready)
                rows.append((spec.name, first, first_bytes, repeat, meter.total))
                context.close()
            context = browser.new_context(**PHONE, base_url=base_url)
            page = context.new_page()
            page.goto("/login")
            page.fill("#username", "editor.pacnam")
            page.fill("#password", "edit-bang-thanh")
            page.click("main button[type=submit]")
            page.wait_for_url("**/")
            inline = add_row_inline(page, next(p.path for p in pages if p.name == "a list (draft)"))
            context.close()
    print(f"Chromium, CPU {CPU_SLOWDOWN}x slower, {KBIT} kbit/s, {ROUND_TRIP_MS} ms RTT, 360 px")
    print(f"{'page':<22} {'first visit':>12} {'bytes':>8} {'repeat':>9} {'bytes':>8}")
    for name, first, first_bytes, repeat, repeat_bytes in rows:
        print(f"{name:<22} {first:>10.2f} s {first_bytes:>8} {repeat:>7.2f} s {repeat_bytes:>8}")
    print(f"{'add a row inline (htmx)':<22} {inline[0]:>10.2f} s {inline[1]:>8}")


if __name__ == "__main__":
    main()
