"""Writing and reading the audit log.

Services call record_event() explicitly next to the change they make, inside the
same transaction, so a change and its audit record are committed together or not
at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import AuditEvent, User
from app.models.types import utcnow

# Grouping of action names for the audit log filter.
ACTION_GROUPS: dict[str, str] = {
    "auth": "Sign-in and sessions",
    "access": "Refused access",
    "user": "Accounts and roles",
    "department": "Departments",
    "organisation": "Organisation settings",
    "peer": "Peer register",
    "invitation": "Invitation links",
    "crime": "Crime figures and offence types",
    "export": "Exports",
    "mail": "E-mail messages",
}


def record_event(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    actor: User | None = None,
    actor_email: str | None = None,
    commit: bool = False,
) -> AuditEvent:
    """Add an audit event to the session (and commit it when asked).

    The actor defaults to the signed-in user of the current request; command-line
    changes pass actor_email such as "command line".
    """
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:500],
        before=before,
        after=after,
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else (actor_email or _default_actor_label()),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


REFUSALS_WINDOW = timedelta(minutes=15)
_MOST_PAGES_LISTED = 100


def record_refusal(actor: User, endpoint: str, method: str, path: str) -> None:
    """Record a refused request, folding repeats by the same person into one record per window.

    Every refusal counts, but a person (or a script in their session) trying page
    after page must not write a row for each: a sweep of a few hundred requests
    filled the log with 1,256 rows, burying everything else. The first refusal in a
    15-minute window is a record of its own; later ones in that window add to its
    count and its list of pages. This is the one kind of record that changes after
    it is written, and only by counting more of the same.
    """
    now = utcnow()
    page = f"{method} {endpoint}"
    open_record = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.actor_id == actor.id,
                                 AuditEvent.occurred_at >= now - REFUSALS_WINDOW)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(1))
    if open_record is None:
        record_event("access.denied", summary=f"Refused access: {method} {path}", actor=actor,
                     after={"endpoint": endpoint, "method": method, "times": 1, "pages": {page: 1},
                            "last_path": path[:300], "last_at": now.isoformat()})
    else:
        after = dict(open_record.after or {})
        pages = dict(after.get("pages") or {})
        if page in pages or len(pages) < _MOST_PAGES_LISTED:
            pages[page] = int(pages.get(page, 0)) + 1
        times = int(after.get("times", 1)) + 1
        open_record.after = {**after, "times": times, "pages": pages, "last_path": path[:300],
                             "last_at": now.isoformat()}
        first = open_record.summary.split(": ", 1)[-1].split(" (", 1)[0]
        pages_text = "1 page" if len(pages) == 1 else f"{len(pages):,} pages"
        open_record.summary = f"Refused access: {first} ({times:,} refusals in all, {pages_text})"[:500]
    db.session.commit()


def _default_actor_label() -> str | None:
    """Changes made outside a web request come from the command line."""
    return None if has_request_context() else "command line"


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def list_events(*, group: str | None = None, actor_email: str | None = None, person: str | None = None,
                page: int = 1, per_page: int = 50) -> AuditPage:
    """Newest first, optionally filtered by action group, an exact actor email, or part of a name or email."""
    query = select(AuditEvent).outerjoin(User, AuditEvent.actor_id == User.id)
    if group:
        query = query.where(AuditEvent.action.startswith(f"{group}."))
    if actor_email:
        query = query.where(AuditEvent.actor_email == actor_email.strip().lower())
    if person and person.strip():
        fragment = person.strip()
        query = query.where(or_(AuditEvent.actor_email.icontains(fragment, autoescape=True),
                                User.name.icontains(fragment, autoescape=True)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = list(
        db.session.scalars(
            query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return AuditPage(events=events, page=page, pages=pages, total=total)


def recent_events(limit: int = 10) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
        )
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_show(item) for item in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_show(item)}" for key, item in value.items())
    return str(value)


def describe_changes(before: Any, after: Any) -> list[FieldChange]:
    """The fields an event changed, before and after, in words (what the audit log shows)."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before is None and after is None:
            return []
        return [FieldChange("value", _show(before), _show(after))]
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    changed = [k for k in keys if old.get(k) != new.get(k)] if old and new else keys
    return [FieldChange(key.replace("_", " "), _show(old.get(key)) if old else "", _show(new.get(key)) if new else "")
            for key in changed]
