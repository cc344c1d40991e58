"""The signed-in user's work queue for the home page: what waits for *me* (entries and reports
to decide, nominations, likely duplicates, pages and strings to translate, lists and reports to
correct) and what is late below me (communes that sent no list this year, overdue reports),
each with its count and the page that lists them; and, apart, the news of decisions on my
work.

Counts come from the capabilities' own queries, scoped by the policy, in a number of queries
that depends on the user's roles, never on how much data lies below them. Unread
notifications are news, not work: they never make the queue non-empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import ngettext
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from webapp import policy
from webapp.auth.models import Role, User
from webapp.campaign.deadlines import registration_due
from webapp.commendations.queries import decision_queue
from webapp.coverage import overlaps
from webapp.coverage.queries import communes_in_year
from webapp.db import local_today
from webapp.extensions import db
from webapp.fund import queries as fund_queries
from webapp.fund.models import FundBook, FundPeriod, PeriodState
from webapp.i18n import words as campaign_words
from webapp.i18n.queries import MessageState, sent_for_review
from webapp.i18n.queries import coverage as interface_coverage
from webapp.i18n.view_common import may_review
from webapp.notifications.models import NotificationKind
from webapp.notifications.services import unread_counts
from webapp.opinions import queue as opinion_queue
from webapp.pages.queries import (
    awaiting_review,
    content_recordings_awaiting_review,
    translation_languages,
    translation_worklist,
)
from webapp.policy import Action
from webapp.registrations.models import Entry, EntryState, RegistrationList
from webapp.registrations.queries import due_items, due_note
from webapp.reports import queries as report_queries
from webapp.reports.models import Period, ProgressReport, ReportState
from webapp.reports.services import report_due
from webapp.review.chain import prime_reviewing_units
from webapp.review.queries import awaiting_count
from webapp.units.models import Level, Unit
from webapp.units.queries import active_on, prime_successors, subtree_ids, year_day


@dataclass
class Item:
    text: str
    count: int
    url: str
    note: str = ""


@dataclass
class Queue:
    mine: list[Item] = field(default_factory=list)  # waits for me
    below: list[Item] = field(default_factory=list)  # late below me
    news: list[Item] = field(default_factory=list)  # unread notifications of outcomes

    @property
    def empty(self) -> bool:
        return not self.mine and not self.below


def work_queue(user) -> Queue:
    today = local_today()
    queue = Queue()
    queue.mine = [
        *_to_correct(user),
        *_to_decide(user),
        *_overlaps(user, today.year),
        *_translations(user),
        *_reviews(user),
        *_users_without_role(user),
        *_opinions_to_handle(user),
        *_fund_to_approve(user),
    ]
    queue.below = [
        *_unregistered(user, today),
        *_overdue_reports(user, today),
        *_overdue_opinions(user),
        *_fund_to_reconcile(user, today),
    ]
    queue.news = _news(user)
    return queue


# News: what was decided about my work. Notifications of work to do (a list or report sent,
# something sent back) are left out: the queue counts that work itself, until it is done.


def _news(user) -> list[Item]:
    texts = {
        NotificationKind.APPROVED: lambda n: ngettext(
            "%(num)d list approved", "%(num)d lists approved", n
        ),
        NotificationKind.REOPENED: lambda n: ngettext(
            "%(num)d approved entry reopened", "%(num)d approved entries reopened", n
        ),
        NotificationKind.REPORT_ACCEPTED: lambda n: ngettext(
            "%(num)d report accepted", "%(num)d reports accepted", n
        ),
        NotificationKind.NOMINATION_APPROVED: lambda n: ngettext(
            "%(num)d nomination approved", "%(num)d nominations approved", n
        ),
        NotificationKind.NOMINATION_REJECTED: lambda n: ngettext(
            "%(num)d nomination not approved", "%(num)d nominations not approved", n
        ),
    }
    url = url_for("notifications.index")
    return [
        Item(texts[kind](count), count, url)
        for kind, count in sorted(unread_counts(user).items())
        if kind in texts
    ]


# Waits for me


def _to_correct(user) -> list[Item]:
    """An editor's: lists of a season not yet sent, entries and reports sent back."""
    if not policy.can_somewhere(user, Action.LIST_EDIT):
        return []
    items = [Item(**item) for item in due_items(user)]
    returned = db.session.scalar(
        policy.visible(
            user,
            Action.LIST_EDIT,
            sa.select(sa.func.count(Entry.id))
            .join(RegistrationList, RegistrationList.id == Entry.list_id)
            .where(Entry.state == EntryState.RETURNED),
        )
    )
    if returned:
        items.append(
            Item(
                ngettext(
                    "%(num)d entry returned to you", "%(num)d entries returned to you", returned
                ),
                returned,
                url_for("registrations.index"),
            )
        )
    reports = db.session.scalar(
        policy.visible(
            user,
            Action.REPORT_EDIT,
            sa.select(sa.func.count(ProgressReport.id)).where(
                ProgressReport.state == ReportState.RETURNED
            ),
        )
    )
    if reports:
        items.append(
            Item(
                ngettext(
                    "%(num)d report returned to you to correct",
                    "%(num)d reports returned to you to correct",
                    reports,
                ),
                reports,
                url_for("reports.index"),
            )
        )
    return items


