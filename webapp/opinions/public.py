"""The public page of answers to the people's opinions (/opinions/answers): by district and
commune (a two-step choice that works without JavaScript, like the form), topic and words. A
commune's page is this list filtered to it (`?commune=<id>`): the product has no other public
page per unit. No account, no personal data; anonymous readers revalidate with an ETag."""

from __future__ import annotations

from flask import make_response, render_template, request, session
from flask_login import current_user

from webapp import policy
from webapp.extensions import db
from webapp.i18n.choice import ui_language
from webapp.i18n.domain import interface_stamp
from webapp.opinions import answers
from webapp.opinions.forms import POLICY_TOPIC, commune_parents, topic_choices, units_in_force
from webapp.opinions.views import _int_of, bp
from webapp.paging import page_of
from webapp.policy import Action
from webapp.revalidate import already_known, etag_of, not_kept, revalidated
from webapp.text import MAX_QUERY, clean_query, highlight, query_words
from webapp.units.models import Level, Unit

PAGE_SIZE = 20


def _place(args) -> tuple[Unit | None, Unit | None, list[Unit]]:
    """The district (or province) and commune chosen, and the communes offered at step two.
    A commune alone (the commune's own link) brings its district; a commune that is not under
    the district chosen (JavaScript off, the district changed) is dropped, not an error."""
    parents = commune_parents()
    district = next((u for u in parents if u.id == _int_of(args.get("district"))), None)
    commune_id = _int_of(args.get("commune"))
    commune = db.session.get(Unit, commune_id) if commune_id else None
    if commune is not None and commune.level != Level.COMMUNE:
        commune = None
    if commune is not None and district is None:
        district = commune.parent
    if commune is not None and district is not None and commune.parent_id != district.id:
        commune = None
    communes = units_in_force(Level.COMMUNE, district.id) if district is not None else []
    if commune is not None and commune not in communes:
        communes.append(commune)  # no longer in force: its answers stay readable
    return district, commune, communes


def _filters(district, commune, topic: str, words) -> answers.Filters:
    if commune is not None:
        ids = (commune.id,)
    elif district is not None:
        ids = tuple(u.id for u in district.children if u.level == Level.COMMUNE)
    else:
        ids = None
    return answers.Filters(commune_ids=ids, topic=topic, words=words)


@bp.get("/answers")
def answers_page():
    """Answered opinions, newest answer first, paged; each with the text shown (summary or
    original), how many people raised it, the answer, its agency and date."""
    policy.require(current_user, Action.OPINION_SEND)
    district, commune, communes = _place(request.args)
    topics = topic_choices()
    topic = request.args.get("topic") or ""
    if topic not in {c.value for c in topics if c.value}:
        topic = ""
    query, was_cut = clean_query(request.args.get("q"))
    words = query_words(query)
    personal = current_user.is_authenticated or session.get("_flashes")
    etag = None
    if not personal:
        parts = (
            sorted(request.args.items(multi=True)),
            answers.stamp(),
            ui_language().code,
            interface_stamp(),
        )
        etag = etag_of(parts)
        if already_known(etag):
            return revalidated(make_response("", 304), etag)
    paged = page_of(answers.matching_ids(_filters(district, commune, topic, words)), PAGE_SIZE)
    body = render_template(
        "opinions/answers.html",
        paged=paged,
        items=answers.load(paged.items),
        shown_text=answers.shown_text,
        highlight=lambda text: highlight(text, words),
        districts=commune_parents(),
        district=district,
        commune=commune,
        communes=communes,
        topics=topics,
        topic=topic,
        policy_topic=POLICY_TOPIC,
        q=query,
        was_cut=was_cut,
        max_query=MAX_QUERY,
    )
    response = make_response(body)
    return not_kept(response) if personal else revalidated(response, etag)
