"""National-scale benchmark: a year of the whole country (or one province) on PostgreSQL, and the
server time (p50/p95), SQL statements and memory of the views that aggregate it, for the
national root, a province (Thái Nguyên, 19) and a commune, side by side for the two scales.

    .venv/bin/python bench/national.py --postgresql URL [--scale province|country|both]
        [--runs 5] [--entries 5] [--years 3] [--keep] [--reuse URL] [--scope commune]

The data: the 2025 structure (`flask seed --province 19` or `--country`), two hamlets per
commune, and for each of the last `--years` years every current commune × every member
organization with a list of about `--entries` entries (3,321 × 10 × 5 ≈ 170,000 a year for the
country), review decisions for the decided entries, half-year and annual reports with their
lines and figures. All of it by bulk INSERTs (SQLAlchemy Core), so a national run takes minutes.
The years before 2025 are made on the 2025 communes: a volume of history, not a faithful one.

Server time is measured around the Flask test client's request. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import resource
import sys
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

from bench.coverage import bench_app, measure, postgres_database  # noqa: E402
from bench.province_data import generate, hamlets  # noqa: E402
from bench.reports import generate_reports  # noqa: E402
from webapp.auth.models import Role, RoleAssignment, User  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.registrations.models import Entry, EntryState, RegistrationList  # noqa: E402
from webapp.review.models import Decision, ReviewDecision  # noqa: E402
from webapp.units.models import Level, Unit  # noqa: E402

YEAR = 2026
PROVINCE = "19"  # Thái Nguyên, with the old Bắc Kạn
COMMUNE = "01864"  # Xã Bằng Thành of 2025 (old Bằng Thành, Cao Tân, Bộc Bố…)
PASSWORD = "bench-password"
# (name, path under the unit; None: not at this scope). Search is the public pages' search.
VIEWS = (
    ("coverage matrix", "/coverage/{y}/{u}"),
    ("gap list", "/coverage/{y}/{u}/gaps"),
    ("aggregated list", "/coverage/{y}/{u}/summary"),
    ("aggregated list.xlsx", "/coverage/{y}/{u}/summary.xlsx"),
    ("consolidated report", "/reports/{y}/{u}/rollup?period=year"),
    ("completeness", "/reports/{y}/{u}/completeness?period=year"),
    ("overlaps", "/coverage/{y}/{u}/overlaps"),
    ("search", "/search?q=m%C3%B4+h%C3%ACnh"),
)
REVIEW_REASON = "Cần bổ sung địa điểm và kinh phí dự kiến."


def generate_reviews(year: int, reviewer_id: int | None, seed: int = 11) -> int:
    """A decision for every entry decided in the year: approved ones approved, returned ones
    returned with a reason (a share of approved ones first returned once)."""
    rng = random.Random(seed)
    decided = db.session.execute(
        sa.select(Entry.id, Entry.list_id, Entry.state)
        .join(RegistrationList)
        .where(
            RegistrationList.year == year,
            Entry.state.in_((EntryState.APPROVED, EntryState.RETURNED)),
        )
    ).all()
    at = datetime(year, 3, 1, tzinfo=UTC)
    rows = []
    for entry_id, list_id, state in decided:
        if state == EntryState.RETURNED or rng.random() < 0.15:
            rows.append(
                {
                    "entry_id": entry_id,
                    "list_id": list_id,
                    "decision": Decision.RETURNED,
                    "reason": REVIEW_REASON,
                    "decided_by_id": reviewer_id,
                    "decided_at": at,
                    "entry_version": 1,
                    "snapshot": {},
                }
            )
        if state == EntryState.APPROVED:
            rows.append(
                {
                    "entry_id": entry_id,
                    "list_id": list_id,
                    "decision": Decision.APPROVED,
                    "reason": None,
                    "decided_by_id": reviewer_id,
                    "decided_at": at,
                    "entry_version": 1,
                    "snapshot": {},
                }
            )
    for start in range(0, len(rows), 20_000):
        db.session.execute(sa.insert(ReviewDecision), rows[start : start + 20_000])
    return len(rows)


def bench_user(username: str, role: Role, unit: Unit) -> User:
    user = User(username=username, full_name=username, home_unit=unit)
    user.set_password(PASSWORD)
    user.roles.append(RoleAssignment(role=role, unit=unit))
    db.session.add(user)
    return user


def load_structure(app: Flask, scale: str) -> None:
    """The seed as a deployment runs it: Bắc Kạn's history, the campaign, then 2025."""
    args = ["seed", "--country"] if scale == "country" else ["seed", "--province", PROVINCE]
    result = app.test_cli_runner().invoke(args=args)
    if result.exit_code != 0:
        raise RuntimeError(result.output)