def _to_decide(user) -> list[Item]:
    """A reviewer's and a decider's: entries, reports and nominations awaiting a decision."""
    items = []
    if policy.can_somewhere(user, Action.ENTRY_APPROVE):
        entries = awaiting_count(user)
        if entries:
            items.append(
                Item(
                    ngettext(
                        "%(num)d entry awaits your decision",
                        "%(num)d entries await your decision",
                        entries,
                    ),
                    entries,
                    url_for("review.queue"),
                )
            )
    if policy.can_somewhere(user, Action.REPORT_DECIDE):
        reports = len(report_queries.awaiting_decision(user))
        if reports:
            items.append(
                Item(
                    ngettext(
                        "%(num)d report awaits your acceptance",
                        "%(num)d reports await your acceptance",
                        reports,
                    ),
                    reports,
                    url_for("reports.queue"),
                )
            )
    if policy.can_somewhere(user, Action.NOMINATION_DECIDE):
        nominations = len(decision_queue(user))
        if nominations:
            items.append(
                Item(
                    ngettext(
                        "%(num)d nomination for commendation awaits your decision",
                        "%(num)d nominations for commendation await your decision",
                        nominations,
                    ),
                    nominations,
                    url_for("commendations.queue"),
                )
            )
    return items


def _fund_to_approve(user) -> list[Item]:
    """The Standing Committee's: closed years of the fund's books waiting for approval."""
    if not policy.can_somewhere(user, Action.FUND_APPROVE):
        return []
    closed = db.session.scalars(
        policy.visible(
            user,
            Action.FUND_VIEW,
            sa.select(FundPeriod)
            .join(FundBook, FundBook.id == FundPeriod.book_id)
            .where(FundPeriod.state == PeriodState.CLOSED),
        ).options(selectinload(FundPeriod.book).selectinload(FundBook.unit))
    ).all()
    count = sum(1 for period in closed if policy.can(user, Action.FUND_APPROVE, period))
    if not count:
        return []
    first = next(p for p in closed if policy.can(user, Action.FUND_APPROVE, p))
    text = ngettext(
        "%(num)d year of a fund book awaits your approval",
        "%(num)d years of fund books await your approval",
        count,
    )
    return [Item(text, count, url_for("fund.book", unit_id=first.book.unit_id, year=first.year))]


