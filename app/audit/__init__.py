"""The audit log: reading it (writing is app/audit/services.py)."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit-log")

from app.audit import routes  # noqa: E402,F401
