"""What every template may use: the policy, labels and formatting helpers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import format_decimal
from flask_login import current_user

from webapp import labels, policy
from webapp.commendations.display import nominee_name
from webapp.formats import day, moment
from webapp.i18n.languages import all_languages, tag_of
from webapp.units.display import unit_label


def _can(action: policy.Action, obj=None) -> bool:
    return policy.can(current_user, action, obj)


def _can_somewhere(action: policy.Action) -> bool:
    return policy.can_somewhere(current_user, action)


def language_name(code: str | None) -> str:
    """A language by the name people know ("Tiếng Tày"), never its code ("tyz")."""
    language = all_languages().get(code or "")
    return language.name if language else (code or "")


def _commendation_year() -> int:
    """The year whose commendations the footer links to (the page links to the others)."""
    from webapp.db import local_today

    return local_today().year


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=_can,
        can_somewhere=_can_somewhere,
        nominee_name=nominee_name,
        commendation_year=_commendation_year,
        Action=policy.Action,
    )
    app.jinja_env.filters.update(
        number=format_decimal,
        label=labels.label,
        date=day,
        day=day,
        unit_label=unit_label,
        language_name=language_name,
        # lang and hreflang attributes carry the configured BCP 47 tag, not the product's code.
        lang_tag=tag_of,
        datetime=moment,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if not app.testing:
        _keep_compiled_templates(app)


def _keep_compiled_templates(app: Flask) -> None:
    """Compiled templates kept in instance/template-cache (0700, files 0600): otherwise every
    worker of every start compiles each template it renders the first time (0.46 s of CPU for
    a guidance page, 0.04 s read back). Jinja checks each file against the template's source
    and replaces files atomically, so nodes and workers may share the folder."""
    from jinja2 import FileSystemBytecodeCache

    folder = Path(app.instance_path) / "template-cache"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))
