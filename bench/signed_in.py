"""The pages editors and reviewers use most, signed in, in-process (Flask's test client, no
server or network): for each, the SQL statements one request sends and the time of N requests
(p50/p95). Needs a database holding the demo (`flask seed --demo`, or bench/speed_site.py on
PostgreSQL); the demo accounts get this run's password.

    .venv/bin/python bench/signed_in.py postgresql://postgres@127.0.0.1:5432/speed_bench [-n 20]

A benchmark, not a test: tests/test_query_counts.py bounds the counts against data size."""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.registrations.models import Entry, RegistrationList  # noqa: E402
from webapp.seed.loader import DEMO_ACCOUNTS  # noqa: E402
from webapp.units.models import Unit  # noqa: E402

YEAR = 2017


def page_ids() -> dict:
    """The demo's units and its largest list (in an app context)."""

    def unit(code: str) -> int:
        return db.session.scalar(sa.select(Unit.id).where(Unit.code == code).limit(1))

    biggest = db.session.execute(
        sa.select(RegistrationList.id, RegistrationList.unit_id)
        .join(Entry, Entry.list_id == RegistrationList.id)
        .group_by(RegistrationList.id, RegistrationList.unit_id)
        .order_by(sa.func.count().desc(), RegistrationList.id)
        .limit(1)
    ).one()
    return {
        "province": unit("06"),
        "district": unit("060"),
        "commune": unit("01858"),
        "list": biggest.id,
        "list_unit": biggest.unit_id,
    }


def pages(ids: dict) -> list[tuple[str, str]]:
    """(account, path): the ten pages, as the people who use them most."""
    return [
        ("editor.pacnam", "/"),
        ("mttq.pacnam", f"/registrations/lists/{ids['list']}"),
        ("mttq.pacnam", f"/registrations/{YEAR}/{ids['list_unit']}"),
        ("reviewer.pacnam", "/notifications"),
        ("reviewer.pacnam", "/"),
        ("reviewer.pacnam", "/review"),
        ("reviewer.pacnam", f"/coverage/{YEAR}/{ids['district']}"),
        ("reviewer.pacnam", f"/coverage/{YEAR}/{ids['district']}/summary"),
        ("reviewer.pacnam", f"/reports/{YEAR}/{ids['district']}"),
        ("admin", f"/coverage/{YEAR}/{ids['province']}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("-n", type=int, default=20, help="requests per page")
    args = parser.parse_args()
    password = f"bench-{secrets.token_urlsafe(12)}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ATTACHMENTS_DIR": tempfile.mkdtemp(prefix="signed-in-"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        names = [account.username for account in DEMO_ACCOUNTS]
        for user in db.session.scalars(sa.select(User).where(User.username.in_(names))):
            user.set_password(password)
        db.session.commit()
        engine = db.engine
        ids = page_ids()
    clients = {}
    counted = [0]

    def seen(*_args) -> None:
        counted[0] += 1

    event.listen(engine, "before_cursor_execute", seen)
    print(f"{'page':<48} {'as':<16} {'status':>6} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for account, path in pages(ids):
        if account not in clients:
            client = clients[account] = app.test_client()
            signed = client.post("/login", data={"username": account, "password": password})
            assert signed.status_code == 303, (account, signed.status_code)
        client = clients[account]
        client.get(path)  # warm: catalogs, first-use caches
        counted[0] = 0
        status = client.get(path).status_code
        queries = counted[0]
        times = []
        for _ in range(args.n):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{path:<48} {account:<16} {status:>6} {queries:>7} "
            f"{statistics.median(times):>7.1f} {p95:>7.1f}"
        )
    event.remove(engine, "before_cursor_execute", seen)


if __name__ == "__main__":
    main()
