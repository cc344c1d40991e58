"""Pages of a list already in memory, numbered from the `page` query argument."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request


@dataclass(frozen=True)
class Paged:
    items: list[Any]
    page: int
    pages: int
    total: int


def page_of(rows: list[Any], size: int) -> Paged:
    """The requested page (clamped to the pages there are; a bad number is the first)."""
    total = len(rows)
    pages = max(1, -(-total // size))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return Paged(rows[(page - 1) * size : page * size], page, pages, total)
