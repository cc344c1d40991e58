"""Which language a request speaks and what the campaign's words say in it: the languages file
read field by field, the order of the choices (a link followed this visit, the profile, the
cookie), and the approved words of one language laid over the Vietnamese, read once per
request and never another language's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g

from tests import factories
from tests.queries import counting_queries
from webapp.auth.models import Role
from webapp.campaign.models import MemberOrganization
from webapp.i18n.choice import ui_language_code, use_language
from webapp.i18n.content import approved_words
from webapp.i18n.languages import all_languages, tag_of
from webapp.i18n.models import ReviewState, WordTranslation


def test_the_languages_file_gives_each_language_its_names_locale_and_script():
    all_languages.cache_clear()  # read here, not from what the app's start kept
    languages = all_languages()
    vietnamese, mong, english = languages["vi"], languages["hmn"], languages["en"]
    # No script configured: the bare name, no empty brackets.
    assert (vietnamese.name, vietnamese.script_name) == ("Tiếng Việt", "")
    assert (vietnamese.name_en, vietnamese.format_locale, vietnamese.tag) == (
        "Vietnamese",
        "vi",
        "vi",
    )
    assert (mong.name, mong.script_name) == ("Tiếng Mông (chữ 1961)", "chữ 1961")
    assert (mong.tag, mong.chain) == ("hmn-Latn-VN-x-viet1961", ("hmn", "vi"))
    assert (english.format_locale, english.chain) == ("en", ("en",))
    assert english.plural_forms[0] == 2 and mong.plural_forms[0] == 1  # CLDR's en and vi


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("hmn", "hmn-Latn-VN-x-viet1961"),
        ("tyz", "tyz"),
        ("fr", "fr"),  # not ours: labelled as given
        ("", ""),
        (None, ""),
    ],
)
def test_tag_of_a_code(code, tag):
    assert tag_of(code) == tag


def test_outside_a_request_the_default_language_speaks(app):
    with app.app_context():
        assert ui_language_code() == app.config["DEFAULT_LANGUAGE"] == "vi"


def test_a_language_link_followed_this_visit_comes_before_the_profile(db, tree, login_as):
    client, user = login_as(Role.EDITOR, tree.c1)
    user.language = "hmn"
    db.session.commit()
    assert '<strong lang="hmn-Latn-VN-x-viet1961"' in client.get("/").get_data(as_text=True)
    client.get("/language/tyz?next=/", headers={"Sec-Fetch-Site": "same-origin"})
    client.set_cookie("lang", "nut")  # the visit's choice comes before the cookie as well
    assert '<strong lang="tyz" aria-current="true">' in client.get("/").get_data(as_text=True)


def _approved(db, kind: str, row_id: int, language: str, text: str | None) -> WordTranslation:
    word = WordTranslation(
        kind=kind,
        row_id=row_id,
        language=language,
        text=text or "bản nháp",
        source_vi="",
        approved_text=text,
        state=ReviewState.APPROVED if text else ReviewState.DRAFT,
    )
    db.session.add(word)
    db.session.flush()
    return word


def test_each_language_gets_its_own_approved_words_read_once_per_request(app, db, campaign):
    farmers, women = factories.org("nong_dan"), factories.org("phu_nu")
    _approved(db, "member_organizations.name", farmers.id, "tyz", "Hội Nông dân (Tày)")
    _approved(db, "member_organizations.name", women.id, "tyz", None)  # a draft: not served
    db.session.commit()
    names_vi = farmers.name_vi, women.name_vi  # loaded again after the commit
    with app.test_request_context():
        # The test's app context outlives a test request (a real request has its own): start
        # each one with nothing read yet.
        g.pop("approved_words", None)
        g.ui_lang = "nut"  # Nùng has none of its own: Tày's never stands in for it
        assert farmers.tr("name") == names_vi[0]
        g.ui_lang = "tyz"
        assert approved_words("tyz") == {
            ("member_organizations.name", farmers.id): "Hội Nông dân (Tày)"
        }
        with counting_queries() as statements:
            shown = [farmers.tr("name"), women.tr("name"), farmers.tr("name")]
        assert shown == ["Hội Nông dân (Tày)", names_vi[1], "Hội Nông dân (Tày)"]
        assert statements == []  # read above, once for the request
    with app.test_request_context():
        g.pop("approved_words", None)
        g.ui_lang = "vi"
        with counting_queries() as statements:
            assert farmers.tr("name") == names_vi[0]
        assert statements == []  # Vietnamese is the columns themselves: nothing to ask


def test_english_without_its_own_text_falls_back_to_vietnamese_and_nothing_gives_empty(
    app, db, campaign
):
    unnamed = MemberOrganization(code="khac", name_vi="Tổ chức khác", name_en=None)
    nothing = MemberOrganization(code="rong", name_vi="", name_en="")
    with app.test_request_context():
        g.ui_lang = "en"  # the chain is English alone: Vietnamese still ends it
        assert unnamed.tr("name") == "Tổ chức khác"
        assert nothing.tr("name") == ""


def test_words_after_a_failed_transaction_are_the_vietnamese(app, db, campaign):
    """An error page rendered after a failed write still names things (in Vietnamese)."""
    farmers = factories.org("nong_dan")
    _approved(db, "member_organizations.name", farmers.id, "tyz", "Hội Nông dân (Tày)")
    db.session.commit()
    # What the page holds already (a failed flush expires the session's own objects).
    shown = MemberOrganization(id=farmers.id, code=farmers.code, name_vi=farmers.name_vi)
    with app.test_request_context():
        g.ui_lang = "tyz"
        db.session.add(MemberOrganization(code=farmers.code, name_vi="Trùng mã"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        assert shown.tr("name") == shown.name_vi
    db.session.rollback()


def test_outside_a_request_words_are_read_afresh(app, db, campaign):
    """A background job speaks its asker's language (use_language) with no request around it:
    nothing is kept between two reads, so a word approved meanwhile is the one it uses."""
    farmers = factories.org("nong_dan")
    with app.app_context():
        use_language("tyz")
        assert farmers.tr("name") == farmers.name_vi
        _approved(db, "member_organizations.name", farmers.id, "tyz", "Hội Nông dân (Tày)")
        assert farmers.tr("name") == "Hội Nông dân (Tày)"
