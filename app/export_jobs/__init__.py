"""Exports for the web UI: the export page of a cycle, background export jobs and their downloads.

The rules (who may export what, writing the file, the audit record) are shared with
the `section17 export` command in app/export_jobs/services.py; the background jobs are
in app/export_jobs/jobs.py.
"""

from flask import Blueprint

bp = Blueprint("export_jobs", __name__)

from app.export_jobs import routes  # noqa: E402,F401