def _fund_to_reconcile(user, today: date) -> list[Item]:
    """The treasurers' and the committees': what does not add up in the books of their scope
    (transfers whose sides disagree, negative balances, past years not closed and approved)."""
    if not (
        policy.can_somewhere(user, Action.FUND_RECORD)
        or policy.can_somewhere(user, Action.FUND_APPROVE)
    ):
        return []
    ids = policy.visible(user, Action.FUND_VIEW, sa.select(FundBook.id))
    count = fund_queries.problem_count(ids, today.year)
    if not count:
        return []
    text = ngettext(
        "%(num)d thing in the fund's books to reconcile",
        "%(num)d things in the fund's books to reconcile",
        count,
    )
    return [Item(text, count, url_for("fund.reconciliation"))]


def _roots(user, action: Action, above: tuple[Level, ...]) -> list[Unit]:
    """The units whose subtrees the user may act on for every organization, at these levels,
    leaving out those inside another (a role on a district under one on its province)."""
    ids = policy.scope_roots(user, action)
    if not ids:
        return []
    units = list(
        db.session.scalars(
            sa.select(Unit).where(Unit.id.in_(ids), Unit.level.in_(above)).order_by(Unit.id)
        )
    )
    chosen = {u.id for u in units}
    return [u for u in units if not any(a.id in chosen for a in u.ancestors()[1:])]


def _overlaps(user, year: int) -> list[Item]:
    """Undecided likely duplicates the user may decide, per unit of their scope."""
    if not policy.can_somewhere(user, Action.OVERLAP_DECIDE):
        return []
    levels = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
    items = []
    for root in _roots(user, Action.OVERLAP_DECIDE, levels):
        communes = policy.visible(user, Action.OVERLAP_VIEW, communes_in_year(root.id, year))
        lists = policy.visible(
            user,
            Action.LIST_VIEW,
            sa.select(RegistrationList.id).where(RegistrationList.year == year),
            cte_name="open_lists",
        )
        pairs = [p for p in overlaps.detect(communes, year, lists) if p.decision is None]
        count = _decidable(user, pairs)
        if count:
            items.append(
                Item(
                    ngettext(
                        "%(unit)s: %(num)d likely duplicate to look at",
                        "%(unit)s: %(num)d likely duplicates to look at",
                        count,
                        unit=root.name,
                    ),
                    count,
                    url_for("coverage.show_overlaps", year=year, unit_id=root.id),
                )
            )
    return items


def _decidable(user, pairs: list[overlaps.Pair]) -> int:
    """How many of these pairs the user may decide, judging their communes in one go."""
    if not pairs:
        return 0
    communes = list(
        db.session.scalars(
            sa.select(Unit)
            .where(Unit.id.in_({p.commune_id for p in pairs}))
            .options(selectinload(Unit.parent).selectinload(Unit.parent))
        )
    )
    prime_successors([*communes, *{c.parent for c in communes if c.parent}])
    prime_reviewing_units(communes)
    allowed = {c.id for c in communes if policy.can(user, Action.OVERLAP_DECIDE, c)}
    return sum(1 for p in pairs if p.commune_id in allowed)


