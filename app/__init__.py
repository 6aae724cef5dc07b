"""Section 17 Audit: the Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.blueprints import register_blueprints
from app.cli import register_commands
from app.config import configure
from app.errors import register_error_handlers
from app.extensions import register_extensions
from app.logging_setup import register_logging
from app.questionnaires.registry import register_questionnaires
from app.security.access import register_access_control
from app.security.headers import register_security_headers
from app.security.proxies import register_proxy_fix
from app.security.sessions import register_sessions
from app.security.uploads import AppRequest
from app.tasks.queue import register_queue
from app.templating import register_templating


def create_app(config_overrides: dict[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.request_class = AppRequest  # a few views take larger uploads (app/security/uploads.py)
    configure(app, config_overrides)
    register_logging(app)
    register_proxy_fix(app)
    register_extensions(app)
    register_questionnaires(app)
    register_queue(app)
    register_sessions(app)
    register_access_control(app)
    register_templating(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    return app
