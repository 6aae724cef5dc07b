"""The outbox: recording a message with the change it reports, and delivering it exactly once.

Recording (`queue_message`) adds the row to the caller's transaction, keyed by its
idempotency key: if a message with that key exists, nothing is added, so running a
schedule twice, or two workers running it at once, records one message. When the
transaction commits, each new message's id goes onto the task queue.

Delivering (`deliver`) first claims the row (queued to sending, a conditional
write), so of two workers given the same id only one sends. Then, just before
sending, it checks the message is still wanted (the person still active, the
return still unsubmitted, the cycle still open) and cancels it if not. Failures the
mail service calls temporary are retried with growing waits (1, 5, 30 minutes,
2 hours), then the message is failed with the reason. A worker killed while
sending leaves a row "sending"; the sweep fails it after SENDING_TOO_LONG with a
message saying it may not have arrived, rather than risk sending it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import event, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.audit.services import record_event
from app.extensions import db
from app.mail.compose import Composed, compose
from app.mail.delivery import Delivery, DeliveryError, Outgoing, delivery_for
from app.mail.links import public_url
from app.models import Assignment, CycleStatus, MessageState, OutboxMessage, StopWhen, User
from app.models.types import utcnow
from app.tasks.queue import enqueue, task_queue

log = logging.getLogger(__name__)

DELIVER = "mail.deliver"
DELIVER_MANY = "mail.deliver-many"
HAND_OVER_BATCH = 25
RETRY_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
SENDING_TOO_LONG = timedelta(minutes=10)
LOST_AFTER = timedelta(minutes=1)  # a queued message due this long ago should have been taken: queue it again
SWEEP_BATCH = 1000
NOT_SET_UP = "E-mail is not set up (SECTION17_MAIL_URL), so this message was not sent."
CUT_OFF = ("The service stopped while handing this message to the mail server, so it may or may not have "
           "arrived. It has not been sent again, so that nobody gets it twice.")
WORKER = "background worker"
NEW_IDS = "section17_outbox_new"
# Stands in for a link that must not be kept (a password reset): the outbox shows this, the message the link.
LINK_MADE_WHEN_SENT = "[a link made when this message is sent: it is not kept here]"
_SEND_TIME_LINKS: dict[str, Callable[[OutboxMessage], str | None]] = {}
SUBMITTED_STATES = ("submitted", "accepted")


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Recipient:
        return cls(user.email, user.name, user.id)


def link_made_when_sent(template: str) -> Callable[[Callable[[OutboxMessage], str | None]], Any]:
    """Register how a template's secret link is made as the message is sent (None: do not send it)."""

    def register(make: Callable[[OutboxMessage], str | None]) -> Callable[[OutboxMessage], str | None]:
        _SEND_TIME_LINKS[template] = make
        return make

    return register


def _with_links(message: OutboxMessage) -> tuple[str, str] | None:
    """The text and HTML to send, with any link made now; None if the link cannot be made (do not send)."""
    make = _SEND_TIME_LINKS.get(message.template)
    if make is None:
        return message.body_text, message.body_html
    link = make(message)
    if link is None:
        return None
    anchor = str(Markup('<a href="{0}" style="color:#1d70b8">{0}</a>').format(link))
    return (message.body_text.replace(LINK_MADE_WHEN_SENT, link),
            message.body_html.replace(str(escape(LINK_MADE_WHEN_SENT)), anchor))


def max_attempts() -> int:
    return max(1, int(current_app.config.get("MAIL_MAX_ATTEMPTS", len(RETRY_WAITS) + 1)))


def mail_is_set_up() -> bool:
    return delivery() is not None


def delivery() -> Delivery | None:
    return delivery_for(current_app.config, current_app.extensions.setdefault("section17_mail", {}))


# --------------------------------------------------------------------------- recording


def queue_message(key: str, template: str, recipient: Recipient, context: dict[str, Any], *, about: str = "",
                  cycle_id: int | None = None, assignment_id: int | None = None,
                  peer_invitation_id: int | None = None, action_id: int | None = None,
                  stop_when: StopWhen = StopWhen.NEVER, created_by: User | None = None,
                  composed: Composed | None = None) -> int | None:
    """Add the message to the current transaction unless its key is taken; its id, or None if it was.

    The caller commits. Composing happens now, so the row holds exactly what will be
    sent and the CSO can read it; a template that cannot be rendered raises here,
    in the change that wanted the message, not later in a worker.
    """
    composed = composed or compose(template, context, public_url=public_url())
    dialect = db.engine.dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    statement = (insert(OutboxMessage).values(
        idempotency_key=key, template=template, recipient_user_id=recipient.user_id,
        recipient_email=recipient.email, recipient_name=recipient.name, subject=composed.subject,
        body_text=composed.text, body_html=composed.html, about=about[:300], cycle_id=cycle_id,
        assignment_id=assignment_id, peer_invitation_id=peer_invitation_id, action_id=action_id,
        stop_when=stop_when.value, state=MessageState.QUEUED.value, attempts=0,
        last_error="", created_at=now, created_by_id=created_by.id if created_by else None, next_attempt_at=now,
        provider="", provider_id="", provider_status="")
        .on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(OutboxMessage.id))
    message_id = db.session.execute(statement).scalar()
    if message_id is not None:
        db.session.info.setdefault(NEW_IDS, []).append(message_id)
    return message_id


