"""The generations of in-app translations as this request sees them: how many saves each
language has seen. Whatever is built from a language's translations and kept between requests
(the catalog chain in domain, the coverage counts in queries) is stamped with them, so a save
in one process shows on the next request of every other. Saving bumps them (services)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from webapp.extensions import db
from webapp.i18n.models import CatalogGeneration


def generations(codes: tuple[str, ...], *, fresh: bool = False) -> dict[str, int] | None:
    """How many in-app saves each language has seen, read once per request (`fresh`: read
    now, for a key that must never be older than the request); None when the database cannot
    say (an error page after a failed transaction still needs its words)."""
    cached = g.setdefault("catalog_generations", {})
    missing = list(codes) if fresh else [code for code in codes if code not in cached]
    if missing:
        try:
            found = dict(
                db.session.execute(
                    sa.select(CatalogGeneration.language, CatalogGeneration.generation).where(
                        CatalogGeneration.language.in_(missing)
                    )
                ).all()
            )
        except sa.exc.SQLAlchemyError:
            return None
        cached.update({code: found.get(code, 0) for code in missing})
    return {code: cached[code] for code in codes}
