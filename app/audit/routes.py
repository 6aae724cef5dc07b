"""The audit log page: newest first, filterable, paginated, read-only for everyone."""

from __future__ import annotations

import json

from flask import render_template, request, url_for

from app.audit import bp
from app.audit.services import ACTION_GROUPS, list_events
from app.security.access import Permission, allow


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@bp.route("/")
@allow(Permission.VIEW_AUDIT_LOG)
def index() -> str:
    group = request.args.get("group") or None
    if group not in ACTION_GROUPS:
        group = None
    actor = (request.args.get("actor") or "").strip()[:254] or None
    page = request.args.get("page", 1, type=int)
    result = list_events(group=group, actor_email=actor, page=page)

    def page_url(number: int) -> str:
        return url_for("audit.index", group=group, actor=actor, page=number)

    return render_template("audit/index.html", result=result, groups=ACTION_GROUPS, group=group, actor=actor,
                           page_url=page_url, pretty=_pretty)
