"""Questionnaires: list, read, and import a council's own checklist."""

from flask import Blueprint

bp = Blueprint("questionnaire_library", __name__, url_prefix="/questionnaires")

from app.questionnaire_library import routes  # noqa: E402,F401
