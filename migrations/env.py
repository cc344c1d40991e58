"""Alembic environment for Flask-Migrate and Flask-SQLAlchemy 3 (SQLite and PostgreSQL)."""

import logging
import re
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate = current_app.extensions["migrate"]
engine = migrate.db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def number_the_next_revision(script):
    """A new revision file continues the numbered chain (0015_… then 0016_…), so that `ls`
    lists the files in upgrade order; the revision ids themselves stay Alembic's."""
    numbers = [
        int(match.group(1))
        for path in Path(script.versions).glob("*.py")
        if (match := re.match(r"(\d{4})_", path.name))
    ]
    script.file_template = f"{max(numbers, default=0) + 1:04d}_%(rev)s_%(slug)s"


number_the_next_revision(context.script)


def get_metadata():
    return migrate.db.metadata


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        **migrate.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Autogenerate writes no empty revision when nothing changed.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(migrate.configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
