"""The campaign blueprint, on which every campaign screen module adds its routes (full paths: the
screens sit under different addresses)."""

from flask import Blueprint

bp = Blueprint("campaign", __name__)
