"""Coverage against the plan: the minimum rules (Requirement rows) evaluated per commune and
year over approved entries, the matrices built on them, and the gap list with its exports."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Coverage's reactions to what happens below it: when an entry is deleted, the partners
    its joint-work decisions added to other entries are taken back (registrations publish the
    event and import nothing of coverage). Its large spreadsheets become background jobs."""
    from webapp import events
    from webapp.coverage import workbooks
    from webapp.coverage.overlaps import take_back_joint_works
    from webapp.jobs import services as jobs

    events.subscribe(events.ENTRY_DELETING, take_back_joint_works)
    jobs.register(workbooks.SUMMARY, workbooks.build_summary)
    jobs.register(workbooks.GAPS, workbooks.build_gaps)
