"""Peer partnerships, the crime figures we compare them on, and the links they answer by."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class OffenceType(db.Model):
    """An offence type the council has added to the product's reference list (app/benchmarking/crime/offences.py).

    `key` is what import files use (e.g. cycle_theft); it never changes once figures use it.
    """

    __tablename__ = "offence_types"
    __table_args__ = (CheckConstraint("key != ''", name="key_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def as_audit_dict(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label}


class CrimeStatistic(db.Model):
    """Recorded crime for one partnership, offence type and period (e.g. 2001/02).

    `offence` is a key of the offence reference list or of an OffenceType the council
    added (checked when figures are imported). `rate_per_1000` is always stored: as
    given, or worked out from `count` and `population` when those were given.
    `change_pct` is the change on the previous period as the source gave it, if it did.
    """

    __tablename__ = "crime_statistics"
    __table_args__ = (
        UniqueConstraint("peer_partnership_id", "offence", "period",
                         name="uq_crime_statistics_partnership_offence_period"),
        CheckConstraint("rate_per_1000 >= 0", name="rate_not_negative"),
        CheckConstraint("count IS NULL OR count >= 0", name="count_not_negative"),
        CheckConstraint("population IS NULL OR population > 0", name="population_positive"),
        Index("ix_crime_statistics_offence_period", "offence", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_partnership_id: Mapped[int] = mapped_column(ForeignKey("peer_partnerships.id", ondelete="RESTRICT"))
    offence: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    count: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    rate_per_1000: Mapped[float] = mapped_column(Float)
    change_pct: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255), default="")  # the file it was imported from
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    partnership: Mapped[PeerPartnership] = relationship()


class PeerInvitation(db.Model):
    """A link that lets one peer contact answer one peer return, without an account.

    Only the SHA-256 of the link's token is stored: the token itself is shown once,
    to the officer who made the invitation. A link stops working when it expires or
    is revoked; several invitations (say a second contact) can share one return.
    When a link is first opened is in the audit log ("invitation.opened"): opening a
    page changes nothing in the data.
    """

    __tablename__ = "peer_invitations"
    __table_args__ = (CheckConstraint("token_hash != ''", name="token_hash_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    contact_name: Mapped[str] = mapped_column(String(150))
    contact_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    # The token sealed (encrypted with a key from SECRET_KEY), kept only when the service e-mails the link, so
    # that reminders can carry it; emptied when the link is revoked or expires (app/security/sealing.py).
    sealed_token: Mapped[str | None] = mapped_column(Text)

    assignment = relationship("Assignment")
    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    def as_audit_dict(self) -> dict[str, object]:
        return {"assignment": self.assignment_id, "contact_name": self.contact_name,
                "contact_email": self.contact_email, "expires_at": self.expires_at.isoformat()}
