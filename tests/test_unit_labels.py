"""Ended units are labelled "(until …; now in …)": pages that list many of them load their
successors at once, so the number of queries does not grow with them (both databases)."""

from __future__ import annotations

from datetime import date

from tests import factories
from tests.factories import org
from tests.queries import counting_queries
from tests.test_coverage import add_entry
from tests.test_review import values
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.registrations import services
from webapp.registrations.models import EntryState
from webapp.units.models import UnitSuccession


def ended_commune(tree, n: int, last_year: int):
    """A commune of D1 that ends with `last_year`, taken over by a new one."""
    ended = factories.make_unit(f"Xã Cũ {n}", parent=tree.d1, valid_to=date(last_year, 12, 31))
    new = factories.make_unit(f"Xã Mới {n}", parent=tree.d1, valid_from=date(last_year + 1, 1, 1))
    db.session.add(
        UnitSuccession(
            predecessor_id=ended.id, successor_id=new.id, effective_on=date(last_year + 1, 1, 1)
        )
    )
    return ended, new


def label(n: int, last_year: int) -> str:
    return f"Xã Cũ {n} (đến 31/12/{last_year}; nay thuộc Xã Mới {n})"


def constant_queries(client, path: str, grow, check) -> list[int]:
    """Queries of one page view with 1 then 5 ended units; `grow(n)` adds the n-th."""
    client.get(path)  # the interface catalog, built once
    counts, made = [], 0
    for ended in (1, 5):
        while made < ended:
            made += 1
            grow(made)
        db.session.commit()
        db.session.expire_all()
        with counting_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200
        check(response.get_data(as_text=True), ended)
        counts.append(len(statements))
    return counts


def test_review_queue_labels_ended_units_with_a_constant_number_of_queries(
    db, tree, campaign, login_as
):
    reviewer, _ = login_as(Role.REVIEWER, tree.d1)

    def grow(n: int) -> None:
        ended, _new = ended_commune(tree, n, 2027)
        editor = factories.make_user(roles=[(Role.EDITOR, ended)])
        registration_list = services.start_list(editor, ended, org("nong_dan"), 2027)
        services.add_entry(editor, registration_list, values("Mô hình nuôi bò", 1, ended))
        services.submit_list(editor, registration_list)

    def check(text: str, ended: int) -> None:
        assert text.count(label(ended, 2027)) == 2  # the unit filter and the group heading

    counts = constant_queries(reviewer, "/review", grow, check)
    assert counts[0] == counts[1], counts


def test_year_comparison_labels_ended_units_with_a_constant_number_of_queries(
    db, tree, campaign, login_as
):
    viewer, _ = login_as(Role.VIEWER, tree.province)

    def grow(n: int) -> None:
        ended, new = ended_commune(tree, n, 2026)
        add_entry(ended, "nong_dan", 1, year=2026, state=EntryState.APPROVED)
        add_entry(new, "nong_dan", 1, year=2027, state=EntryState.SUBMITTED)

    def check(text: str, ended: int) -> None:
        assert label(ended, 2026) in text

    counts = constant_queries(viewer, "/registrations/compare?earlier=2026&later=2027", grow, check)
    assert counts[0] == counts[1], counts
