"""The Flask application for the campaign "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn
minh": create_app() builds it from configuration, extensions and one blueprint per capability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    import webapp.models  # noqa: F401  (every model mapped before queries or migrations)
    from webapp import assets, config, errors, extensions, security, templating
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
    sessions.init_app()
    assets.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    _subscribe_capabilities(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _subscribe_capabilities(app: Flask) -> None:
    """Each capability subscribes to the events of the packages below it (webapp.events)."""
    from webapp import coverage

    coverage.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from webapp.admin.views import bp as admin
    from webapp.audit.views import bp as audit
    from webapp.auth.views import bp as auth
    from webapp.campaign.views import bp as campaign
    from webapp.commendations.views import bp as commendations
    from webapp.coverage.views import bp as coverage
    from webapp.exports.views import bp as exports
    from webapp.home.views import bp as home
    from webapp.i18n.views import bp as i18n
    from webapp.notifications.views import bp as notifications
    from webapp.pages.views import bp as pages
    from webapp.registrations.views import bp as registrations
    from webapp.reports.views import bp as reports
    from webapp.review.views import bp as review
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
        notifications,
        pages,
        exports,
        i18n,
        audit,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from webapp.auth.cli import create_admin
    from webapp.reports.cli import report_figure
    from webapp.seed.cli import seed
    from webapp.units.cli import units_cli

    app.cli.add_command(seed)
    app.cli.add_command(create_admin)
    app.cli.add_command(units_cli)
    app.cli.add_command(report_figure)
