"""The council's departments: who leads each on Section 17, and what its work touches."""

from flask import Blueprint

bp = Blueprint("departments", __name__, url_prefix="/departments")

from app.departments import routes  # noqa: E402,F401
