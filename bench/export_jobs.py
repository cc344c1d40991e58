"""Background exports against the old way, on a national database that `bench/national.py
--keep` left (PostgreSQL): the national aggregated list's spreadsheet made inside the request
(server time, Python's peak allocations) against the request that queues it, then the job run by
a real `flask jobs worker --burst` (its time, its largest process's memory), the progress the job
page showed meanwhile, and the file read back (one row per entry).

    .venv/bin/python bench/export_jobs.py --postgresql URL [--redis redis://127.0.0.1:6379/13]

It migrates the database and adds an admin of the national root (bench.jobs). A benchmark, not
a test.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.auth.models import Role, RoleAssignment, User  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.jobs import services as jobs  # noqa: E402
from webapp.jobs.models import ExportJob  # noqa: E402
from webapp.registrations.models import RegistrationList  # noqa: E402
from webapp.units.models import Level, Unit  # noqa: E402

USERNAME, PASSWORD = "bench.jobs", "bench-password"


def _largest_rss(pid: int) -> float:
    """The largest resident size, MiB, of the worker and its work horse (ps)."""
    listed = subprocess.run(
        ["ps", "-o", "rss=", "-p", str(pid), "--ppid", str(pid)], capture_output=True, text=True
    ).stdout.split()
    return max((int(kib) / 1024 for kib in listed), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    exports = tempfile.mkdtemp(prefix="bench-exports-")
    config = {
        "SQLALCHEMY_DATABASE_URI": args.postgresql,
        "REDIS_URL": args.redis,
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "EXPORTS_DIR": exports,
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
        root = db.session.scalar(sa.select(Unit).where(Unit.level == Level.COUNTRY))
        year = db.session.scalar(sa.select(sa.func.max(RegistrationList.year)))
        if db.session.scalar(sa.select(User).filter_by(username=USERNAME)) is None:
            user = User(username=USERNAME, full_name=USERNAME, home_unit=root)
            user.set_password(PASSWORD)
            user.roles.append(RoleAssignment(role=Role.ADMIN, unit=root))
            db.session.add(user)
            db.session.commit()
        path = f"/coverage/{year}/{root.id}/summary.xlsx"
        db.session.remove()
    client = app.test_client()
    assert (
        client.post("/login", data={"username": USERNAME, "password": PASSWORD}).status_code == 303
    )
    client.set_cookie("lang", "vi")

    app.config["EXPORT_JOB_MIN_COMMUNES"] = 10**9  # the old way: always in the request
    began = time.perf_counter()
    response = client.get(path)
    inline = time.perf_counter() - began
    assert response.status_code == 200, response.status_code
    tracemalloc.start()  # again, traced (several times slower)
    client.get(path)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"in the request: {inline:.2f} s, peak {peak:.0f} MiB, {len(response.data):,} bytes")

    app.config["EXPORT_JOB_MIN_COMMUNES"] = 500
    began = time.perf_counter()
    response = client.get(path)
    queued = time.perf_counter() - began
    assert response.status_code == 303, response.status_code
    job_id = int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))
    print(f"queued: {queued * 1000:.0f} ms for the request ({response.headers['Location']})")

    env = dict(os.environ, DATABASE_URL=args.postgresql, REDIS_URL=args.redis)
    env |= {"SECRET_KEY": "bench", "WEBAPP_EXPORTS_DIR": exports}
    command = [sys.executable, "-m", "flask", "--app", "webapp", "jobs", "worker", "--burst"]
    began = time.perf_counter()
    worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    seen, rss = [], 0
    while worker.poll() is None:
        fragment = client.get(f"/jobs/{job_id}/status").get_data(as_text=True)
        shown = re.search(r'max="(\d+)" value="(\d+)"', fragment)
        if shown:
            seen.append(f"{int(shown.group(2)):,}/{int(shown.group(1)):,}")
        for _ in range(4):
            rss = max(rss, _largest_rss(worker.pid))
            time.sleep(0.25)
    ran = time.perf_counter() - began
    # Sampled: getrusage(RUSAGE_CHILDREN) would count this process's own pages, which the
    # worker holds for an instant between fork and exec.
    print(f"worker: {ran:.1f} s (start included), largest process {rss:.0f} MiB RSS (sampled)")
    print(f"progress seen on the page: {', '.join(seen) or '(too fast)'}")
    print(f"status fragment: {len(client.get(f'/jobs/{job_id}/status').data)} bytes")

    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert job.state == "done", (job.state, job.error)
        from openpyxl import load_workbook

        book = load_workbook(jobs.stored_path(job), read_only=True)
        rows = book.worksheets[1].max_row
        print(
            f"file: {job.size:,} bytes, {rows:,} rows on the entries sheet, {job.total:,} entries"
        )


if __name__ == "__main__":
    main()
