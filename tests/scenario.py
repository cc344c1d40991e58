"""A lived-in database for the layout crawl and `make shots`: Bắc Kạn, the campaign, the demo
accounts and their 2017 season, plus the current year's season, reviews, reports,
evaluations and nominations, so every role's pages (coverage, reports, queues, history) have
something to show.

Everything goes through the app's own services with a demo account as the actor, as
`flask seed --demo` does, so the data is what users would have made. The caller commits.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from webapp.auth.models import User
from webapp.commendations import services as commendations
from webapp.db import local_today, utcnow
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.registrations.models import EntryState, ListState, RegistrationList
from webapp.reports import services as reports
from webapp.reports.models import LineStatus, Period
from webapp.review import services as review
from webapp.seed import demo_more, demo_season, guidance, loader
from webapp.units.models import Unit

DEMO_YEAR = 2017
COMMUNE = "01858"  # Xã Bằng Thành, the commune editor's first
OTHER_COMMUNE = "01861"  # Xã Nhạn Môn, the commune editor's second


def build(year: int | None = None) -> dict[str, int]:
    """Load everything; `year` is the current season (default: the app's year, in Vietnam).
    Returns what was made, for the caller to print."""
    year = year or local_today().year
    load_demo()
    made = {"lists": _copy_season(year)}
    for season in (DEMO_YEAR, year):
        _review(season)
        made[f"reports {season}"] = _reports(season)
        _commendations(season)
    db.session.flush()
    return made


def load_demo() -> None:
    """What `flask seed --demo` loads (Bắc Kạn in its 2017 structure, the campaign, the demo
    accounts, their 2017 season, the guidance pages, the opinions, fund books and effective
    models of demo_more), for tests and benchmarks. The caller commits."""
    loader.load_units()
    loader.load_campaign()
    loader.load_demo_accounts()
    demo_season.load_demo_season()
    guidance.load_guidance()
    demo_more.load_demo_more()
    db.session.flush()


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _unit(code: str) -> Unit:
    return db.session.scalar(
        sa.select(Unit).where(Unit.code == code).order_by(Unit.valid_from).limit(1)
    )


def _lists(code: str, season: int) -> list[RegistrationList]:
    return list(
        db.session.scalars(
            sa.select(RegistrationList)
            .where(RegistrationList.unit_id == _unit(code).id, RegistrationList.year == season)
            .order_by(RegistrationList.id)
        )
    )


def _copy_season(year: int) -> int:
    """The demo season's lists again for `year`, sent today (drafts stay drafts)."""
    sent_at = min(datetime(year, 6, 1, 3, 0, tzinfo=UTC), utcnow())
    return demo_season.create_lists(year, sent_at=sent_at)


_ENTRY_VALUE_FIELDS = (
    "kind", "name", "content", "location", "lead_organization", "model_type", "description",
    "scale", "starts_on", "ends_on", "budget_people", "budget_state", "budget_other", "notes",
)  # fmt: skip


def _review(season: int) -> None:
    """The district approves the commune's first two lists, returns an entry of the third;
    the editor corrects it and sends it again, so the reviewer sees what changed."""
    reviewer, editor = _user("reviewer.pacnam"), _user("editor.pacnam")
    sent = [rl for rl in _lists(COMMUNE, season) if rl.state == ListState.SUBMITTED]
    for registration_list in sent[:2]:
        review.approve_all(
            reviewer, registration_list, {e.id: e.version for e in registration_list.entries}
        )
    if len(sent) < 3:
        return
    returned = sent[2]
    entry = returned.entries[0]
    review.return_entry(reviewer, entry, entry.version, "Ghi rõ quy mô và thời gian thực hiện.")
    values = registrations.EntryValues(
        **{name: getattr(entry, name) for name in _ENTRY_VALUE_FIELDS},
        partners=list(entry.partners),
    )
    values.scale = f"{entry.scale} trong {season} (đã bổ sung)"
    registrations.update_entry(editor, entry, entry.version, values)
    if entry.state == EntryState.RETURNED:
        registrations.submit_list(editor, returned)


def _reports(season: int) -> int:
    """Half-year reports of the approved lists: one accepted, one waiting for the district;
    the year report of the first started."""
    editor, reviewer = _user("editor.pacnam"), _user("reviewer.pacnam")
    approved = [rl for rl in _lists(COMMUNE, season) if rl.state == ListState.APPROVED]
    made = 0
    for number, registration_list in enumerate(approved[:2]):
        report = reports.start_report(
            editor, registration_list.unit, registration_list.organization, season,
            Period.HALF_YEAR,
        )  # fmt: skip
        for line in report.lines[:2]:
            values = reports.LineValues(
                status=LineStatus.IN_PROGRESS, percent_done=60, money_people=12_000_000,
                workdays=140, beneficiaries=85, result="Đã hoàn thành phần nền đường.",
            )  # fmt: skip
            reports.update_line(editor, line, line.version, values)
        reports.submit_report(editor, report)
        made += 1
        if number == 0:
            reports.accept_report(reviewer, report, report.version)
            reports.start_report(
                editor, registration_list.unit, registration_list.organization, season,
                Period.YEAR,
            )  # fmt: skip
            made += 1
    return made


def _commendations(season: int) -> None:
    """The district's evaluation of the commune, and the commune's nominations: one approved,
    one waiting, one draft."""
    editor, reviewer = _user("editor.pacnam"), _user("reviewer.pacnam")
    commune = _unit(COMMUNE)
    evaluation = commendations.evaluation_for(season, commune, None)
    commendations.record_evaluation(
        reviewer, evaluation, None, "good", "Hoàn thành tốt các nội dung đăng ký."
    )
    made = []
    for name in ("Hoàng Văn Sìn", "Triệu Thị Mai", "Sằm Văn Pò"):
        values = commendations.NomineeValues(
            kind="individual", person_name=name, person_role="Trưởng bản",
            reason="Hiến đất làm đường bê tông nông thôn",
        )  # fmt: skip
        made.append(commendations.create_nomination(editor, commune, season, values))
    for nomination in made[:2]:
        commendations.submit_nomination(editor, nomination, nomination.version)
    commendations.approve_nomination(reviewer, made[1], made[1].version)
