"""The catalogue of actions the policy judges: names only, imported by every capability and
importing nothing. Each capability registers the rule for its actions (see `webapp.policy`)."""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    CAMPAIGN_VIEW = "campaign.view"
    ACCOUNT_CHANGE_PASSWORD = "account.change_password"
    UNIT_VIEW = "unit.view"
    UNIT_ADD_AREA = "unit.add_area"
    UNIT_REORGANIZE = "unit.reorganize"
    USER_VIEW = "user.view"
    USER_CREATE = "user.create"
    USER_DEACTIVATE = "user.deactivate"
    USER_ACTIVATE = "user.activate"
    USER_RESET_PASSWORD = "user.reset_password"
    USER_UNLOCK = "user.unlock"
    USER_MANAGE_SESSIONS = "user.manage_sessions"  # list and end another account's sessions
    ROLE_GRANT = "role.grant"
    ROLE_REVOKE = "role.revoke"
    CAMPAIGN_CONFIGURE = "campaign.configure"
    LIST_VIEW = "list.view"
    LIST_EDIT = "list.edit"
    LIST_SUBMIT = "list.submit"
    ENTRY_EDIT = "entry.edit"
    ENTRY_APPROVE = "entry.approve"
    ENTRY_RETURN = "entry.return"
    ENTRY_REOPEN = "entry.reopen"
    LIST_APPROVE = "list.approve"
    AUDIT_VIEW = "audit.view"
    PAGE_VIEW = "page.view"
    PAGE_EDIT = "page.edit"
    PAGE_PUBLISH = "page.publish"
    ATTACHMENT_UPLOAD = "attachment.upload"
    PAGE_TRANSLATE = "page.translate"
    TRANSLATION_PUBLISH = "translation.publish"
    ACCOUNT_SET_LANGUAGE = "account.set_language"
    ACCOUNT_MANAGE_SESSIONS = "account.manage_sessions"  # list and end one's own sessions
    TRANSLATION_STATUS = "translation.status"
    INTERFACE_TRANSLATE = "interface.translate"
    INTERFACE_EXPORT = "interface.export"
    # Approve or send back a translator's text (interface strings, the campaign's words) in a
    # language: its reviewers, never on their own work.
    INTERFACE_REVIEW = "interface.review"
    GLOSSARY_EDIT = "glossary.edit"  # a language's term base, kept by its reviewers
    TRANSLATION_APPROVE = "translation.approve"  # a page's translation, sent for review
    COVERAGE_VIEW = "coverage.view"
    UNIT_SET_NEW_RURAL = "unit.set_new_rural"
    REPORT_VIEW = "report.view"
    REPORT_EDIT = "report.edit"
    REPORT_SUBMIT = "report.submit"
    REPORT_DECIDE = "report.decide"  # accept, or return with a reason
    REPORT_ROLLUP = "report.rollup"  # a unit's consolidated report and completeness
    REQUIREMENT_MANAGE = "requirement.manage"  # add, change, retire the campaign's rules
    REPORT_FIGURE_MANAGE = "report_figure.manage"  # add, rename, reorder, retire report figures
    OVERLAP_VIEW = "overlap.view"  # likely duplicates among a unit's communes' entries
    OVERLAP_DECIDE = "overlap.decide"  # "not a duplicate" or "joint work", on a commune's pairs
    EVALUATION_VIEW = "evaluation.view"
    EVALUATION_RECORD = "evaluation.record"  # the year's rating and remarks, by the level above
    NOMINATION_VIEW = "nomination.view"
    NOMINATION_CREATE = "nomination.create"
    NOMINATION_SUBMIT = "nomination.submit"
    NOMINATION_DECIDE = "nomination.decide"  # approve, or reject with a reason
    COMMENDATION_VIEW = "commendation.view"  # the public list of approved commendations
    OPINION_SEND = "opinion.send"  # anyone: send an opinion, follow it by its code
    OPINION_VIEW = "opinion.view"  # the committee's list and an opinion with its sender
    OPINION_PHOTO_VIEW = "opinion.photo_view"  # an opinion's photo not published with its answer
    OPINION_RECORD = "opinion.record"  # record one raised at a meeting, for a commune
    OPINION_HANDLE = "opinion.handle"  # accept, reject, merge, reword, send up a level
    OPINION_ANSWER = "opinion.answer"  # record the authority's answer, close
    OPINION_EXPORT = "opinion.export"  # a unit's consolidated list to the authorities (files)
    OPINION_DISPATCH = "opinion.dispatch"  # record that a unit's consolidated list was sent
    OPINION_SET_DAYS = "opinion.set_days"  # a province's days for an answer before overdue
    FUND_DISCLOSE = "fund.disclose"  # anyone: a unit's public fund statement for a year
    FUND_VIEW = "fund.view"  # a book with its movements, and the roll-up of the units below
    FUND_VIEW_PERSONAL = "fund.view_personal"  # the names of the households supported
    FUND_RECORD = "fund.record"  # the unit's treasurer: receipts, transfers, spendings, reversals
    FUND_CLOSE = "fund.close"  # the unit's treasurer closes the year
    FUND_APPROVE = "fund.approve"  # the Standing Committee approves a closed year
    MODEL_VIEW = "model.view"  # anyone: a recognised effective model and its photos
    MODEL_RECOGNISE = "model.recognise"  # an approved entry as an effective model for a year
    MODEL_WITHDRAW = "model.withdraw"  # take a recognition back, with a reason
    MODEL_REPLICATE = "model.replicate"  # "we will replicate this", into one's own list
    MODEL_SPREAD = "model.spread"  # how far a unit's effective models have spread, by year
    ENTRY_PHOTO_ADD = "entry.photo_add"  # add or remove photos of an approved entry's results
    JOB_VIEW = "job.view"  # a background export: its progress and its file (webapp/jobs)
