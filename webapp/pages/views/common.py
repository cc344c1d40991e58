"""The pages blueprint, on which every pages screen module adds its routes (full paths: the
screens sit under different addresses)."""

from flask import Blueprint

bp = Blueprint("pages", __name__)
