"""Exports for the web UI: the export page of a cycle, background export jobs and their downloads.

The rules (who may export what, writing the file, the audit record) are shared with
the `section17 export` command in app/downloads/services.py; the background jobs are
in app/downloads/jobs.py.
"""

from flask import Blueprint

bp = Blueprint("downloads", __name__)

from app.downloads import routes  # noqa: E402,F401
