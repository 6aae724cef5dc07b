"""The outbox: every e-mail the service sends, or would send, is first a row here.

A row is written in the same transaction as the change it tells someone about
(a cycle opened, a return sent back), so a message is never lost between the
change and the sending, and never sent about a change that was rolled back.
Workers then deliver it (app/mail/outbox.py). The row keeps exactly what was,
or would be, sent, and what happened to it, for the CSO's outbox page and for
audit.

`idempotency_key` names the message in words of the schedule ("reminder 2 for
return 17"); it is unique, so however many schedule passes, retries, restarts or
workers there are, that message is recorded, and so sent, once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.action import Action
from app.models.assignment import Assignment
from app.models.cycle import Cycle
from app.models.peer import PeerInvitation
from app.models.types import UTCDateTime, utcnow
from app.models.user import User


class MessageState(StrEnum):
    QUEUED = "queued"  # waiting for a worker, or for its next attempt after a failure
    SENDING = "sending"  # a worker has claimed it and is handing it to the mail service
    SENT = "sent"
    FAILED = "failed"  # attempts used up, refused for good, or e-mail not set up
    CANCELLED = "cancelled"  # no longer true or wanted: the return was submitted, the person disabled


class StopWhen(StrEnum):
    """What makes a queued message pointless, checked again just before it is sent."""

    NEVER = "never"
    SUBMITTED = "submitted"  # a reminder, a chase, "the cycle is open": not once the return is submitted or the cycle closed
    ACTION_CLOSED = "action_closed"  # an action's reminder: not once the action is done or dropped


MESSAGE_STATES = tuple(s.value for s in MessageState)
UNSENT = (MessageState.QUEUED.value, MessageState.SENDING.value)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')", name="state_valid"),
        CheckConstraint("stop_when IN ('never', 'submitted', 'action_closed')", name="stop_when_valid"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("idempotency_key != ''", name="key_not_empty"),
        Index("ix_outbox_messages_state_next_attempt", "state", "next_attempt_at"),
        Index("ix_outbox_messages_assignment", "assignment_id"),
        Index("ix_outbox_messages_recipient", "recipient_user_id"),
        Index("ix_outbox_messages_cycle_created", "cycle_id", "created_at"),
        Index("ix_outbox_messages_peer_invitation", "peer_invitation_id"),
        Index("ix_outbox_messages_action", "action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient_email: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    about: Mapped[str] = mapped_column(String(300), default="")  # in words: "Housing Services' return, 2026/27"
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    peer_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("peer_invitations.id", ondelete="CASCADE"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    stop_when: Mapped[str] = mapped_column(String(16), default=StopWhen.NEVER.value)
    state: Mapped[str] = mapped_column(String(16), default=MessageState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider: Mapped[str] = mapped_column(String(16), default="")  # smtp, notify, or "" while not handed over
    provider_id: Mapped[str] = mapped_column(String(200), default="")  # Message-ID, or Notify's notification id
    provider_status: Mapped[str] = mapped_column(String(40), default="")  # Notify's delivery status

    recipient: Mapped[User | None] = relationship(foreign_keys=[recipient_user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cycle: Mapped[Cycle | None] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    peer_invitation: Mapped[PeerInvitation | None] = relationship()
    action: Mapped[Action | None] = relationship()


class ScheduledRun(db.Model):
    """One row per periodic job and period: inserting it is how a worker claims that period's run.

    Every worker's scheduler queues the periodic jobs; the first to insert
    (name, period) runs it, the others find the row and stop. So the reminder pass
    runs once an hour however many workers there are.
    """

    __tablename__ = "scheduled_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(Text, default="")