def _translations(user) -> list[Item]:
    """A translator's: pages and interface strings not yet translated, per language, and apart
    the translations the Vietnamese has changed under (outdated): pages, interface strings,
    campaign words."""
    if not any(a.role == Role.TRANSLATOR for a in user.roles):
        return []  # admins and publishers may translate, but it is not their standing work
    items = []
    offered = [language.code for language in translation_languages()]
    for code in policy.languages_of(user, Action.PAGE_TRANSLATE, offered):
        lang = _language_name(code)
        rows = translation_worklist(user, code)
        outdated = sum(1 for _, done in rows if done is not None and done.outdated)
        url = url_for("pages.worklist", code=code)
        items += _counted(
            (len(rows) - outdated, url, lambda n, lang=lang: ngettext(
                "%(num)d page to translate into %(language)s",
                "%(num)d pages to translate into %(language)s", n, language=lang)),
            (outdated, url, lambda n, lang=lang: ngettext(
                "%(num)d page translation into %(language)s is outdated: the Vietnamese changed",
                "%(num)d page translations into %(language)s are outdated: the Vietnamese changed",
                n, language=lang)),
        )  # fmt: skip
    for code in policy.languages_of(user, Action.INTERFACE_TRANSLATE, offered):
        lang = _language_name(code)
        counts = interface_coverage(code)
        changed = MessageState.CHANGED.value
        words = sum(w.state == MessageState.CHANGED for w in campaign_words.words(code))
        items += _counted(
            (counts.total - counts.translated, url_for("i18n.strings", code=code),
             lambda n, lang=lang: ngettext(
                "%(num)d interface string to translate into %(language)s",
                "%(num)d interface strings to translate into %(language)s", n, language=lang)),
            (counts.translated - counts.up_to_date,
             url_for("i18n.strings", code=code, state=changed), lambda n, lang=lang: ngettext(
                "%(num)d interface string in %(language)s is outdated: the Vietnamese changed",
                "%(num)d interface strings in %(language)s are outdated: the Vietnamese changed",
                n, language=lang)),
            (words, url_for("i18n.list_words", code=code, state=changed),
             lambda n, lang=lang: ngettext(
                "%(num)d campaign word in %(language)s is outdated: the Vietnamese changed",
                "%(num)d campaign words in %(language)s are outdated: the Vietnamese changed",
                n, language=lang)),
        )  # fmt: skip
    return items


def _counted(*rows) -> list[Item]:
    """An item for each (count, url, text of a count) whose count is not zero."""
    return [Item(text(count), count, url) for count, url, text in rows if count]


def _reviews(user) -> list[Item]:
    """A reviewer's of a language: what translators sent for review in it (interface strings,
    campaign words, page translations, recordings), never their own work; only in the languages
    they review, and only for who holds the reviewer role (not admins)."""
    if not any(a.role == Role.TRANSLATION_REVIEWER for a in user.roles):
        return []
    offered = [language.code for language in translation_languages()]
    codes = [code for code in offered if may_review(user, code)]
    waiting = sent_for_review(codes, user.id)
    items = []
    for code in codes:
        language = _language_name(code)
        pages, recordings = awaiting_review(user, code)
        worklist = url_for("pages.worklist", code=code)
        strings_url = url_for("i18n.strings", code=code, state=MessageState.REVIEW.value)
        words_url = url_for("i18n.list_words", code=code, state=MessageState.REVIEW.value)
        waiting_here = (
            (waiting[code]["strings"], strings_url, lambda n, lang=language: ngettext(
                "%(num)d interface string in %(language)s waits for your review",
                "%(num)d interface strings in %(language)s wait for your review",
                n, language=lang)),
            (waiting[code]["words"], words_url, lambda n, lang=language: ngettext(
                "%(num)d campaign word in %(language)s waits for your review",
                "%(num)d campaign words in %(language)s wait for your review",
                n, language=lang)),
            (pages, worklist, lambda n, lang=language: ngettext(
                "%(num)d page translation into %(language)s waits for your review",
                "%(num)d page translations into %(language)s wait for your review",
                n, language=lang)),
            (recordings, worklist, lambda n, lang=language: ngettext(
                "%(num)d recording in %(language)s waits for your review",
                "%(num)d recordings in %(language)s wait for your review",
                n, language=lang)),
        )  # fmt: skip
        contents = content_recordings_awaiting_review(code, user.id)
        if contents:  # to the first content's screen, where its recording is decided
            url = url_for("i18n.edit_word", code=code, kind="contents.short", row_id=contents[0])
            text = ngettext(
                "%(num)d recording of a campaign content in %(language)s waits for your review",
                "%(num)d recordings of campaign contents in %(language)s wait for your review",
                len(contents),
                language=language,
            )
            waiting_here += ((len(contents), url, lambda n, text=text: text),)
        items += _counted(*waiting_here)
    return items


def _language_name(code: str) -> str:
    return next((lang.name for lang in translation_languages() if lang.code == code), code)


