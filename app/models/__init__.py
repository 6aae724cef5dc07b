"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from app.models.audit import AuditEvent
from app.models.department import Department
from app.models.organisation import Organisation
from app.models.user import ROLE_LABELS, Role, User, user_departments

__all__ = ["AuditEvent", "Department", "Organisation", "ROLE_LABELS", "Role", "User", "user_departments"]