def key_taken(key: str) -> bool:
    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None


@event.listens_for(Session, "after_commit")
def _queue_new_messages(session: Session) -> None:
    """Once the messages are committed, hand their ids to the workers (the sweep catches any this misses).

    A pass that records thousands of reminders hands them over in jobs of HAND_OVER_BATCH
    ids: one queue write per batch instead of per message (on the SQLite queue each write
    is a transaction of its own), while every worker still takes a share.
    """
    new = session.info.pop(NEW_IDS, None)
    if not new:
        return
    for start in range(0, len(new), HAND_OVER_BATCH):
        batch = new[start:start + HAND_OVER_BATCH]
        try:
            if len(batch) == 1:
                enqueue(DELIVER, batch[0])
            else:
                enqueue(DELIVER_MANY, batch)
        except Exception:  # the queue's store is unreachable: the rows are safe and the sweep will queue them
            log.warning("Could not queue messages %s; the sweep will", batch, exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_new_messages(session: Session) -> None:
    session.info.pop(NEW_IDS, None)


# --------------------------------------------------------------------------- delivering


def _claim(message_id: int, now: datetime) -> int | None:
    """Queued (and due) to sending, in one statement of its own; the attempt number, or None if not ours."""
    with db.engine.begin() as connection:
        return connection.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id,
                                        OutboxMessage.state == MessageState.QUEUED.value,
                                        OutboxMessage.next_attempt_at <= now)
            .values(state=MessageState.SENDING.value, claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.attempts)).scalar()


def _finish(message_id: int, attempt: int, **values: Any) -> bool:
    """Change a claimed message (only if it is still this attempt's), and record the outcome in the audit log."""
    statement = (update(OutboxMessage).where(OutboxMessage.id == message_id,
                                             OutboxMessage.state == MessageState.SENDING.value,
                                             OutboxMessage.attempts == attempt).values(**values))
    return db.session.execute(statement).rowcount == 1


def why_not_wanted(message: OutboxMessage) -> str:
    """Why a queued message should no longer be sent, in words for the outbox page; "" if it should."""
    if message.recipient is not None and not message.recipient.active:
        return f"Not sent: {message.recipient.name}'s account was disabled before it went."
    if message.peer_invitation is not None:
        from app.benchmarking.invitation_mail import why_link_not_usable

        reason = why_link_not_usable(message.peer_invitation)
        if reason:
            return reason
    if message.stop_when == StopWhen.ACTION_CLOSED.value and message.action is not None:
        if message.action.status in ("done", "dropped"):
            return f"Not sent: the action was marked {message.action.status} before it went."
    if message.stop_when == StopWhen.SUBMITTED.value:
        assignment: Assignment | None = message.assignment
        if assignment is not None and assignment.status in SUBMITTED_STATES:
            return "Not sent: the return was submitted before it went."
        cycle = assignment.cycle if assignment is not None else message.cycle
        if cycle is not None and cycle.status != CycleStatus.OPEN.value:
            return "Not sent: the cycle was closed before it went."
    return ""


