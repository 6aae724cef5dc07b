"""Peer benchmarking for the community safety officer: the peer register and invitation links."""

from flask import Blueprint

bp = Blueprint("benchmarking", __name__, url_prefix="/benchmarking/peers")

from app.benchmarking import routes  # noqa: E402,F401
