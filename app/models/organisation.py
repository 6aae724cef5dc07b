"""Organisation settings: the council and partnership the service is run for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

DEFAULT_COUNCIL_NAME = "Your council"
DEFAULT_PARTNERSHIP_NAME = "Your community safety partnership"


class Organisation(db.Model):
    """One row: the names shown in the header, on pages and in exports."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_name: Mapped[str] = mapped_column(String(150))
    partnership_name: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def as_audit_dict(self) -> dict[str, str]:
        return {"council_name": self.council_name, "partnership_name": self.partnership_name}
