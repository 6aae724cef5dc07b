"""Results of a cycle: heatmap, department drill-down, gap register, hallmarks, peer approaches, comparison."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from app.results import routes  # noqa: E402,F401
