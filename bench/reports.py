"""Result report benchmark: a full province (122 communes × 10 organizations, the registrations
of bench/province_data.py) with half-year and annual reports in mixed states, lines for every
approved entry and every figure filled; the server time (p50/p95), number of SQL statements and
gzipped size of the consolidated report, its spreadsheet and the completeness view, on SQLite
and, when a PostgreSQL URL is given, on PostgreSQL.

    .venv/bin/python bench/reports.py [--runs 20] [--postgresql postgresql://postgres@127.0.0.1:5432/test]

A benchmark, not a test: nothing here fails on time.
"""

from __future__ import annotations

import gzip
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.coverage import (  # noqa: E402
    YEAR,
    main,
    measure,
    prepared_app,
    signed_in_client,
)
from bench.province_data import generate  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.registrations.models import Entry, EntryState, RegistrationList  # noqa: E402
from webapp.reports.models import (  # noqa: E402
    LineStatus,
    Period,
    ProgressLine,
    ProgressReport,
    ReportFigure,
    ReportFigureValue,
    ReportState,
)
from webapp.units.models import Unit  # noqa: E402

# How the reports of a season stand: most accepted, some missing.
REPORT_WEIGHTS = {
    None: 2,  # not started
    ReportState.DRAFT: 1,
    ReportState.SUBMITTED: 2,
    ReportState.RETURNED: 1,
    ReportState.ACCEPTED: 6,
}
VIEWS = (("rollup", "/rollup"), ("rollup.xlsx", "/rollup.xlsx"), ("completeness", "/completeness"))


def generate_reports(year: int, seed: int = 7) -> dict[str, int]:
    """A report per (unit, organization) with approved entries, per period, in mixed states."""
    rng = random.Random(seed)
    approved = db.session.execute(
        sa.select(RegistrationList.unit_id, RegistrationList.organization_id, Entry.id)
        .join(Entry, Entry.list_id == RegistrationList.id)
        .where(RegistrationList.year == year, Entry.state == EntryState.APPROVED)
    ).all()
    pairs: dict[tuple[int, int], list[int]] = {}
    for unit_id, organization_id, entry_id in approved:
        pairs.setdefault((unit_id, organization_id), []).append(entry_id)
    sent = datetime(year, 6, 15, tzinfo=UTC)
    reports = []
    for (unit_id, organization_id), _entries in sorted(pairs.items()):
        for period in Period:
            state = rng.choices(list(REPORT_WEIGHTS), weights=list(REPORT_WEIGHTS.values()))[0]
            if state is None:
                continue
            was_sent = state != ReportState.DRAFT
            reports.append(
                {
                    "unit_id": unit_id,
                    "organization_id": organization_id,
                    "year": year,
                    "period": period,
                    "state": state,
                    "submitted_at": sent if was_sent else None,
                    "is_late": was_sent and rng.random() < 0.2,
                    "return_reason": "Thiếu số liệu" if state == ReportState.RETURNED else None,
                    "version": 1,
                }
            )
    db.session.execute(sa.insert(ProgressReport), reports)
    report_rows = db.session.execute(
        sa.select(ProgressReport.id, ProgressReport.unit_id, ProgressReport.organization_id).where(
            ProgressReport.year == year
        )
    ).all()
    figures = list(db.session.scalars(sa.select(ReportFigure.id)))
    lines, values = [], []
    for report_id, unit_id, organization_id in report_rows:
        for entry_id in pairs[(unit_id, organization_id)]:
            status = rng.choice(list(LineStatus))
            lines.append(
                {
                    "report_id": report_id,
                    "entry_id": entry_id,
                    "status": status,
                    "percent_done": 100 if status == LineStatus.COMPLETED else rng.randint(0, 90),
                    "money_people": rng.randint(0, 50) * 100_000,
                    "money_state": rng.randint(0, 50) * 1_000_000,
                    "money_other": rng.choice([None, rng.randint(0, 10) * 100_000]),
                    "workdays": rng.randint(0, 300),
                    "land_m2": rng.choice([None, rng.randint(0, 500)]),
                    "beneficiaries": rng.randint(0, 200),
                    "version": 1,
                }
            )
        values.extend(
            {"report_id": report_id, "figure_id": figure_id, "value": rng.randint(0, 40)}
            for figure_id in figures
        )
    db.session.execute(sa.insert(ProgressLine), lines)
    db.session.execute(sa.insert(ReportFigureValue), values)
    return {"reports": len(reports), "lines": len(lines), "figure values": len(values)}


def run(url: str, runs: int, only: str | None = None) -> list[tuple]:
    def data() -> dict[str, int]:
        return {**generate(YEAR), **generate_reports(YEAR)}

    app = prepared_app(url, data)
    with app.app_context():
        province = db.session.scalar(sa.select(Unit.id).where(Unit.code == "06"))
        district = db.session.scalar(sa.select(Unit.id).where(Unit.code == "060"))
        engine = db.engine
    client = signed_in_client(app)
    rows = []
    for unit_name, unit_id in (("province", province), ("district", district)):
        for name, suffix in VIEWS:
            if only and not name.startswith(only):
                continue
            for period in Period:
                path = f"/reports/{YEAR}/{unit_id}{suffix}?period={period.value}"
                p50, p95, counts, body = measure(client, engine, path, runs)
                label = f"{name} {period.value}"
                rows.append((label, unit_name, p50, p95, counts, len(gzip.compress(body))))
    with app.app_context():
        db.engine.dispose()
    return rows


if __name__ == "__main__":
    main(run, __doc__)
