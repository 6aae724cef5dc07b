"""WSGI entry point for production servers, e.g. `gunicorn wsgi:app`."""

import sys

from app import create_app
from app.config import ConfigurationError
from app.heap import freeze_startup_objects

try:
    app = create_app()
except ConfigurationError as error:
    sys.exit(f"Section 17 Audit cannot start: {error}")

freeze_startup_objects()
