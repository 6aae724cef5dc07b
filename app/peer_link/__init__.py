"""A peer contact answering the benchmarking questionnaire through their invitation link, without an account."""

from flask import Blueprint

bp = Blueprint("peer", __name__, url_prefix="/peer")

from app.peer_link import routes  # noqa: E402,F401
