"""The reports blueprint, on which every reports screen module adds its routes (full paths: the
screens sit under different addresses)."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
