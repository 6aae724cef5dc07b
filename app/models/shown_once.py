"""Secrets shown once to the person who made them: a new invitation link, a temporary password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ShownOnce(db.Model):
    """A secret waiting to be shown, once, on the page after the one that made it.

    The browser's session holds only `handle`, a random name for the row; the secret
    itself never leaves the server until its page is shown, and the row is deleted
    then (or after a few minutes, see app/security/shown_once.py). Flask's session
    cookie is signed, not encrypted: anything put in it can be read by whoever holds
    the cookie, in the browser's storage or a proxy's log.
    """

    __tablename__ = "shown_once"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))  # e.g. "invitation-link", "temporary-password"
    object_id: Mapped[int] = mapped_column()  # the invitation or user the secret belongs to
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    secret: Mapped[str] = mapped_column(Text)
    extra: Mapped[str] = mapped_column(String(32), default="")  # e.g. "created" or "reset"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
