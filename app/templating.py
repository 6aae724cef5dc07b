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
