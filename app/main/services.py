"""What each role's home page shows. Read-only queries; no Flask request objects here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from app.audit.services import recent_events
from app.cycles.services import ProgressCount, ReturnSummary, cycle_returns, grouped_returns, open_cycles, progress
from app.departments.services import list_departments
from app.extensions import db
from app.models import Assignment, AuditEvent, Cycle, CycleStatus, Department, Role, User
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
    partnership: list[ReturnSummary]
    peers_received: int
    peers_total: int


def cycle_summaries(today: date) -> list[CycleSummary]:
    """Every open cycle at a glance, the latest first: departments' progress, what waits for review, and peers.

    Not only the newest: a cycle still running when the next one opens keeps its
    returns waiting for review on the dashboard until it is closed.
    """
    summaries = []
    for cycle in open_cycles():
        returns = grouped_returns(cycle_returns(cycle))
        received = sum(1 for a in returns.peers if a.status in (Status.SUBMITTED.value, Status.ACCEPTED.value))
        summaries.append(CycleSummary(cycle, progress(returns.departments, today), len(returns.departments),
                                      returns.awaiting_review, returns.partnership, received, len(returns.peers)))
    return summaries


@dataclass(frozen=True)
class ReturnGroup:
    """Returns of one questionnaire in one cycle: the title is said once, each row names who answers."""

    cycle: Cycle
    title: str
    returns: list[Assignment]


def group_returns(returns: list[Assignment]) -> list[ReturnGroup]:
    """Returns grouped by cycle and questionnaire, in the order given (newest cycle first)."""
    groups: dict[tuple[int, str], ReturnGroup] = {}
    for assignment in returns:
        key = (assignment.cycle_id, assignment.snapshot.title)
        if key not in groups:
            groups[key] = ReturnGroup(assignment.cycle, assignment.snapshot.title, [])
        groups[key].returns.append(assignment)
    return list(groups.values())


def needing_changes(returns: list[Assignment]) -> list[Assignment]:
    """Returns sent back to be changed, in a cycle still open (a closed cycle's cannot be changed)."""
    return [a for a in returns if a.status == Status.RETURNED.value and a.cycle.status == CycleStatus.OPEN.value]


def community_safety_contacts() -> list[User]:
    """Who a lead officer should ask for help."""
    return list_users(role=Role.COMMUNITY_SAFETY_OFFICER.value, active=True)
