"""Answering returns: lead officers for their departments, the community safety officer for the partnership."""

from flask import Blueprint

bp = Blueprint("respond", __name__, url_prefix="/returns")

from app.respond import routes  # noqa: E402,F401
