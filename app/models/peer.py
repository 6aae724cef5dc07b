"""Peer partnerships: the other community safety partnerships in our family group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class PeerPartnership(db.Model):
    __tablename__ = "peer_partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    area: Mapped[str] = mapped_column(String(150), default="")  # e.g. the county
    population: Mapped[int | None] = mapped_column(Integer)
    family_group: Mapped[str] = mapped_column(String(100), default="")
    # Our own partnership is kept in the same register, so that it can be ranked with its peers.
    is_own: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_audit_dict(self) -> dict[str, object]:
        return {"name": self.name, "area": self.area, "population": self.population,
                "family_group": self.family_group, "is_own": self.is_own}
