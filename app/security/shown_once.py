"""Show a secret once, on the next page, without putting it in the session cookie.

A page that makes a secret (a peer's invitation link, a temporary password)
redirects to a page that shows it, so that refreshing cannot make it again. The
secret has to survive that redirect. Flask's session cookie is only signed: a
secret put there can be read from the cookie by anyone who sees it. So the secret
waits in the database (ShownOnce) and the session carries only a random handle for
it. Showing it deletes the row; rows not shown within SHOWN_ONCE_LIFETIME are
deleted the next time any secret is kept, so a secret never waits long.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import delete, select

from app.extensions import db
from app.models import ShownOnce
from app.models.types import utcnow

SHOWN_ONCE_LIFETIME = timedelta(minutes=10)
_SESSION_KEY = "shown_once"


def _slot(purpose: str, object_id: int) -> str:
    return f"{purpose}:{object_id}"


def keep_to_show_once(purpose: str, object_id: int, secret: str, *, viewer_id: int, extra: str = "") -> None:
    """Keep `secret` for the next page this viewer opens about this object. The caller commits."""
    db.session.execute(delete(ShownOnce).where(ShownOnce.created_at < utcnow() - SHOWN_ONCE_LIFETIME))
    handle = secrets.token_urlsafe(24)
    db.session.add(ShownOnce(handle=handle, purpose=purpose, object_id=object_id, viewer_id=viewer_id,
                             secret=secret, extra=extra))
    handles = dict(session.get(_SESSION_KEY) or {})
    handles[_slot(purpose, object_id)] = handle
    session[_SESSION_KEY] = handles


def take_shown_once(purpose: str, object_id: int, *, viewer_id: int) -> tuple[str, str] | None:
    """The secret and its `extra`, if this browser's session was given one for this object; then it is gone."""
    handles = dict(session.get(_SESSION_KEY) or {})
    handle = handles.pop(_slot(purpose, object_id), None)
    if handle is None:
        return None
    session[_SESSION_KEY] = handles
    row = db.session.scalar(select(ShownOnce).where(ShownOnce.handle == str(handle)))
    if row is None or row.viewer_id != viewer_id or row.purpose != purpose or row.object_id != object_id:
        return None  # not this person's secret: leave it for its owner
    db.session.delete(row)
    db.session.commit()
    if row.created_at < utcnow() - SHOWN_ONCE_LIFETIME:
        return None
    return row.secret, row.extra
