"""Evidence as documents: files attached to answers and progress notes, served only to those who may read them."""

from flask import Blueprint

bp = Blueprint("evidence", __name__)

from app.evidence import routes  # noqa: E402,F401
from app.evidence.services import size_words  # noqa: E402

bp.add_app_template_global(size_words, "size_words")