def generate_national(years: int = 3, entries_per_list: int = 5) -> dict[str, int]:
    """The data of `years` years up to YEAR on every current commune (see the module doc)."""
    communes = list(
        db.session.scalars(
            sa.select(Unit).where(Unit.level == Level.COMMUNE, Unit.valid_to.is_(None))
        )
    )
    areas = hamlets(communes)
    root = db.session.scalar(
        sa.select(Unit).where(
            Unit.level.in_((Level.COUNTRY, Level.PROVINCE)),
            Unit.parent_id.is_(None),
            Unit.valid_to.is_(None),
        )
    )
    reviewer = bench_user("bench.reviewer", Role.REVIEWER, root)
    db.session.flush()
    created: dict[str, int] = {"communes": len(communes)}
    for year in range(YEAR - years + 1, YEAR + 1):
        made = generate(year, entries_per_list=entries_per_list, seed=year, areas=areas)
        made["reviews"] = generate_reviews(year, reviewer.id, seed=year)
        made.update(generate_reports(year, seed=year))
        for what, n in made.items():
            if what != "communes":
                created[what] = created.get(what, 0) + n
        db.session.commit()
        print(f"    {year}: {made}", flush=True)
    return created


def prepared(
    url: str, scale: str, years: int, entries: int, *, reuse: bool = False
) -> tuple[Flask, dict, dict]:
    """The app on a new database filled for `scale`, or on one a run kept (`reuse`)."""
    app = bench_app(url)  # migrates a kept database to this code's schema (new indexes)
    with app.app_context():
        if not reuse:
            started = time.perf_counter()
            load_structure(app, scale)
            created = generate_national(years, entries)
            print(f"  {scale}: generated {created} in {time.perf_counter() - started:.0f} s")
        on_day = sa.and_(Unit.valid_to.is_(None), Unit.code.isnot(None))
        province = db.session.scalar(sa.select(Unit).where(on_day, Unit.code == PROVINCE))
        commune = db.session.scalar(sa.select(Unit).where(on_day, Unit.code == COMMUNE))
        root = db.session.scalar(sa.select(Unit).where(Unit.level == Level.COUNTRY))
        units = {"province": province.id, "commune": commune.id}
        if root is not None:
            units = {"national": root.id, **units}
        if not reuse:
            if root is not None:
                bench_user("bench.national", Role.ADMIN, root)
            bench_user("bench.province", Role.ADMIN, province)
            bench_user("bench.commune", Role.EDITOR, commune)
            db.session.commit()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
        sizes = {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in (
                "units",
                "registration_lists",
                "entries",
                "review_decisions",
                "progress_reports",
                "progress_lines",
            )
        }
        sizes["database"] = db.session.scalar(
            sa.text("SELECT pg_size_pretty(pg_database_size(current_database()))")
        )
    return app, units, sizes


