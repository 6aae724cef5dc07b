"""A peer contact answering the benchmarking questionnaire through their invitation link, without an account."""

from flask import Blueprint

bp = Blueprint("peer", __name__, url_prefix="/peer")

from app.benchmarking.peer import routes  # noqa: E402,F401
