"""Two editors on one registration list at the same moment, each in a session (and thread) of
its own, on SQLite and PostgreSQL alike: a submit never leaves a draft entry behind in a
submitted list, and two adds never share a position.

The `_race` runs hold the first transaction open until the second is seen waiting for its lock
(so each interleaving is run, every time); the free runs start both at once, many times over,
as two people clicking would."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from tests import factories
from tests.factories import content, org
from tests.test_review import _race
from webapp.auth.models import Role
from webapp.registrations import services
from webapp.registrations.models import Entry, EntryState, ListState, RegistrationList

TRIALS = 24


def _values(name: str, unit) -> services.EntryValues:
    return services.EntryValues(
        kind="cong_trinh",
        name=name,
        content=content(1),
        location=unit,
        lead_organization=org("nong_dan"),
    )


def _draft_list(db, tree, year: int = 2027) -> tuple[int, int, int]:
    """A draft list of C1 with one entry, committed; its id and two editors' ids."""
    first, second = (factories.make_user(roles=[(Role.EDITOR, tree.c1)]) for _ in range(2))
    registration_list = services.start_list(first, tree.c1, org("nong_dan"), year)
    services.add_entry(first, registration_list, _values("Đường bê tông thôn Nà Mò", tree.c1))
    db.session.commit()
    return registration_list.id, first.id, second.id


def _submit(list_id: int, user_id: int):
    def work(session_db):
        from webapp.auth.models import User

        registration = session_db.session.get(RegistrationList, list_id)
        services.submit_list(session_db.session.get(User, user_id), registration)

    return work


def _add(list_id: int, user_id: int, name: str):
    def work(session_db):
        from webapp.auth.models import User

        registration = session_db.session.get(RegistrationList, list_id)
        services.add_entry(
            session_db.session.get(User, user_id), registration, _values(name, registration.unit)
        )

    return work


def _faults(db, list_id: int) -> list[str]:
    """What is wrong with the list as committed: draft entries in a submitted list, positions
    held by two entries."""
    db.session.expire_all()
    registration = db.session.get(RegistrationList, list_id)
    faults = []
    if registration.state != ListState.DRAFT:
        faults += [f"draft {e.name}" for e in registration.entries if e.state == EntryState.DRAFT]
    positions = [e.position for e in registration.entries]
    if len(set(positions)) != len(positions):
        faults.append(f"positions {positions}")
    return faults


def test_an_add_while_the_list_is_submitted_waits_and_is_refused(app, db, tree, campaign):
    list_id, first, second = _draft_list(db, tree)
    db.session.remove()
    outcomes, waited_in = _race(
        app, ("submit", _submit(list_id, first)), ("add", _add(list_id, second, "Mô hình bò"))
    )
    assert waited_in is not None, "the add never waited for the submit"
    assert outcomes["submit"] == "done" and outcomes["add"] != "done", outcomes
    assert _faults(db, list_id) == []
    registration = db.session.get(RegistrationList, list_id)
    assert registration.state == ListState.SUBMITTED
    assert [e.state for e in registration.entries] == [EntryState.SUBMITTED]


def test_a_submit_while_an_entry_is_added_sends_the_new_entry_too(app, db, tree, campaign):
    list_id, first, second = _draft_list(db, tree)
    db.session.remove()
    outcomes, waited_in = _race(
        app, ("add", _add(list_id, second, "Mô hình bò")), ("submit", _submit(list_id, first))
    )
    assert waited_in is not None, "the submit never waited for the add"
    assert outcomes == {"add": "done", "submit": "done"}, outcomes
    assert _faults(db, list_id) == []
    registration = db.session.get(RegistrationList, list_id)
    assert [e.state for e in registration.entries] == [EntryState.SUBMITTED] * 2


def test_two_adds_at_once_take_the_next_positions_in_turn(app, db, tree, campaign):
    list_id, first, second = _draft_list(db, tree)
    db.session.remove()
    outcomes, waited_in = _race(
        app, ("one", _add(list_id, first, "Một")), ("two", _add(list_id, second, "Hai"))
    )
    assert waited_in is not None, "the second add never waited for the first"
    assert outcomes == {"one": "done", "two": "done"}, outcomes
    positions = db.session.execute(
        sa.select(Entry.name, Entry.position).where(Entry.list_id == list_id).order_by(Entry.id)
    ).all()
    assert [tuple(row) for row in positions] == [
        ("Đường bê tông thôn Nà Mò", 1),
        ("Một", 2),
        ("Hai", 3),
    ]


def _at_once(app, *works) -> None:
    """Run each work in a session and thread of its own, released together."""
    start = threading.Barrier(len(works))

    def run(work) -> None:
        with app.app_context():
            from webapp.extensions import db as session_db

            start.wait(10)
            try:
                work(session_db)
                session_db.session.commit()
            except Exception:  # refused or stale: the other was first; only the data counts
                session_db.session.rollback()
            finally:
                session_db.session.remove()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


def test_submits_and_adds_at_once_never_leave_a_fault(app, db, tree, campaign):
    """Free runs, as the probe that found the fault did (SQLite before the write lock: a
    submitted list holding a draft entry, or two entries at one position, in most runs)."""
    faults = {}
    for trial in range(TRIALS):
        list_id, first, second = _draft_list(db, tree, year=2030 + trial)
        db.session.remove()
        if trial % 2:
            _at_once(app, _add(list_id, first, "Một"), _add(list_id, second, "Hai"))
        else:
            _at_once(app, _submit(list_id, first), _add(list_id, second, "Mô hình bò"))
        if found := _faults(db, list_id):
            faults[trial] = found
    assert faults == {}, f"{len(faults)} of {TRIALS} runs: {faults}"


def test_reading_a_list_while_its_submit_holds_the_lock_does_not_wait(
    app, db, tree, campaign, login_as
):
    """Reads take no lock: the list's page answers while a submit of it is under way (on
    SQLite, while another session holds the database's write lock)."""
    client, _viewer = login_as(Role.EDITOR, tree.c1)
    # The first page after signing in stores the session's new CSRF token: a write, which
    # would wait for the lock. Later pages only read the session (touched once a minute).
    client.get("/")
    list_id, first, _second = _draft_list(db, tree)
    db.session.remove()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with app.app_context():
            from webapp.extensions import db as session_db

            _submit(list_id, first)(session_db)
            session_db.session.flush()
            holding.set()
            release.wait(30)
            session_db.session.rollback()
            session_db.session.remove()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30)
        response = client.get(f"/registrations/lists/{list_id}")
        still_held = holder.is_alive()
    finally:
        release.set()
        holder.join(30)
    assert response.status_code == 200 and still_held
    assert "Đường bê tông thôn Nà Mò" in response.get_data(as_text=True)