def _users_without_role(user) -> list[Item]:
    if not policy.can_somewhere(user, Action.USER_VIEW):
        return []
    count = db.session.scalar(
        policy.visible(
            user,
            Action.USER_VIEW,
            sa.select(sa.func.count(User.id)).where(User.is_active, ~User.roles.any()),
        )
    )
    if not count:
        return []
    return [
        Item(
            ngettext(
                "%(num)d active user has no role yet",
                "%(num)d active users have no role yet",
                count,
            ),
            count,
            url_for("admin.list_users", without_role=1),
        )
    ]


def _opinions_to_handle(user) -> list[Item]:
    """Opinions received (or sent up) that the user's committee has still to take up."""
    if not policy.can_somewhere(user, Action.OPINION_HANDLE):
        return []
    count = opinion_queue.to_handle(user)
    if not count:
        return []
    text = ngettext(
        "%(num)d opinion of the people waits for your committee to handle",
        "%(num)d opinions of the people wait for your committee to handle",
        count,
    )
    return [Item(text, count, url_for("opinions.index"))]


# Late below me


def _overdue_opinions(user) -> list[Item]:
    """Opinions without an answer in time, at the user's level or the one below."""
    if not policy.can_somewhere(user, Action.OPINION_VIEW):
        return []
    count = opinion_queue.overdue_here_and_below(user)
    if not count:
        return []
    text = ngettext(
        "%(num)d opinion of the people is overdue for an answer",
        "%(num)d opinions of the people are overdue for an answer",
        count,
    )
    return [Item(text, count, url_for("opinions.index", state="overdue"))]


def unregistered_communes(user, year: int) -> Select:
    """SELECT of the units (communes) below the user's districts and provinces that existed in
    the year and have sent no list for it — none submitted, approved or returned — among the
    communes the user may read."""
    sent = sa.exists().where(
        RegistrationList.unit_id == Unit.id,
        RegistrationList.year == year,
        RegistrationList.submitted_at.is_not(None),
    )
    roots = [u.id for u in _roots(user, Action.COVERAGE_VIEW, (Level.PROVINCE, Level.DISTRICT))]
    if not roots:
        return sa.select(Unit).where(sa.false())
    return policy.visible(
        user,
        Action.COVERAGE_VIEW,
        sa.select(Unit).where(
            Unit.id.in_(subtree_ids(roots, name="late_tree")),
            Unit.level == Level.COMMUNE,
            active_on(year_day(year)),
            ~sent,
        ),
    )


def _unregistered(user, today: date) -> list[Item]:
    year = today.year
    stmt = unregistered_communes(user, year)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    if not count:
        return []
    return [
        Item(
            ngettext(
                "%(num)d commune has sent no list for %(year)d",
                "%(num)d communes have sent no list for %(year)d",
                count,
                year=year,
            ),
            count,
            url_for("home.unregistered", year=year),
            due_note(registration_due(year), today),
        )
    ]


def _overdue_reports(user, today: date) -> list[Item]:
    """Reports expected in the user's subtrees whose due date has passed and that were not
    sent, per unit and period, as the completeness page counts them."""
    year = today.year
    levels = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
    items = []
    for root in _roots(user, Action.REPORT_ROLLUP, levels):
        for period in Period:
            due = report_due(year, period)
            if due is None or today <= due:
                continue
            missing = report_queries.missing_count(user, root, year, period)
            if missing:
                items.append(
                    Item(
                        ngettext(
                            "%(unit)s: %(num)d report for %(period)s %(year)d is overdue",
                            "%(unit)s: %(num)d reports for %(period)s %(year)d are overdue",
                            missing,
                            unit=root.name,
                            period=Period(period).label,
                            year=year,
                        ),
                        missing,
                        url_for(
                            "reports.show_completeness",
                            year=year,
                            unit_id=root.id,
                            period=period.value,
                        ),
                        due_note(due, today),
                    )
                )
    return items
