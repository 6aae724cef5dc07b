"""Error pages in the GOV.UK style. A 500 rolls back the session so the next request starts clean."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from limits import parse
from werkzeug.exceptions import HTTPException

from app.extensions import db, login_manager
from app.organisation.services import last_known_organisation

log = logging.getLogger(__name__)

# Status codes with a page of their own; others fall back to the generic page.
_TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/405.html",
    413: "errors/413.html",
    429: "errors/429.html",
    500: "errors/500.html",
}


def _render(status: int, **context: object) -> tuple[str, int]:
    template = _TEMPLATES.get(status, "errors/generic.html")
    try:
        return render_template(template, status=status, **context), status
    except Exception:
        log.warning("The error page could not be drawn as usual; drawing it without the database", exc_info=True)
    return _render_without_database(template, status, context)


def _render_without_database(template: str, status: int, context: dict[str, object]) -> tuple[str, int]:
    """The error page when the database is what failed: nobody signed in, the last names we knew.

    The usual page asks the database who is signed in and what the council is
    called. Without this, a database outage gave Werkzeug's bare page, without our
    security headers (they are added to whatever this returns).
    """
    with suppress(Exception):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()  # Flask-Login then asks the database nothing
    g.organisation = last_known_organisation()
    try:
        return render_template(template, status=status, **context), status
    except Exception:
        log.exception("The error page could not be drawn at all")
        return _PLAIN_ERROR, status


_PLAIN_ERROR = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>Sorry, there is a problem with the service - Section 17 Audit</title></head><body>"
                "<h1>Sorry, there is a problem with the service</h1>"
                "<p>Try again later. Anything you saved before this happened is kept.</p></body></html>")


def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    log.info("CSRF check failed for %s %s: %s", request.method, request.path, error.description)
    return _render(400, csrf=True)


def handle_http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    if status == 429:
        return _render(429, wait_minutes=_login_window_minutes())
    return _render(status, description=error.description)


def _login_window_minutes() -> int:
    """The length of the sign-in throttling window, to tell the user how long to wait."""
    item = parse(str(current_app.config["LOGIN_RATE_LIMIT"]))
    return max(1, item.get_expiry() // 60)


def handle_unexpected_error(error: Exception) -> tuple[str, int]:
    log.exception("Unhandled error on %s %s", request.method, request.path)
    with suppress(Exception):  # with the database down, even a rollback can fail
        db.session.rollback()
    return _render(500)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
