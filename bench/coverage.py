"""Coverage benchmark: a full province (122 communes × 10 organizations × ~8 entries, every
state) and the server time (p50/p95) and number of SQL statements of each coverage view, on
SQLite and, when a PostgreSQL URL is given, on PostgreSQL.

    .venv/bin/python bench/coverage.py [--runs 20] [--only overlaps] \
        [--postgresql postgresql://postgres@127.0.0.1:5432/test]

Server time is measured around the test client's request (routing, queries, rendering), not
over a network. A benchmark, not a test: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.province_data import generate  # noqa: E402
from tests.queries import counting_queries  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.seed import loader  # noqa: E402
from webapp.units.models import Unit  # noqa: E402

YEAR = 2026
ADMIN = ("admin", "admin-bac-kan")
VIEWS = (
    ("contents", ""),
    ("organizations", "/organizations"),
    ("gaps", "/gaps"),
    ("gaps.xlsx", "/gaps.xlsx"),
    ("summary", "/summary"),
    ("summary print", "/summary?print=1"),
    ("summary.xlsx", "/summary.xlsx"),
    ("entries (commune)", None),
    ("overlaps", "/overlaps"),  # likely duplicates: the first page of open pairs
)


@contextmanager
def postgres_database(base: str):
    import psycopg

    name = f"bench_coverage_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/?]*(\?|$)", rf"/{name}\1", base.rstrip("/"), count=1)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_app(url: str) -> Flask:
    """The app on `url`, migrated: fast password hashes, no CSRF (the client posts forms)."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        upgrade()
    return app


def prepared_app(url: str, generate_data) -> Flask:
    """The app on a fresh database with Bắc Kạn, the campaign, the demo accounts and what
    `generate_data()` adds (it returns what it created), analysed."""
    app = bench_app(url)
    with app.app_context():
        loader.load_units()
        loader.load_campaign()
        loader.load_demo_accounts()
        started = time.perf_counter()
        created = generate_data()
        db.session.commit()
        # As the autovacuum daemon would after a season's registrations: plans need statistics.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        print(f"  generated {created} in {time.perf_counter() - started:.1f} s", flush=True)
    return app


def signed_in_client(app: Flask):
    client = app.test_client()
    client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1]})
    client.set_cookie("lang", "vi")
    return client


def measure(client, engine, path: str, runs: int) -> tuple[float, float, str, bytes]:
    """p50 and p95 server time in ms, the statement counts seen and the last body."""
    times, queries, body = [], set(), b""
    for attempt in range(runs + 2):
        with counting_queries(engine) as statements:
            began = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - began
        assert response.status_code == 200, (path, response.status_code)
        if attempt >= 2:  # the first two warm caches
            times.append(elapsed * 1000)
            queries.add(len(statements))
            body = response.data
    counts = "/".join(str(q) for q in sorted(queries))
    return statistics.median(times), percentile(times, 0.95), counts, body


def run(url: str, runs: int, only: str | None = None) -> list[tuple]:
    app = prepared_app(url, lambda: generate(YEAR))
    with app.app_context():
        province = db.session.scalar(sa.select(Unit.id).where(Unit.code == "06"))
        district = db.session.scalar(sa.select(Unit.id).where(Unit.code == "060"))
        commune = db.session.scalar(sa.select(Unit.id).where(Unit.code == "01858"))
        engine = db.engine
    client = signed_in_client(app)
    rows = []

    def add(name: str, unit_name: str, path: str) -> None:
        p50, p95, counts, body = measure(client, engine, path, runs)
        rows.append((name, unit_name, p50, p95, counts, len(body)))

    for unit_name, unit_id in (("province", province), ("district", district)):
        for name, suffix in VIEWS:
            if only and not name.startswith(only):
                continue
            if suffix is None:
                if unit_name != "province":
                    continue
                path = f"/coverage/{YEAR}/{commune}/entries"
            else:
                path = f"/coverage/{YEAR}/{unit_id}{suffix}"
            for submitted in ("", "submitted=1"):
                joined = f"{path}{'&' if '?' in path else '?'}{submitted}" if submitted else path
                add(f"{name}{' +submitted' if submitted else ''}", unit_name, joined)
    # The home page of the province's administrator carries the coverage chart.
    add("dashboard (chart)", "province", "/")
    with app.app_context():
        db.engine.dispose()
    return rows


def report(label: str, rows: list[tuple]) -> None:
    print(f"\n{label}")
    print(f"{'view':28} {'unit':9} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'bytes':>8}")
    for name, unit, p50, p95, queries, size in rows:
        print(f"{name:28} {unit:9} {p50:8.1f} {p95:8.1f} {queries:>8} {size:8d}")


def main(run=run, doc: str = __doc__) -> None:
    """Run the benchmark `run(url, runs)` on SQLite and, when asked, on PostgreSQL."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgresql", help="a PostgreSQL server URL to create a database on")
    parser.add_argument("--only", help="only the views whose name starts with this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite", flush=True)
        report("SQLite", run(f"sqlite:///{tmp}/bench.db", args.runs, args.only))
    if args.postgresql:
        print("PostgreSQL", flush=True)
        with postgres_database(args.postgresql) as url:
            report(
                "PostgreSQL",
                run(url.replace("postgresql://", "postgresql+psycopg://"), args.runs, args.only),
            )


if __name__ == "__main__":
    main()
