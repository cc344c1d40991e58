"""A PostgreSQL database for the speed comparison (issue 18): the demo of `flask seed --demo`
with its accounts on this run's password, and one published ~1,600-word Vietnamese guidance
page (the Wagtail peer's text when /tmp/peer has it). Prints the page's path, the env file to
serve it with (`set -a; . FILE; gunicorn -c webapp/deploy/gunicorn.conf.py`) and the password.

    .venv/bin/python bench/speed_site.py postgresql://postgres@127.0.0.1:5432/speed_bench
"""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from tests.scenario import load_demo  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.auth.models import User  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.pages import services  # noqa: E402
from webapp.pages.models import PageKind, PageState  # noqa: E402
from webapp.seed.loader import DEMO_ACCOUNTS  # noqa: E402
from webapp.units.models import Unit  # noqa: E402


def page_text() -> str:
    """The peer's page as Markdown-ish paragraphs, or ~1,600 words of our own."""
    script = Path("/work/shared/tools/peer_wagtail.sh")
    try:
        html = subprocess.run(
            ["bash", str(script), "text"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        html = ""
    paragraphs = [re.sub(r"<[^>]+>", "", p).strip() for p in re.split(r"</p>|</h\d>", html)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        sentence = (
            "Ban công tác Mặt trận ở khu dân cư hướng dẫn các hộ gia đình đăng ký công trình, "
            "phần việc tham gia xây dựng nông thôn mới và đô thị văn minh."
        )
        paragraphs = [" ".join([sentence] * 4) for _ in range(45)]
    return "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    args = parser.parse_args()
    password = f"bench-{secrets.token_urlsafe(12)}"
    secret = secrets.token_urlsafe(48)
    attachments = Path(tempfile.mkdtemp(prefix="speed-attachments-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SECRET_KEY": secret,
            "ATTACHMENTS_DIR": str(attachments),
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        names = [account.username for account in DEMO_ACCOUNTS]
        users = {
            u.username: u
            for u in db.session.scalars(sa.select(User).where(User.username.in_(names)))
        }
        for user in users.values():
            user.set_password(password)
        publisher = users["publisher.backan"]
        province = db.session.scalar(sa.select(Unit).where(Unit.parent_id.is_(None)))
        page = services.create_page(
            publisher,
            unit=province,
            parent=None,
            kind=PageKind.GUIDANCE,
            values=services.PageValues("Hướng dẫn đăng ký công trình", page_text()),
        )
        services.set_state(publisher, page, page.version, PageState.PUBLISHED)
        db.session.commit()
        path = page.path
        db.engine.dispose()
    env = Path(tempfile.mkdtemp(prefix="speed-env-")) / "env"
    env.write_text(
        f"DATABASE_URL={args.database_url}\nSECRET_KEY={secret}\nWEBAPP_PRODUCTION=true\n"
        f"WEBAPP_PROXY_FIX=1\nWEBAPP_ATTACHMENTS_DIR={attachments}\n"
        "REDIS_URL=redis://127.0.0.1:6379/14\n"
    )
    print(f"page: /pages/{path}\nenv: {env}\npassword: {password}")


if __name__ == "__main__":
    main()
