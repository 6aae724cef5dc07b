"""The audit log page: newest first, filterable, paginated, read-only for everyone."""

from __future__ import annotations

from flask import render_template, request, url_for

from app.audit import bp
from app.audit.services import ACTION_GROUPS, describe_changes, list_events
from app.security.access import Permission, allow


@bp.route("/")
@allow(Permission.VIEW_AUDIT_LOG)
def index() -> str:
    group = request.args.get("group") or None
    if group not in ACTION_GROUPS:
        group = None
    person = (request.args.get("person") or "").strip()[:254] or None
    page = request.args.get("page", 1, type=int)
    result = list_events(group=group, person=person, page=page)

    def page_url(number: int) -> str:
        return url_for("audit.index", group=group, person=person, page=number)

    return render_template("audit/index.html", result=result, groups=ACTION_GROUPS, group=group, person=person,
                           page_url=page_url, describe_changes=describe_changes)
