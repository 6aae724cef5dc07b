"""Benchmarking against peer partnerships, the whole feature in one package.

This package's own blueprint is the peer register and the invitation links the community safety
officer sends (register*.py, invitations.py). Beside it: `peer/`, the pages a peer contact answers
through their link, without an account; `crime/`, the family group's recorded crime, imported and
compared (rank, quartile); `commands.py`, the `section17 peers` commands.
"""

from flask import Blueprint

bp = Blueprint("benchmarking", __name__, url_prefix="/benchmarking/peers")

from app.benchmarking import routes  # noqa: E402,F401
