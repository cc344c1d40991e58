"""How the audit log reads the interface translations' events, and the phrase naming a
language that other capabilities' sentences use."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.audit import sentences as audit
from webapp.audit.sentences import Names, text_detail
from webapp.i18n.languages import all_languages


def language_name(details: dict) -> str:
    language = all_languages().get(text_detail(details, "language") or "")
    return language.name if language else _("another language")


def _values(event, details: dict, names: Names) -> dict:
    return {"language": language_name(details)}


audit.register(
    {
        "interface.saved": (
            _l("A %(language)s translation of the interface was saved"),
            _l("Interface translation saved"),
        ),
        "interface.submitted": (
            _l("A %(language)s translation of the interface was sent for review"),
            _l("Interface translation sent for review"),
        ),
        "interface.approved": (
            _l("A %(language)s translation of the interface was approved"),
            _l("Interface translation approved"),
        ),
        "interface.returned": (
            _l("A %(language)s translation of the interface was sent back to its translator"),
            _l("Interface translation sent back"),
        ),
        "word.saved": (
            _l("A campaign word was translated into %(language)s"),
            _l("Campaign word translated"),
        ),
        "word.submitted": (
            _l("A %(language)s translation of a campaign word was sent for review"),
            _l("Campaign word sent for review"),
        ),
        "word.approved": (
            _l("A %(language)s translation of a campaign word was approved"),
            _l("Campaign word approved"),
        ),
        "word.returned": (
            _l("A %(language)s translation of a campaign word was sent back to its translator"),
            _l("Campaign word sent back"),
        ),
        "glossary.saved": (
            _l("A term of the %(language)s glossary was saved"),
            _l("Glossary term saved"),
        ),
        "glossary.deleted": (
            _l("A term of the %(language)s glossary was removed"),
            _l("Glossary term removed"),
        ),
        "interface.removed": (
            _l("A %(language)s translation of the interface was removed"),
            _l("Interface translation removed"),
        ),
    },
    values=_values,
)
