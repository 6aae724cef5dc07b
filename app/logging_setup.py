"""Log to stderr in a single line per record, at the configured level."""

from __future__ import annotations

import logging

from flask import Flask


def register_logging(app: Flask) -> None:
    level = str(app.config.get("LOG_LEVEL", "INFO")).upper()
    app.logger.setLevel(level)
    logging.getLogger("app").setLevel(level)
