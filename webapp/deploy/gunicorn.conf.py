"""gunicorn's settings for production (`make serve-production` passes this file with -c).

Threaded workers (gthread): a connection is read by a selector before a thread takes it, and
nginx in front (nginx.conf) buffers whole requests and responses, so a slow client holds an
nginx connection, never a worker. Environment: BIND (127.0.0.1:8000; a unix socket as
unix:/run/webapp.sock), WEB_CONCURRENCY (processes, default one per core),
GUNICORN_THREADS (threads per process, default 8), FORWARDED_ALLOW_IPS (the proxies gunicorn
itself believes about the scheme, default 127.0.0.1), JOBS_WORKERS (background export workers
the master starts beside the web workers when the app has Redis, default 1; 0 where they run
elsewhere)."""

import gc
import os
import subprocess
import sys

wsgi_app = "webapp:create_app()"
# The master loads the app once and forks the workers from it: they share its memory (copy on
# write) and start at once, and an app that cannot start stops the master, not each worker.
preload_app = True
bind = [os.environ.get("BIND", "127.0.0.1:8000")]
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request that takes longer is a bug or a stuck database: the worker is restarted.
timeout = 60
graceful_timeout = 30
# nginx keeps connections to the nodes open (upstream keepalive); idle ones wait in the
# selector, not in a thread.
keepalive = 30
# No `umask` here: gunicorn applies it to a unix socket, which nginx must still reach; the app
# creates its own files 0600 in 0700 folders.
accesslog = "-"
errorlog = "-"
# Restart each worker now and then, staggered, so that no slow leak grows for weeks.
max_requests = 5000
max_requests_jitter = 500
# Who may set X-Forwarded-Proto for gunicorn itself: nginx on this host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (gunicornc) is one path per user: several nodes on one host would
# share it; nothing here uses it.
control_socket_disable = True


def pre_fork(server, worker):
    # What the master loaded stays put: the collector does not touch (and so copy) those
    # pages in each worker.
    gc.freeze()


def post_fork(server, worker):
    """A database connection the master opened (the start-up checks) is never shared by two
    processes: each worker starts its own pools (SQLAlchemy's advice for forking)."""
    from webapp.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


# `flask jobs worker` processes (webapp/jobs) started by the master: they live and stop with it.
_job_workers: list[subprocess.Popen] = []


def when_ready(server):
    """With Redis, start the workers that run the long exports (a national spreadsheet) queued
    by the web workers: a fresh interpreter each (not a fork of the master's app)."""
    if not server.app.wsgi().config.get("REDIS_URL"):
        return  # without Redis a request runs its export itself
    command = [sys.executable, "-m", "flask", "--app", "webapp", "jobs", "worker"]
    for _ in range(int(os.environ.get("JOBS_WORKERS", "1"))):
        _job_workers.append(subprocess.Popen(command))


def on_exit(server):
    """RQ's warm stop: a worker lets the export it runs finish; one still busy after
    graceful_timeout is killed, and its work horse (a process group of its own) finishes the
    export alone."""
    for process in _job_workers:
        process.terminate()
    for process in _job_workers:
        try:
            process.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
