"""Jinja set-up: GOV.UK Frontend macros, our filters and the values every page needs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from app.analysis.actions import ACTION_STATUS_LABELS
from app.navigation import navigation_for_current_user

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def format_datetime(value: datetime | None, with_time: bool = True) -> str:
    """GOV.UK style, in the council's time zone: 3 March 2026 at 2:05pm."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    day = f"{local.day} {local:%B %Y}"
    if not with_time:
        return day
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{day} at {hour}:{local:%M}{suffix}"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, with_time=False)
    return f"{value.day} {value:%B %Y}"


def iso_datetime(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _page_context() -> dict[str, Any]:
    from app.organisation.services import current_organisation

    config = current_app.config
    return {
        "organisation": current_organisation(),
        "service_name": "Section 17 Audit",
        "navigation_items": navigation_for_current_user(),
        "session_idle_seconds": round(float(config["SESSION_IDLE_MINUTES"]) * 60),
        "session_warning_seconds": round(float(config["SESSION_WARNING_MINUTES"]) * 60),
    }


def register_templating(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(TEMPLATES_DIR)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["isodatetime"] = iso_datetime
    app.jinja_env.globals["action_status_labels"] = ACTION_STATUS_LABELS
    app.context_processor(_page_context)
    WTFormsHelpers(app)


def compile_page_templates(app: Flask) -> int:
    """Compile every page template once, at start-up; returns how many.

    A worker otherwise compiles each template the first time a page needs it: the first review
    page of a new worker took about 100 ms more than the next. Compiled here they are in Jinja's
    cache (400 entries, more than there are templates) before the first request, and a template
    that no longer compiles stops the worker starting instead of failing a page. The mail/
    templates are the mail composer's, compiled there with its own filters.
    """
    names = [name for name in app.jinja_env.list_templates() if not name.startswith("mail/")]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)

