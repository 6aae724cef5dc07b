"""What each role's home page shows. Read-only queries; no Flask request objects here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from app.audit.services import recent_events
from app.cycles.services import ProgressCount, current_cycle, cycle_assignments, grouped_returns, progress
from app.departments.services import list_departments
from app.extensions import db
from app.models import Assignment, AuditEvent, Cycle, Department, Role, User
from app.models.types import utcnow
from app.questionnaires.workflow import Status
from app.users.services import count_users_by_role, list_users


@dataclass(frozen=True)
class DepartmentCoverage:
    """How many departments have a named lead officer: the audit cannot run without them."""

    active_departments: list[Department]
    without_lead: list[Department]

    @property
    def with_lead_count(self) -> int:
        return len(self.active_departments) - len(self.without_lead)


@dataclass(frozen=True)
class HomeSummary:
    coverage: DepartmentCoverage
    users_by_role: dict[Role, int]
    disabled_users: int
    failed_sign_ins_last_week: int
    recent: list[AuditEvent] = field(default_factory=list)


def department_coverage() -> DepartmentCoverage:
    active = list_departments(include_retired=False)
    without = [d for d in active if not any(u.active for u in d.lead_officers)]
    return DepartmentCoverage(active_departments=active, without_lead=without)


def home_summary(*, include_recent: bool = True) -> HomeSummary:
    week_ago = utcnow() - timedelta(days=7)
    disabled = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False))) or 0
    failed = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "auth.sign_in_failed", AuditEvent.occurred_at >= week_ago
        )
    ) or 0
    return HomeSummary(
        coverage=department_coverage(),
        users_by_role=count_users_by_role(),
        disabled_users=disabled,
        failed_sign_ins_last_week=failed,
        recent=recent_events(10) if include_recent else [],
    )


@dataclass(frozen=True)
class CycleSummary:
    cycle: Cycle
    progress: list[ProgressCount]  # departments' returns
    total: int  # departments' returns
    awaiting_review: int
    partnership: list[Assignment]
    peers_received: int
    peers_total: int


def cycle_summary(today: date) -> CycleSummary | None:
    """The open cycle at a glance: departments' progress, what waits for review, the partnership and peers."""
    cycle = current_cycle()
    if cycle is None:
        return None
    returns = grouped_returns(cycle_assignments(cycle))
    received = sum(1 for a in returns.peers if a.status in (Status.SUBMITTED.value, Status.ACCEPTED.value))
    return CycleSummary(cycle, progress(returns.departments, today), len(returns.departments),
                        returns.awaiting_review, returns.partnership, received, len(returns.peers))


def community_safety_contacts() -> list[User]:
    """Who a lead officer should ask for help."""
    return list_users(role=Role.COMMUNITY_SAFETY_OFFICER.value, active=True)
