"""`flask jobs worker`: run the background exports queued in Redis; `flask jobs prune`: forget
old ones and their files (the worker also prunes after each job)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.extensions import db
from webapp.jobs import services

jobs_cli = AppGroup("jobs", help="Background exports.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run the exports waiting in REDIS_URL's queue, one at a time, each in a child process
    (the memory a national spreadsheet takes is given back after it)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "REDIS_URL is not set: without Redis every export runs in the request that asks "
            "for it, and no worker is needed."
        )
    import redis
    from rq import Worker

    class AppWorker(Worker):
        def main_work_horse(self, job, queue):
            # The child shares the parent's pooled database connections after fork(): leave
            # them to the parent and open its own (SQLAlchemy's advice for forked processes).
            db.engine.dispose(close=False)
            super().main_work_horse(job, queue)

    services.prune()
    db.session.commit()
    # No socket timeout: the worker waits on the queue for minutes at a time.
    connection = redis.Redis.from_url(url)
    AppWorker([services.QUEUE], connection=connection).work(burst=burst)


@jobs_cli.command("prune")
def prune() -> None:
    """Forget the exports older than EXPORT_JOB_KEEP_DAYS, with their files."""
    forgotten = services.prune()
    db.session.commit()
    click.echo(f"{forgotten} old export(s) forgotten.")
