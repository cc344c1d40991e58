"""The production configuration started for real, for tests/test_production.py and
bench/production_load.py: app nodes under gunicorn with webapp/deploy/gunicorn.conf.py, nginx
with the shipped configuration (webapp/deploy/nginx.conf) on loopback, on free ports, each in
its own process group; and a small HTTP client that keeps cookies like a browser."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from webapp import ROOT
from webapp.deploy import nginx as nginx_site

GUNICORN = Path(sys.executable).with_name("gunicorn")
GUNICORN_CONF = ROOT / "webapp" / "deploy" / "gunicorn.conf.py"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (str(p) for p in (Path("/usr/sbin/nginx"),) if p.exists()), None
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open in {timeout} s:\n{log.read_text()[-3000:]}")


def production_env(database_url: str, redis_url: str | None, attachments: Path) -> dict[str, str]:
    """The environment of a production node, as an operator's env file would give it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WEBAPP_", "PYTEST", "COV_"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "WEBAPP_PRODUCTION": "true",
        "WEBAPP_PROXY_FIX": "1",
        "WEBAPP_ATTACHMENTS_DIR": str(attachments),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


class Process:
    """A server in its own process group, its output in a log file."""

    def __init__(self, command: list[str], env: dict, log: Path, port: int) -> None:
        self.log, self.port = log, port
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        wait_for_port(self.port, self.popen, self.log)

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGINT)  # quick shutdown (gunicorn, nginx)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


@contextmanager
def _running(processes: list[Process]) -> Iterator[None]:
    """Started together, ready when all listen; stopped in reverse order."""
    try:
        for process in processes:
            process.wait_ready()
        yield
    finally:
        for process in reversed(processes):
            process.stop()


def gunicorn(env: dict, workdir: Path, name: str, *, workers: int = 1, threads: int = 8):
    """One app node (started, maybe not listening yet)."""
    port = free_port()
    command = [str(GUNICORN), "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads)]
    return Process(command, env, workdir / f"{name}.log", port)


def standalone_nginx_conf(site: str, workdir: Path) -> str:
    """nginx's main configuration around the shipped site: in the foreground, its files in
    workdir, so it runs beside any system nginx."""
    temp = "\n".join(f"    {kind}_temp_path {workdir / kind};" for kind in ("client_body", "proxy"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
{temp}
    fastcgi_temp_path {workdir / "fastcgi"};
    uwsgi_temp_path {workdir / "uwsgi"};
    scgi_temp_path {workdir / "scgi"};
{site}
}}
"""


def nginx(nodes: list[str], workdir: Path) -> Process:
    """nginx with the shipped configuration in front of the nodes (started)."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(
        standalone_nginx_conf(nginx_site.render(nodes, listen=f"127.0.0.1:{port}"), workdir)
    )
    command = [binary, "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "nginx.log")]
    return Process(command, dict(os.environ), workdir / "nginx.out", port)


@dataclass
class Cluster:
    url: str  # nginx
    nodes: list[str]  # host:port of each gunicorn

    def node_url(self, index: int) -> str:
        return f"http://{self.nodes[index]}"


@contextmanager
def cluster(
    env: dict, workdir: Path, *, nodes: int = 2, workers: int = 1, threads: int = 8
) -> Iterator[Cluster]:
    """App nodes (started at once) behind nginx."""
    servers = [
        gunicorn(env, workdir, f"node{i}", workers=workers, threads=threads) for i in range(nodes)
    ]
    front = nginx([f"127.0.0.1:{server.port}" for server in servers], workdir)
    with _running([*servers, front]):
        yield Cluster(f"http://127.0.0.1:{front.port}", [f"127.0.0.1:{s.port}" for s in servers])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """Cookies kept per browser (not per port: a browser sees one site behind nginx)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def copy(self) -> Browser:
        return Browser(dict(self.cookies))

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    expired = morsel["max-age"] == "0" or morsel.value == ""
                    if expired:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(answer.status, dict(answer.headers.items()), data)
        finally:
            connection.close()

    def get(self, url: str, **headers) -> Response:
        return self.request("GET", url, headers=headers)

    def token(self, url: str) -> str:
        match = _TOKEN.search(self.get(url).text)
        assert match, f"no CSRF token on {url}"
        return match.group(1) or match.group(2)

    def post(self, url: str, data: dict, *, token_from: str | None = None) -> Response:
        base = url.split("/", 3)
        data = {"csrf_token": self.token(token_from or "/".join(base[:3]) + "/login")} | data
        body = urllib.parse.urlencode(data).encode()
        return self.request(
            "POST", url, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def post_file(
        self, url: str, fields: dict, filename: str, content: bytes, token_from: str
    ) -> Response:
        boundary = secrets.token_hex(12)
        fields = {"csrf_token": self.token(token_from)} | fields
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
            "\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST", url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def sign_in(self, base: str, username: str, password: str) -> Response:
        return self.post(f"{base}/login", {"username": username, "password": password})
