"""Reading and reviewing returns: accept, or return with a reason."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from app.review import routes  # noqa: E402,F401
from app.review.comments import RESOLUTION_WORDS  # noqa: E402

# The conversation on an answer is shown on the officer's pages too (templates/review/_comments.html).
bp.add_app_template_global(RESOLUTION_WORDS, "resolution_words")
