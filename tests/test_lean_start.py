"""What a serving worker loads: the public pages and the app itself never import the document,
spreadsheet, Markdown or migration libraries (each is imported by the code that uses it), so
every worker starts sooner and holds less (issue 18). Checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from webapp import ROOT

HEAVY = ("docx", "xlsxwriter", "markdown_it", "alembic", "flask_migrate", "redis", "PIL", "lxml")

_PROBE = textwrap.dedent(
    """
    import json, sys, tempfile
    from pathlib import Path
    from webapp import create_app
    from webapp.extensions import db

    folder = Path(tempfile.mkdtemp())
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'probe.db'}",
        "SECRET_KEY": "probe",
        "ATTACHMENTS_DIR": str(folder / "attachments"),
    })
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [client.get(url).status_code for url in ("/pages", "/pages/nothing-here", "/login")]
    print(json.dumps({"statuses": statuses, "loaded": sorted(
        name for name in sys.modules if name.split(".")[0] in %r)}))
    """
)


def test_the_app_and_its_public_pages_load_no_heavy_library():
    probe = _PROBE % (HEAVY,)
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["statuses"] == [200, 404, 200]
    assert found["loaded"] == []