def client_for(app: Flask, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code in (302, 303), (username, response.status_code)
    client.set_cookie("lang", "vi")
    return client


def peak_memory(client, path: str) -> float:
    """Python allocations at their peak during one request, MiB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    client.get(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def run(
    app: Flask, units: dict[str, int], runs: int, scopes: tuple[str, ...] | None = None
) -> dict[tuple[str, str], tuple]:
    rows = {}
    with app.app_context():
        engine = db.engine
        commune_list = db.session.scalar(
            sa.select(RegistrationList.id)
            .where(RegistrationList.unit_id == units["commune"], RegistrationList.year == YEAR)
            .order_by(RegistrationList.id)
            .limit(1)
        )
    users = {"national": "bench.national", "province": "bench.province", "commune": "bench.commune"}
    for scope, unit_id in units.items():
        if scopes and scope not in scopes:
            continue
        client = client_for(app, users[scope])
        views = list(VIEWS)
        if scope == "commune":
            views.append(("commune editor's list", f"/registrations/lists/{commune_list}"))
            views.append(("commune registrations", "/registrations/{y}/{u}"))
        for name, template in views:
            path = template.format(y=YEAR, u=unit_id)
            try:
                p50, p95, counts, body = measure(client, engine, path, runs)
            except AssertionError as error:
                status = error.args[0][1]
                # A national spreadsheet is a background job: the request answers with its page
                # (bench/export_jobs.py measures the job itself).
                outcome = "background job (303)" if status == 303 else f"fail {status}"
                rows[(name, scope)] = (None, None, outcome, 0, 0.0)
                continue
            rows[(name, scope)] = (p50, p95, counts, len(body), peak_memory(client, path))
            print(f"    {scope:9} {name:24} p50 {p50:8.1f} ms  q {counts}", flush=True)
    return rows


def report(results: dict[str, tuple[dict, dict]]) -> None:
    scales = list(results)
    print("\nData sizes")
    for scale in scales:
        print(f"  {scale}: {results[scale][1]}")
    keys = []
    for scale in scales:
        keys += [k for k in results[scale][0] if k not in keys]
    head = f"{'view':24} {'scope':9}"
    for scale in scales:
        head += f" | {scale[:8]:>8} p50 {'p95':>7} {'queries':>9} {'KB':>6} {'MiB':>5}"
    print("\n" + head)
    for key in keys:
        line = f"{key[0]:24} {key[1]:9}"
        for scale in scales:
            row = results[scale][0].get(key)
            if row is None or row[0] is None:
                line += f" | {(row[2] if row else '-'):>41}"
                continue
            p50, p95, counts, size, mib = row
            line += f" | {p50:12.1f} {p95:7.1f} {counts:>9} {size / 1024:6.0f} {mib:5.1f}"
        print(line)
    print(
        "\nmax RSS of this process:",
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB",
    )


@contextmanager
def database(base: str, keep: bool, reuse: str | None):
    """A new database on the server `base` (dropped after unless `keep`), or `reuse`."""
    if reuse:
        yield reuse
        return
    if not keep:
        with postgres_database(base) as url:
            yield url
        return
    import psycopg

    name = f"bench_national_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/?]*(\?|$)", rf"/{name}\1", base.rstrip("/"), count=1)
    print(f"  kept: --reuse {url}", flush=True)
    yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", required=True, help="a PostgreSQL server URL")
    parser.add_argument("--scale", choices=("province", "country", "both"), default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--entries", type=int, default=5, help="entries per list, on average")
    parser.add_argument("--keep", action="store_true", help="keep the database and print it")
    parser.add_argument("--reuse", help="measure on a database a --keep run left (one scale)")
    parser.add_argument(
        "--scope",
        action="append",
        choices=("national", "province", "commune"),
        help="measure only these scopes (repeatable); all by default",
    )
    args = parser.parse_args()
    scales = ("province", "country") if args.scale == "both" else (args.scale,)
    if args.reuse and len(scales) != 1:
        parser.error("--reuse measures one scale: give --scale")
    results = {}
    for scale in scales:
        print(scale, flush=True)
        with database(args.postgresql, args.keep, args.reuse) as url:
            app, units, sizes = prepared(
                url.replace("postgresql://", "postgresql+psycopg://"),
                scale,
                args.years,
                args.entries,
                reuse=bool(args.reuse),
            )
            results[scale] = (run(app, units, args.runs, args.scope), sizes)
            with app.app_context():
                db.engine.dispose()
    report(results)


if __name__ == "__main__":
    main()
