"""Load on the production configuration beside `make run`: 60 s at 50 connections (Debian's
wrk) on the public guidance index (/pages) and a signed-in registration list page, against

- production: nginx (the shipped configuration) in front of two gunicorn nodes
  (webapp/deploy/gunicorn.conf.py: 1 process × 8 threads each), PostgreSQL, Redis;
- `make run`: gunicorn with 2 sync workers on SQLite, no proxy;

both holding the demo data of `flask seed --demo` (the demo accounts get a password of the
run, as production refuses the README's). Prints requests/s, p50/p99 latency and errors
(non-2xx/3xx answers and socket errors) per page.

    .venv/bin/python bench/production_load.py \\
        --postgresql postgresql://postgres@127.0.0.1:5432/test [--redis redis://127.0.0.1:6379/15]
        [--duration 60] [--connections 50] [--only production|sqlite]

wrk runs on the same machine and takes CPU from the servers; the load average before and
after is printed so a busy machine shows. A benchmark, not a test: nothing fails on time.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.coverage import postgres_database  # noqa: E402
from tests import production as prod  # noqa: E402
from tests.scenario import load_demo  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.registrations.models import Entry, RegistrationList  # noqa: E402
from webapp.seed.loader import DEMO_ACCOUNTS  # noqa: E402

EDITOR = "mttq.pacnam"  # district editor of Pác Nặm, every organization
PASSWORD = f"bench-{secrets.token_urlsafe(12)}"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def prepare(database_url: str, attachments: Path) -> str:
    """Migrate, load the demo, give the demo accounts this run's password; the path of the
    largest 2017 list."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ATTACHMENTS_DIR": str(attachments),
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        names = [account.username for account in DEMO_ACCOUNTS]
        for user in db.session.scalars(sa.select(User).where(User.username.in_(names))):
            user.set_password(PASSWORD)
        list_id = db.session.scalar(
            sa.select(RegistrationList.id)
            .join(Entry, Entry.list_id == RegistrationList.id)
            .group_by(RegistrationList.id)
            .order_by(sa.func.count().desc(), RegistrationList.id)
            .limit(1)
        )
        db.session.commit()
        db.engine.dispose()
    return f"/registrations/lists/{list_id}"


def wrk(url: str, cookie: str | None, duration: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    command += ["-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def number(pattern: str) -> float:
        match = re.search(pattern, out)
        return float(match.group(1)) if match else 0.0

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        return float(match.group(1)) * _UNITS[match.group(2)]

    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(number(r"Non-2xx or 3xx responses: (\d+)"))
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    return {
        "requests": int(number(r"(\d+) requests in")),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors,
    }


def measure(name: str, base: str, list_path: str, args) -> list[tuple]:
    browser = prod.Browser()
    signed = browser.sign_in(base, EDITOR, PASSWORD)
    assert signed.status == 303, f"{name}: sign-in answered {signed.status}"
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    for path, who in (("/pages", prod.Browser()), (list_path, browser)):
        answer = who.get(f"{base}{path}")
        assert answer.status == 200, f"{name}: {path} answered {answer.status}"
    rows = []
    for label, path, jar in (
        ("public /pages", "/pages", None),
        ("signed-in list", list_path, cookie),
    ):
        load = os.getloadavg()[0]
        result = wrk(f"{base}{path}", jar, args.duration, args.connections)
        rows.append((name, label, result, load))
        print(
            f"  {name:<11} {label:<15} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms"
            f"  p99 {result['p99']:7.1f} ms  errors {result['errors']}  ({result['requests']}"
            f" requests; load before {load:.1f})",
            flush=True,
        )
    return rows


def run_production(args, workdir: Path) -> list[tuple]:
    redis.Redis.from_url(args.redis).flushdb()
    with postgres_database(
        args.postgresql.replace("postgresql+psycopg://", "postgresql://")
    ) as url:
        attachments = workdir / "attachments"
        list_path = prepare(url, attachments)
        env = prod.production_env(url, args.redis, attachments)
        with prod.cluster(env, workdir, nodes=2, workers=1, threads=8) as cluster:
            return measure("production", cluster.url, list_path, args)


def run_sqlite(args, workdir: Path) -> list[tuple]:
    url = f"sqlite:///{workdir / 'webapp.db'}"
    list_path = prepare(url, workdir / "attachments-sqlite")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBAPP_")}
    env |= {"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48)}
    env["WEBAPP_ATTACHMENTS_DIR"] = str(workdir / "attachments-sqlite")
    port = prod.free_port()
    # As `make run` starts it (Makefile: --workers 2, sync workers), minus the access log.
    command = [str(prod.GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    server = prod.Process([*command, "webapp:create_app()"], env, workdir / "run.log", port)
    try:
        server.wait_ready()
        return measure("make run", f"http://127.0.0.1:{port}", list_path, args)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", help="a PostgreSQL URL whose server may get a database")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--only", choices=("production", "sqlite"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    print(f"{args.duration} s at {args.connections} connections; CPUs: {os.cpu_count()}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-production-") as tmp:
        workdir = Path(tmp)
        if args.only != "sqlite":
            if not args.postgresql:
                sys.exit("--postgresql URL is needed for the production configuration")
            rows += run_production(args, workdir)
        if args.only != "production":
            rows += run_sqlite(args, workdir)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if any(result["errors"] for _, _, result, _ in rows):
        sys.exit("errors: see above")


if __name__ == "__main__":
    main()
