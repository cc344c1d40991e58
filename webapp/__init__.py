"""The Flask application for the campaign "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn
minh": create_app() builds it from configuration, extensions and one blueprint per capability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    import webapp.models  # noqa: F401  (every model mapped before queries or migrations)
    from webapp import assets, config, errors, extensions, htmx, kv, security, templating
    from webapp.auth import sessions
    from webapp.i18n import setup as i18n
    from webapp.urls import IdConverter

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    config.load(app, overrides)
    app.url_map.converters["id"] = IdConverter
    security.init_app(app)
    i18n.init_app(app)  # before CSRF, so its error pages speak the visitor's language
    extensions.init_app(app, ROOT / "migrations")
    kv.init_app(app)
    sessions.init_app(app)
    assets.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    htmx.init_app(app)  # Vary on the htmx headers wherever they chose the answer
    _register_policy()
    _register_audit_readings()
    _subscribe_capabilities(app)
    _register_blueprints(app)
    _register_commands(app)
    if app.config["PRODUCTION"] and click.get_current_context(silent=True) is None:
        # Serving (gunicorn), not a `flask` command: those stay usable to change the passwords.
        from webapp.deploy import checks

        checks.refuse_demo_passwords(app)
    return app


def _register_policy() -> None:
    """Each capability's rules, and what the engine asks of units and auth."""
    from webapp import policy
    from webapp.admin import permissions as admin
    from webapp.auth import permissions as auth
    from webapp.campaign import permissions as campaign
    from webapp.commendations import permissions as commendations
    from webapp.coverage import permissions as coverage
    from webapp.fund import permissions as fund
    from webapp.i18n import permissions as i18n
    from webapp.jobs import permissions as jobs
    from webapp.opinions import permissions as opinions
    from webapp.pages import permissions as pages
    from webapp.registrations import permissions as registrations
    from webapp.reports import permissions as reports
    from webapp.review import permissions as review
    from webapp.showcase import permissions as showcase
    from webapp.units import permissions as units

    policy.register_hooks(
        top_unit=units.top_unit, subtree_ids=units.subtree_ids, role_holders=auth.role_holders
    )
    for capability in (
        campaign,
        i18n,
        auth,
        registrations,
        review,
        coverage,
        reports,
        commendations,
        opinions,
        fund,
        pages,
        showcase,
        jobs,
        admin,
    ):
        policy.register(capability.RULES)
    policy.ensure_complete()


def _register_audit_readings() -> None:
    """Each capability tells the audit log how its events read (webapp/audit/sentences.py
    holds the registry and knows no capability); importing the module registers them."""
    import webapp.auth.audit
    import webapp.campaign.audit
    import webapp.commendations.audit
    import webapp.coverage.audit
    import webapp.fund.audit
    import webapp.i18n.audit
    import webapp.opinions.audit
    import webapp.pages.audit
    import webapp.registrations.audit
    import webapp.reports.audit
    import webapp.showcase.audit
    import webapp.units.audit  # noqa: F401


def _subscribe_capabilities(app: Flask) -> None:
    """Each capability subscribes to the events of the packages below it (webapp.events)."""
    from webapp import auth, coverage, fund, review
    from webapp.pages import cache as page_cache

    auth.init_app(app)
    page_cache.init_app(app)  # a change to what public pages show bumps their generation
    review.init_app(app)
    coverage.init_app(app)
    fund.init_app(app)


def _register_blueprints(app: Flask) -> None:
    import webapp.opinions.sending_views  # noqa: F401  (its routes join the opinions blueprint)
    from webapp.admin.views import bp as admin
    from webapp.auth.views import bp as auth
    from webapp.campaign.views import bp as campaign
    from webapp.commendations.views import bp as commendations
    from webapp.coverage.views import bp as coverage
    from webapp.exports.views import bp as exports
    from webapp.fund.views import bp as fund
    from webapp.home.views import bp as home
    from webapp.i18n.views import bp as i18n
    from webapp.jobs.views import bp as jobs
    from webapp.notifications.views import bp as notifications
    from webapp.opinions import attached as _opinions_attached  # noqa: F401  (its routes join bp)
    from webapp.opinions import public as _opinions_public  # noqa: F401  (its routes join bp)
    from webapp.opinions.views import bp as opinions
    from webapp.pages.views import bp as pages
    from webapp.registrations.views import bp as registrations
    from webapp.reports.views import bp as reports
    from webapp.review.views import bp as review
    from webapp.showcase.views import bp as showcase
    from webapp.units.views import bp as units

    for blueprint in (
        home,
        auth,
        admin,
        units,
        campaign,
        registrations,
        review,
        coverage,
        reports,
        commendations,
        opinions,
        fund,
        notifications,
        jobs,
        pages,
        showcase,
        exports,
        i18n,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from webapp.auth.cli import create_admin, reorganize_command, set_password
    from webapp.backup.cli import backup, restore
    from webapp.jobs.cli import jobs_cli
    from webapp.reports.cli import report_figure
    from webapp.seed.cli import seed
    from webapp.units.cli import units_cli

    app.cli.add_command(seed)
    app.cli.add_command(create_admin)
    app.cli.add_command(set_password)
    units_cli.add_command(reorganize_command)  # auth's: it moves roles too
    app.cli.add_command(units_cli)
    app.cli.add_command(report_figure)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(jobs_cli)
