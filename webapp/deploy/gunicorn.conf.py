"""gunicorn's settings for production (`make serve-production` passes this file with -c).

Threaded workers (gthread): a connection is read by a selector before a thread takes it, and
nginx in front (nginx.conf) buffers whole requests and responses, so a slow client holds an
nginx connection, never a worker. Environment: BIND (127.0.0.1:8000; a unix socket as
unix:/run/webapp.sock), WEB_CONCURRENCY (processes, default one per core),
GUNICORN_THREADS (threads per process, default 8), FORWARDED_ALLOW_IPS (the proxies gunicorn
itself believes about the scheme, default 127.0.0.1)."""

import gc
import os

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
