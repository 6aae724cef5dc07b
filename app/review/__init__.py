"""Reading and reviewing returns: accept, or return with a reason."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from app.review import routes  # noqa: E402,F401
