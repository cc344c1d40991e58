"""Fill in the shipped nginx configuration (nginx.conf beside this file):

    python -m webapp.deploy.nginx --server-name campaign.example.org --listen 80 \\
        --node 10.0.0.11:8000 --node 10.0.0.12:8000 > /etc/nginx/sites-available/webapp
"""

from __future__ import annotations

import argparse
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf")
STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"


def render(
    nodes: list[str],
    *,
    listen: str = "80",
    server_name: str = "_",
    static_root: Path = STATIC_ROOT,
) -> str:
    """The site configuration: nginx on `listen` in front of the app nodes (host:port or
    unix:/path of each gunicorn)."""
    if not nodes:
        raise ValueError("at least one app node")
    servers = "\n    ".join(f"server {node} max_fails=3 fail_timeout=10s;" for node in nodes)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {
        "UPSTREAM_SERVERS": servers,
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "STATIC_ROOT": str(static_root),
    }.items():
        text = text.replace(f"@{name}@", value)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", action="append", help="an app node, host:port (repeat)")
    parser.add_argument("--listen", default="80")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--static-root", type=Path, default=STATIC_ROOT)
    args = parser.parse_args(argv)
    print(
        render(
            args.node or ["127.0.0.1:8000"],
            listen=args.listen,
            server_name=args.server_name,
            static_root=args.static_root,
        ),
        end="",
    )


if __name__ == "__main__":
    main()
