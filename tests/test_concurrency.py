"""The one "save, or show the conflict" guard (`saving`) and the version checks under it.

Each capability's conflict pages are tested with the capability; these pin what every one of
them relies on: commit when the save went through, roll back and report when someone was
first or the service refused, and let anything else through untouched.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from webapp.campaign.models import Requirement
from webapp.concurrency import (
    StaleVersion,
    flush_or_stale,
    hidden_id,
    keep_typed,
    lock_current,
    saving,
)
from webapp.forms import Refused


class Nope(Refused):
    pass


def _rule(db) -> Requirement:
    return db.session.scalars(sa.select(Requirement).order_by(Requirement.id)).first()


def _saved_min_count(db, rule_id: int) -> int:
    return db.session.scalar(sa.select(Requirement.min_count).where(Requirement.id == rule_id))


def test_a_save_that_goes_through_is_committed(db, campaign):
    rule = _rule(db)
    with saving(Nope) as attempt:
        lock_current(rule, rule.version)
        rule.min_count = 7
        flush_or_stale(rule)
    assert attempt.saved and attempt.stale is None and attempt.refused is None
    db.session.rollback()  # nothing left to undo: it was committed
    assert _saved_min_count(db, rule.id) == 7


def test_a_save_against_another_version_is_rolled_back_and_reported(db, campaign):
    rule = _rule(db)
    seen, saved = rule.min_count, rule.version
    with saving() as attempt:
        rule.min_count = seen + 5  # typed, then the check finds a newer version
        lock_current(rule, saved - 1)
    assert not attempt.saved and attempt.stale.current is rule
    assert _saved_min_count(db, rule.id) == seen and rule.version == saved


def test_a_save_that_slipped_past_the_lock_is_caught_by_the_version_column(db, campaign):
    rule = _rule(db)
    seen = rule.min_count
    # Another writer bumps the row behind the session's back (no lock on SQLite).
    db.session.execute(
        sa.update(Requirement)
        .where(Requirement.id == rule.id)
        .values(version=Requirement.version + 1)
        .execution_options(synchronize_session=False)
    )
    with saving() as attempt:
        rule.min_count = seen + 1
        flush_or_stale(rule)
    assert attempt.stale is not None and attempt.stale.current is rule
    assert _saved_min_count(db, rule.id) == seen


def test_a_row_deleted_meanwhile_is_stale_with_nothing_current(db, campaign):
    rule = _rule(db)
    db.session.execute(sa.delete(Requirement).where(Requirement.id == rule.id))
    with saving() as attempt:
        lock_current(rule, rule.version)
    assert attempt.stale is not None and attempt.stale.current is None


def test_refusals_the_view_answers_are_rolled_back_and_handed_over(db, campaign):
    rule = _rule(db)
    seen = rule.min_count
    with saving(Nope) as attempt:
        rule.min_count = seen + 1
        db.session.flush()
        raise Nope("no", "min_count")
    assert attempt.stale is None and str(attempt.refused) == "no"
    assert attempt.refused.field == "min_count" and not attempt.saved
    assert _saved_min_count(db, rule.id) == seen


def test_conflicts_named_by_the_view_count_as_stale(db, campaign):
    with saving(conflicts=(PermissionError,)) as attempt:
        raise PermissionError
    assert isinstance(attempt.stale, StaleVersion) and attempt.stale.current is None


def test_anything_else_goes_through(db, campaign):
    with pytest.raises(Nope), saving():
        raise Nope("not listed: the view did not ask to answer it")
    with pytest.raises(ZeroDivisionError), saving(Nope):
        1 / 0  # noqa: B018


def test_the_form_keeps_the_typing_against_the_version_saved_now(db, campaign):
    rule = _rule(db)
    form = SimpleNamespace(version=SimpleNamespace(data="1"), form_errors=[])
    keep_typed(form, rule, "Someone else saved it.")
    assert form.version.data == str(rule.version) and form.form_errors == ["Someone else saved it."]
    keep_typed(form, None, missing="0")  # nothing saved now: the version of "none"
    assert form.version.data == "0" and len(form.form_errors) == 1
    keep_typed(form, Requirement())  # not saved yet
    assert form.version.data == ""


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), (" 12 ", 12), ("", 0), (None, 0), ("-1", 0), ("1e3", 0), ("٣", 0), ("9" * 10, 0)],
)
def test_hidden_numbers_read_as_zero_when_garbled(text, number):
    assert hidden_id(text) == number
