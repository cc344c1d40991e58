"""The pages editors and reviewers use most send a fixed number of SQL statements, whatever
the amount of data: each is counted on the demo with every 2017 entry doubled (90 entries, so
that likely duplicates exist too), then again with each copied ten times (495 entries, the
same lists, units and people). bench/signed_in.py times the same pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from bench.signed_in import page_ids, pages
from webapp.extensions import db as _db
from webapp.registrations.models import Entry
from webapp.seed.loader import DEMO_ACCOUNTS


def _copy_entries(times: int, *, first: int = 0) -> int:
    """Every demo entry (the first 45) copied `times` over, in its list, with its partners;
    how many entries there are now."""
    entries = Entry.__table__
    partners = Entry.partners.property.secondary
    entry_column = next(c for c in partners.c if c.references(entries.c.id))
    rows = [
        dict(row)
        for row in _db.session.execute(
            sa.select(entries).order_by(entries.c.id).limit(45)
        ).mappings()
    ]
    links = [dict(row) for row in _db.session.execute(sa.select(partners)).mappings()]
    for copy in range(first, first + times):
        for row in rows:
            fresh = {k: v for k, v in row.items() if k != "id"} | {"name": f"{row['name']} {copy}"}
            new_id = _db.session.execute(sa.insert(entries).values(fresh)).inserted_primary_key[0]
            for link in links:
                if link[entry_column.name] == row["id"]:
                    _db.session.execute(
                        sa.insert(partners).values(link | {entry_column.name: new_id})
                    )
    _db.session.commit()
    return _db.session.scalar(sa.select(sa.func.count()).select_from(entries))


def _counts(app, ids: dict) -> dict[tuple[str, str], tuple[int, int]]:
    passwords = {account.username: account.password for account in DEMO_ACCOUNTS}
    clients = {}
    seen = [0]

    def count(*_args) -> None:
        seen[0] += 1

    found = {}
    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        for account, path in pages(ids):
            if account not in clients:
                client = clients[account] = app.test_client()
                data = {"username": account, "password": passwords[account]}
                assert client.post("/login", data=data).status_code == 303
            clients[account].get(path)  # first use: catalogs and per-process caches
            seen[0] = 0
            status = clients[account].get(path).status_code
            found[(account, path)] = (status, seen[0])
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return found


def test_signed_in_pages_send_as_many_statements_for_ten_times_the_entries(app, seeded):
    with app.app_context():
        ids = page_ids()
        assert _copy_entries(1) == 90
        small = _counts(app, ids)
        assert _copy_entries(9, first=1) == 495
        large = _counts(app, ids)
        _db.session.remove()
    assert all(status == 200 for status, _ in small.values()), small
    assert large == small
