"""The pages editors and reviewers use most send a fixed number of SQL statements, whatever
the amount of data: each is counted on the demo with every 2017 entry doubled (90 entries, so
that likely duplicates exist too), then again with each copied ten times (495 entries, the
same lists, units and people). bench/signed_in.py times the same pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from bench.signed_in import page_ids, pages
from webapp.auth.models import User
from webapp.extensions import db as _db
from webapp.notifications.models import Notification, NotificationKind
from webapp.registrations.models import Entry, RegistrationList
from webapp.seed.loader import DEMO_ACCOUNTS


class Statements:
    """Counts the SQL statements the app sends while open."""

    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


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
    found = {}
    for account, path in pages(ids):
        if account not in clients:
            client = clients[account] = app.test_client()
            data = {"username": account, "password": passwords[account]}
            assert client.post("/login", data=data).status_code == 303
        clients[account].get(path)  # first use: catalogs and per-process caches
        with Statements(_db.engine) as seen:
            status = clients[account].get(path).status_code
        found[(account, path)] = (status, seen.count)
    return found


def test_signed_in_pages_send_as_many_statements_for_ten_times_the_entries(app, seeded):
    with app.app_context():
        ids = page_ids()
        # The season's 45 entries, and one replicating a model in a 2018 list (demo_more).
        assert _copy_entries(1) == 46 + 45
        small = _counts(app, ids)
        assert _copy_entries(9, first=1) == 46 + 450
        large = _counts(app, ids)
        _db.session.remove()
    assert all(status == 200 for status, _ in small.values()), small
    assert all(status == 200 for status, _ in large.values()), large
    grown = {page: (small[page][1], large[page][1]) for page in small if large[page] > small[page]}
    assert not grown, grown


def _notify_about(user_id: int, lists: list[RegistrationList]) -> None:
    """The user's notifications replaced by one "submitted" notice per list (another unit,
    organization and entry each)."""
    _db.session.execute(sa.delete(Notification).where(Notification.user_id == user_id))
    for registration_list in lists:
        _db.session.add(
            Notification(
                user_id=user_id,
                kind=NotificationKind.SUBMITTED,
                list_id=registration_list.id,
                entry_id=registration_list.entries[0].id,
                actor_id=registration_list.entries[0].created_by_id,
            )
        )
    _db.session.commit()


def test_notifications_send_as_many_statements_for_five_times_the_subjects(app, seeded):
    account = next(a for a in DEMO_ACCOUNTS if a.username == "reviewer.pacnam")
    client = app.test_client()
    data = {"username": account.username, "password": account.password}
    assert client.post("/login", data=data).status_code == 303
    counts = []
    with app.app_context():
        user_id = _db.session.scalar(sa.select(User.id).where(User.username == account.username))
        lists = _db.session.scalars(
            sa.select(RegistrationList)
            .where(RegistrationList.entries.any())
            .order_by(RegistrationList.id)
        ).all()
        assert len({rl.unit_id for rl in lists}) >= 5
        for shown in (lists[:3], lists):
            _notify_about(user_id, shown)
            client.get("/notifications")
            with Statements(_db.engine) as seen:
                page = client.get("/notifications")
            assert page.status_code == 200
            html = page.get_data(as_text=True)
            # Each unread notification opens through its own form.
            assert html.count('/read"') >= len(shown)
            counts.append(seen.count)
        _db.session.remove()
    assert counts[1] <= counts[0], counts  # the smaller page may even need one more
