"""Counting the SQL statements a piece of work sends: tests that a page costs a fixed number of
queries however much data it shows, and the benchmarks that report those counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from webapp.extensions import db


@contextmanager
def counting_queries(engine: sa.Engine | None = None) -> Iterator[list[str]]:
    """The statements sent to `engine` (the app's by default) inside the block, in order."""
    engine = engine if engine is not None else db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
