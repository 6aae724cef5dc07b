"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from app.models.action import Action, ActionNote
from app.models.assignment import Answer, Assignment, PendingSave
from app.models.audit import AuditEvent
from app.models.cycle import Cycle, CycleQuestionnaire, CycleStatus, QuestionnaireSnapshot
from app.models.department import Department
from app.models.evidence import EvidenceFile
from app.models.export_job import ExportJob, ExportJobStatus
from app.models.organisation import Organisation
from app.models.outbox import MessageState, OutboxMessage, ScheduledRun, StopWhen
from app.models.peer import CrimeStatistic, OffenceType, PeerInvitation, PeerPartnership
from app.models.review import AnswerComment, Submission
from app.models.shown_once import ShownOnce
from app.models.user import ROLE_LABELS, Role, User, user_departments

__all__ = [
    "Action", "ActionNote", "Answer", "AnswerComment", "Assignment", "AuditEvent", "CrimeStatistic", "Cycle", "CycleQuestionnaire",
    "CycleStatus", "Department", "EvidenceFile", "ExportJob", "ExportJobStatus", "OffenceType", "MessageState", "Organisation", "OutboxMessage", "PeerInvitation", "PeerPartnership", "PendingSave", "QuestionnaireSnapshot", "ROLE_LABELS", "Role", "ScheduledRun", "StopWhen", "ShownOnce", "Submission", "User", "user_departments",
]
