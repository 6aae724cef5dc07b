"""Accounts: who can sign in, in which role, for which departments."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.department import Department
from app.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    LEAD_OFFICER = "lead_officer"
    COMMUNITY_SAFETY_OFFICER = "community_safety_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.LEAD_OFFICER: "Lead officer",
    Role.COMMUNITY_SAFETY_OFFICER: "Community safety officer",
    Role.AUDITOR: "Auditor",
    Role.ADMIN: "Administrator",
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.LEAD_OFFICER: "Completes the Section 17 self-assessment for their department(s).",
    Role.COMMUNITY_SAFETY_OFFICER: "Runs audit cycles, reviews returns and manages departments and users.",
    Role.AUDITOR: "Reads everything, including the audit log; cannot change anything.",
    Role.ADMIN: "Manages accounts, departments and organisation settings.",
}

user_departments = Table(
    "user_departments",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively: we store them trimmed and lower-cased."""
    return email.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('lead_officer', 'community_safety_officer', 'auditor', 'admin')", name="role_valid"
        ),
        CheckConstraint("submitted_mail IN ('each', 'digest')", name="submitted_mail_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changing this token signs the user out everywhere: it is part of the id in the session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Returns submitted for review: "each" (a message for each) or "digest" (one a day listing them).
    submitted_mail: Mapped[str] = mapped_column(String(16), default="each")

    departments: Mapped[list[Department]] = relationship(
        secondary=user_departments, back_populates="lead_officers", order_by="Department.name"
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        """Flask-Login stores this in the session; see load_user for the check."""
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        """Invalidate every existing session of this user (sign out, password change, disable)."""
        self.session_token = new_session_token()

    def as_audit_dict(self) -> dict[str, object]:
        """What the audit log records about a user: never the password hash or session token."""
        return {
            "name": self.name,
            "email": self.email,
            "role": self.role,
            "active": self.active,
            "departments": sorted(d.code for d in self.departments),
        }

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
