"""The improvement action plan: actions raised from gaps, their owners, due dates and progress notes."""

from flask import Blueprint

bp = Blueprint("actions", __name__, url_prefix="/actions")

from app.actions import routes  # noqa: E402,F401
