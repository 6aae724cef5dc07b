"""Crime benchmarking: import crime figures, manage offence types, compare with the family group."""

from flask import Blueprint

bp = Blueprint("crime", __name__, url_prefix="/benchmarking/crime")

from app.benchmarking.crime import routes  # noqa: E402,F401
