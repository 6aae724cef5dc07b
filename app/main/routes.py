"""Home pages, legal pages and the health check."""

from __future__ import annotations

import logging
from datetime import date

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from app.extensions import db, limiter
from app.main import bp
from app.main.services import (
    community_safety_contacts,
    cycle_summaries,
    group_returns,
    home_summary,
    needing_changes,
)
from app.models import Role
from app.navigation import settings_links_for_current_user
from app.respond.services import returns_for
from app.security.access import Permission, allow, public, signed_in

log = logging.getLogger(__name__)

_HOME_TEMPLATES = {
    Role.LEAD_OFFICER: "main/home_lead_officer.html",
    Role.COMMUNITY_SAFETY_OFFICER: "main/home_community_safety_officer.html",
    Role.AUDITOR: "main/home_auditor.html",
    Role.ADMIN: "main/home_admin.html",
}


@bp.route("/")
@signed_in
def home() -> str:
    role = Role(current_user.role)
    user = current_user._get_current_object()
    returns = returns_for(user) if role in (Role.LEAD_OFFICER, Role.COMMUNITY_SAFETY_OFFICER) else []
    shown = {"returns": returns, "return_groups": group_returns(returns), "to_change": needing_changes(returns)}
    if role == Role.LEAD_OFFICER:
        return render_template(_HOME_TEMPLATES[role], departments=user.departments,
                               contacts=community_safety_contacts(), **shown)
    return render_template(_HOME_TEMPLATES[role], summary=home_summary(include_recent=role != Role.AUDITOR),
                           cycles=cycle_summaries(date.today()), **shown)


@bp.route("/settings")
@allow(Permission.VIEW_DIRECTORY)
def settings() -> str:
    return render_template("main/settings.html", links=settings_links_for_current_user())


@bp.route("/accessibility")
@public
def accessibility() -> str:
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
def privacy() -> str:
    return render_template("main/privacy.html")


@bp.route("/healthz")
@public
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """For load balancers: 200 when the database answers, 503 otherwise. No data, no login."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        log.exception("Health check: database unavailable")
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200
