"""WSGI entry point for production servers: `gunicorn -c python:app.gunicorn_hooks wsgi:app` (see the README).

faulthandler comes first, before anything is imported: a process that crashes in C
code (a segmentation fault in an extension) then prints the Python stack of every
thread to stderr, the server's log, instead of vanishing with only a signal number.
"""

import faulthandler

try:
    faulthandler.enable()
except (AttributeError, OSError, RuntimeError, ValueError):  # a server whose stderr has no file descriptor
    pass

import sys  # noqa: E402

from app import create_app  # noqa: E402
from app.config import ConfigurationError  # noqa: E402
from app.heap import freeze_startup_objects  # noqa: E402
from app.templating import compile_page_templates  # noqa: E402

try:
    app = create_app()
except ConfigurationError as error:
    sys.exit(f"Section 17 Audit cannot start: {error}")

compile_page_templates(app)  # before the freeze, so the compiled templates are frozen with the rest
freeze_startup_objects()