def deliver(message_id: int, *, using: Delivery | None = None) -> str:
    """Try to send one message; returns its state afterwards ("" if it was not ours to send)."""
    now = utcnow()
    attempt = _claim(message_id, now)
    if attempt is None:
        return ""
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    reason = why_not_wanted(message)
    if reason:
        _finish(message_id, attempt, state=MessageState.CANCELLED.value, last_error=reason, finished_at=now)
        _audit(message, "mail.cancelled", f"Did not e-mail {message.recipient_email} ({message.subject}): {reason}")
        db.session.commit()
        return MessageState.CANCELLED.value
    sender = using or delivery()
    if sender is None:
        _finish(message_id, attempt, state=MessageState.FAILED.value, last_error=NOT_SET_UP, finished_at=now)
        _audit(message, "mail.failed", f"Did not e-mail {message.recipient_email} ({message.subject}): "
                                       "e-mail is not set up")
        db.session.commit()
        return MessageState.FAILED.value
    bodies = _with_links(message)
    if bodies is None:
        reason = "Not sent: its link could no longer be made (the account was disabled or removed)."
        _finish(message_id, attempt, state=MessageState.CANCELLED.value, last_error=reason, finished_at=now)
        _audit(message, "mail.cancelled", f"Did not e-mail {message.recipient_email} ({message.subject}): {reason}")
        db.session.commit()
        return MessageState.CANCELLED.value
    outgoing = Outgoing(message.idempotency_key, message.recipient_email, message.recipient_name, message.subject,
                        *bodies, template=message.template)
    db.session.commit()  # hold no transaction open while the mail server is talked to
    try:
        provider_id = sender.send(outgoing)
    except DeliveryError as error:
        return _failed(message, attempt, error)
    except Exception as error:  # a bug or an unforeseen error: retried like a temporary one, and logged
        log.exception("Sending message %s failed unexpectedly", message_id)
        return _failed(message, attempt, DeliveryError(f"Unexpected error: {type(error).__name__}", temporary=True))
    finished = utcnow()
    _finish(message_id, attempt, state=MessageState.SENT.value, sent_at=finished, finished_at=finished,
            provider=sender.name, provider_id=provider_id[:200], last_error="")
    _audit(message, "mail.sent", f"E-mailed {message.recipient_email}: {message.subject}")
    db.session.commit()
    return MessageState.SENT.value


def _failed(message: OutboxMessage, attempt: int, error: DeliveryError) -> str:
    now = utcnow()
    if error.temporary and attempt < max_attempts():
        wait = RETRY_WAITS[min(attempt - 1, len(RETRY_WAITS) - 1)]
        _finish(message.id, attempt, state=MessageState.QUEUED.value, last_error=error.reason,
                next_attempt_at=now + wait)
        db.session.commit()
        enqueue(DELIVER, message.id, delay=wait.total_seconds())
        return MessageState.QUEUED.value
    _finish(message.id, attempt, state=MessageState.FAILED.value, last_error=error.reason, finished_at=now)
    _audit(message, "mail.failed", f"Could not e-mail {message.recipient_email} ({message.subject}) after "
                                   f"{attempt} attempt{'s' if attempt != 1 else ''}: {error.reason}")
    db.session.commit()
    return MessageState.FAILED.value


def _audit(message: OutboxMessage, action: str, summary: str) -> None:
    """Outcomes go in the audit log, on the return they are about when there is one (so its history shows them)."""
    if message.assignment_id is not None:
        object_type, object_id = "assignment", message.assignment_id
    elif message.cycle_id is not None:
        object_type, object_id = "cycle", message.cycle_id
    else:
        object_type, object_id = "user", message.recipient_user_id
    record_event(action, object_type=object_type, object_id=object_id, summary=summary, actor_email=WORKER,
                 after={"message": message.id, "key": message.idempotency_key, "template": message.template,
                        "to": message.recipient_email})


# --------------------------------------------------------------------------- recovery (app/tasks/sweep.py)


def recover_messages(now: datetime | None = None) -> dict[str, int]:
    """Queue again what the queue lost; fail what a dead worker was sending. Counts by kind.

    A message due a while ago and still queued is lost only if the queue is empty: while
    jobs are waiting, workers are still working through a backlog (5,000 reminders take
    minutes), and queueing its messages again would only add work.
    """
    now = now or utcnow()
    lost: list[int] = []
    if task_queue().pending_count() == 0:
        lost = list(db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.state == MessageState.QUEUED.value,
                                           OutboxMessage.next_attempt_at < now - LOST_AFTER)
            .order_by(OutboxMessage.next_attempt_at).limit(SWEEP_BATCH)))
    stuck = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.state == MessageState.SENDING.value,
                                    OutboxMessage.claimed_at < now - SENDING_TOO_LONG)))
    for message in stuck:
        if _finish(message.id, message.attempts, state=MessageState.FAILED.value, last_error=CUT_OFF,
                   finished_at=now):
            _audit(message, "mail.failed", f"May not have e-mailed {message.recipient_email} ({message.subject}): "
                                           "the service stopped while sending it")
    db.session.commit()
    for start in range(0, len(lost), HAND_OVER_BATCH):
        enqueue(DELIVER_MANY, lost[start:start + HAND_OVER_BATCH])
    done = {"messages requeued": len(lost), "messages cut off": len(stuck)}
    sender = delivery()
    if sender is not None and sender.name == "notify":
        from app.mail.notify import refresh_statuses

        done["notify statuses read"] = refresh_statuses(sender)  # type: ignore[arg-type]
    return done
