"""The outbox pages: every message the service sent or would send, and chasing returns by hand."""

from flask import Blueprint

bp = Blueprint("outbox", __name__)

from app.outbox import routes  # noqa: E402,F401
