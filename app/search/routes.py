"""The search page: a GET form (so a search can be bookmarked and shared) and its results."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from app.ids import parse_id
from app.search import bp
from app.search.engine import QUERY_MAX, START, STOP
from app.search.services import Scope, search, search_choices
from app.security.access import Permission, allow


def marked(snippet: str) -> Markup:
    """The snippet escaped, with the matched words in <mark>: nothing in stored text becomes markup."""
    return Markup(str(escape(snippet)).replace(START, "<mark>").replace(STOP, "</mark>"))


def _chosen(name: str, allowed: set[int]) -> tuple[int | None, str | None]:
    """An id from the query string, if it is one of those offered; a problem to show if not."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None, None
    value = parse_id(raw)
    if value is None or value not in allowed:
        return None, f"Choose a {name} from the list"
    return value, None


@bp.route("/")
@allow(Permission.VIEW_ALL_RETURNS, Permission.VIEW_OWN_DEPARTMENTS)
def index() -> tuple[str, int]:
    user = current_user._get_current_object()
    cycles, departments = search_choices(user)
    query = request.args.get("q", "")
    problems = []
    if len(query) > QUERY_MAX:
        problems.append(("q", f"Search for {QUERY_MAX} characters or fewer"))
    cycle_id, problem = _chosen("cycle", {c.id for c in cycles})
    if problem:
        problems.append(("cycle", problem))
    department_id, problem = _chosen("department", {d.id for d in departments})
    if problem:
        problems.append(("department", problem))
    results = None
    if query.strip() and not problems:
        results = search(user, query, Scope(cycle_id, department_id))
    return render_template("search/index.html", query=query, results=results, cycles=cycles,
                           departments=departments, cycle_id=cycle_id, department_id=department_id,
                           errors=dict(problems), error_list=[{"text": m, "href": f"#{f}"} for f, m in problems],
                           marked=marked), 400 if problems else 200
