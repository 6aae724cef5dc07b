"""A return on paper: a print view for the browser and the same page as a PDF (WeasyPrint) for committee papers."""

from flask import Blueprint

bp = Blueprint("printing", __name__)

from app.printing import routes  # noqa: E402,F401
