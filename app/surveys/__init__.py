"""Questionnaires: list, read, and import a council's own checklist."""

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/questionnaires")

from app.surveys import routes  # noqa: E402,F401
