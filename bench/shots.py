"""`make shots`: a full-page screenshot of every page the layout crawl reaches, for each role
(a visitor and each demo account) at 360 px and 1366 px, so a person can look at the whole
product in one sitting.

Serves the app from a temporary SQLite database with the crawl's data (tests/scenario.py: the
2017 demo season and the current year), crawls as each role (tests/crawl.py), then opens each
page with an empty cache at both widths. Writes into `shots/` (or --out):

- `<role>/<page>-<width>.png`
- `index.html`: role → pages, both widths side by side, the page's weight over the wire and
  what the layout checks found on it;
- `index.json`: the same as data. `--compare old/index.json` (make shots COMPARE=…) lists the
  five pages whose weight changed most since that run.

A record to look at, not a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests import scenario  # noqa: E402
from tests.crawl import DESK, PHONE, ROLES, crawl, sign_in  # noqa: E402
from tests.layout import check_page, vocabulary  # noqa: E402
from tests.live import NetworkMeter, chromium, serve  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402

WIDTHS = (PHONE, DESK)
TOP = 5


def slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-")[:120] or "home"


def shoot(browser, base_url: str, role: str, out: Path, vocab) -> list[dict]:
    """Crawl as the role, then each page at both widths from an empty cache."""
    context = browser.new_context(locale="vi-VN", base_url=base_url)
    page = context.new_page()
    sign_in(page, ROLES[role])
    years = {scenario.DEMO_YEAR, date.today().year}
    urls = crawl(page, role, base_url, vocab, years=years, check_links=False).urls
    meter = NetworkMeter(page)
    folder = out / slug(role)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for url in urls:
        row = {"role": role, "url": url, "bytes": {}, "shots": {}, "problems": {}}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 740 if width == PHONE else 768})
            meter.clear_cache()
            meter.reset()
            page.goto(url, wait_until="load")
            page.wait_for_timeout(100)  # late loadingFinished events
            row["bytes"][str(width)] = meter.total
            name = f"{slug(url)}-{width}.png"
            page.screenshot(path=str(folder / name), full_page=True)
            row["shots"][str(width)] = f"{folder.name}/{name}"
            row["problems"][str(width)] = [f"{c}: {d}" for c, d in check_page(page, vocab)[0]]
        rows.append(row)
        print(f"  {role} {url}: {row['bytes'][str(DESK)] / 1024:.1f} KB", flush=True)
    context.close()
    return rows


def changed_most(rows: list[dict], old_index: Path) -> list[dict]:
    """The pages whose weight (at the desk width) changed most since the old run."""
    old = {(r["role"], r["url"]): r for r in json.loads(old_index.read_text())["pages"]}
    changes = []
    for row in rows:
        before = old.get((row["role"], row["url"]))
        if before is None:
            continue
        was, now = before["bytes"][str(DESK)], row["bytes"][str(DESK)]
        if was != now:
            changes.append({"role": row["role"], "url": row["url"], "before": was, "after": now})
    changes.sort(key=lambda c: abs(c["after"] - c["before"]), reverse=True)
    return changes[:TOP]


def write_index(out: Path, rows: list[dict], changes: list[dict] | None) -> None:
    (out / "index.json").write_text(
        json.dumps(
            {"generated": datetime.now(UTC).isoformat(), "pages": rows, "changed_most": changes},
            ensure_ascii=False,
            indent=1,
        )
    )
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Screenshots</title>",
        "<style>body{font:14px sans-serif;margin:1rem}section{margin:1rem 0 2rem}"
        ".pair{display:flex;gap:1rem;align-items:flex-start;margin:.5rem 0 1.5rem}"
        ".pair img{border:1px solid #999}.w360{width:240px}.w1366{width:680px}"
        ".bad{color:#a00}</style>",
        f"<h1>Screenshots: {len(rows)} pages</h1>",
    ]
    if changes is not None:
        parts.append("<h2>Changed most (weight, desk width)</h2><ol>")
        parts += [
            f"<li>{e(c['role'])} · {e(c['url'])}: {c['before'] / 1024:.1f} KB → "
            f"{c['after'] / 1024:.1f} KB</li>"
            for c in changes
        ]
        parts.append("</ol>")
    roles = list(dict.fromkeys(r["role"] for r in rows))
    parts.append("<p>" + " · ".join(f"<a href='#{slug(r)}'>{e(r)}</a>" for r in roles) + "</p>")
    for role in roles:
        mine = [r for r in rows if r["role"] == role]
        parts.append(f"<section id='{slug(role)}'><h2>{e(role)}: {len(mine)} pages</h2>")
        for row in mine:
            problems = sorted({p for ps in row["problems"].values() for p in ps})
            parts.append(
                f"<h3>{e(row['url'])} · {row['bytes'][str(DESK)] / 1024:.1f} KB</h3>"
                + (
                    "<ul class='bad'>" + "".join(f"<li>{e(p)}</li>" for p in problems) + "</ul>"
                    if problems
                    else ""
                )
                + "<div class='pair'>"
                + "".join(
                    f"<a href='{e(row['shots'][str(w)])}'><img class='w{w}' loading='lazy' "
                    f"src='{e(row['shots'][str(w)])}' alt='{w} px'></a>"
                    for w in WIDTHS
                )
                + "</div>"
            )
        parts.append("</section>")
    (out / "index.html").write_text("\n".join(parts), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="shots", type=Path)
    parser.add_argument("--compare", type=Path, help="an index.json of an earlier run")
    parser.add_argument("--roles", help="comma-separated roles (default: all)")
    args = parser.parse_args()
    old = None
    if args.compare:
        # Read first: the old index may live in the folder about to be replaced.
        old = Path(tempfile.mkstemp(suffix=".json")[1])
        old.write_bytes(args.compare.read_bytes())
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    started = time.perf_counter()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
                "SECRET_KEY": "shots",
                "ATTACHMENTS_DIR": f"{tmp}/attachments",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            upgrade()
            scenario.build()
            db.session.commit()
            db.session.remove()
        vocab = vocabulary(tuple(app.config["LANGUAGES"]))
        roles = args.roles.split(",") if args.roles else list(ROLES)
        rows = []
        with serve(app) as base_url, chromium() as browser:
            for role in roles:
                rows += shoot(browser, base_url, role, args.out, vocab)
    changes = changed_most(rows, old) if old else None
    write_index(args.out, rows, changes)
    print(
        f"{len(rows)} pages, {2 * len(rows)} screenshots in {time.perf_counter() - started:.0f} s"
    )
    print(f"index: {args.out / 'index.html'}")
    for change in changes or []:
        print(
            f"  {change['role']} {change['url']}: {change['before'] / 1024:.1f} KB → "
            f"{change['after'] / 1024:.1f} KB"
        )


if __name__ == "__main__":
    main()
