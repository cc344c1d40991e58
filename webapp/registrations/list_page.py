"""A registration list's page and address, shared by registrations' screens and the review
screens that decide on its entries (no view module imports another package's views)."""

from __future__ import annotations

from flask import make_response, render_template, url_for

from webapp.campaign.deadlines import registration_due
from webapp.db import local_today
from webapp.registrations.models import Entry, RegistrationList
from webapp.registrations.queries import list_summary


def list_url(registration_list: RegistrationList, entry: Entry | None = None) -> str:
    anchor = f"entry-{entry.id}" if entry else None
    return url_for("registrations.show_list", list_id=registration_list.id, _anchor=anchor)


def list_page(registration_list: RegistrationList, *, status: int = 200, **extra):
    context = {
        "registration_list": registration_list,
        "summary": list_summary(registration_list),
        "due": registration_due(registration_list.year),
        "today": local_today(),
        **extra,
    }
    return make_response(render_template("registrations/list.html", **context), status)
