"""Small things a Vietnamese reader trips on: one form of address, words that read as something
else, a doubled "năm", one way to write dates, elements whose text runs together, and messages
that say nothing ("…của bản gốc: —.", "cập nhật: 0")."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from tests.test_registrations import _entry
from webapp import formats
from webapp.auth.models import Role
from webapp.i18n.catalogs import read_catalog
from webapp.i18n.services import TranslationError, check
from webapp.reports.models import Period

VI = Path(__file__).resolve().parent.parent / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def _vietnamese() -> list[str]:
    texts = []
    for message in read_catalog(VI):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [s for s in strings if s]
    return texts


def test_the_reader_is_always_called_ban():
    assert [t for t in _vietnamese() if re.search(r"anh/chị|anh chị", t, re.I)] == []


def test_a_highlighted_cell_does_not_read_as_a_coloured_car():
    assert [t for t in _vietnamese() if "Ô tô màu" in t] == []


@pytest.mark.parametrize("period", list(Period))
def test_a_report_title_says_nam_once(app, period):
    with app.test_request_context(), force_locale("vi"):
        title = gettext("Result report: %(period)s %(year)d", period=period.label, year=2026)
    assert "năm năm" not in title and title.endswith("2026")


def test_dates_and_moments_have_one_format_each(app):
    with app.test_request_context(), force_locale("vi"):
        assert formats.day(date(2026, 2, 5)) == "05/02/2026"
        # 02:41 UTC is 09:41 in Vietnam.
        moment = app.jinja_env.filters["datetime"]  # what templates call
        assert moment(datetime(2026, 12, 6, 2, 41, tzinfo=UTC), "short") == "06/12/2026 09:41"


def test_a_late_list_says_late_and_when_it_was_sent_apart(db, tree, campaign, login_as):
    client, editor = login_as(Role.EDITOR, tree.c1)
    entry = _entry(db, tree, editor, year=2017)  # due 15/07/2017: submitting now is late
    response = client.post(f"/registrations/lists/{entry.list_id}/submit")
    page = client.get(response.location).get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)
    assert "Nộp muộn" in text and "Nộp muộnGửi" not in text
    assert re.search(r"Gửi lúc \d\d/\d\d/\d{4} \d\d:\d\d", text)


def test_the_translation_status_separates_its_links_and_hides_empty_counts(
    db, tree, campaign, login_as
):
    client, _ = login_as(Role.TRANSLATOR, tree.province, language="tyz")
    client.set_cookie("lang", "vi")
    page = client.get("/translations").get_data(as_text=True)
    assert "</a><a" not in page.split("<main", 1)[1]
    assert "cập nhật: 0" not in page.lower()


def test_a_placeholder_in_a_translation_of_a_string_without_any_is_explained(app):
    with app.test_request_context(), force_locale("vi"):
        with pytest.raises(TranslationError) as refused:
            check(("Save",), ("Lưu %(name)s",))
        message = str(refused.value)
    assert "—" not in message and "không có chỗ giữ chỗ" in message
