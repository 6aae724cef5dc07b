"""Departments (divisions or service areas) of the council, each audited separately."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Where the department's work touches crime and disorder: shown to its lead officer.
    description: Mapped[str] = mapped_column(Text, default="")
    # Departments are retired, never deleted: past audit cycles refer to them.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead_officers: Mapped[list[User]] = relationship(
        secondary="user_departments", back_populates="departments", order_by="User.name"
    )

    def as_audit_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "description": self.description, "active": self.active}

    def __repr__(self) -> str:
        return f"<Department {self.code}>"
