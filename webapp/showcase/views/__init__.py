"""Effective models over HTTP: the public showcase and a model's page, photo files, the spread
of a unit's models, and the forms to recognise, withdraw, add photos and replicate."""

from webapp.showcase.views import manage, public  # noqa: F401  (routes register on import)
from webapp.showcase.views.common import bp

__all__ = ["bp"]
