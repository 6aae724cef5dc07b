"""Reading the outbox for its pages: filtered, newest first, a page at a time, with counts by state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Assignment, Cycle, MessageState, OutboxMessage, PeerInvitation, User

PER_PAGE = 50
STATE_WORDS = {
    MessageState.QUEUED.value: ("Waiting to be sent", "grey"),
    MessageState.SENDING.value: ("Being sent", "blue"),
    MessageState.SENT.value: ("Sent", "green"),
    MessageState.FAILED.value: ("Not sent", "red"),
    MessageState.CANCELLED.value: ("Cancelled", "yellow"),
}


@dataclass(frozen=True)
class OutboxFilter:
    cycle_id: int | None = None
    state: str | None = None
    person_id: int | None = None
    assignment_id: int | None = None

    def apply(self, query):  # type: ignore[no-untyped-def]
        if self.cycle_id is not None:
            query = query.where(OutboxMessage.cycle_id == self.cycle_id)
        if self.state:
            query = query.where(OutboxMessage.state == self.state)
        if self.person_id is not None:
            query = query.where(OutboxMessage.recipient_user_id == self.person_id)
        if self.assignment_id is not None:
            query = query.where(OutboxMessage.assignment_id == self.assignment_id)
        return query

    @property
    def active(self) -> bool:
        return any(v is not None and v != "" for v in (self.cycle_id, self.state, self.person_id, self.assignment_id))


@dataclass(frozen=True)
class OutboxPage:
    messages: list[OutboxMessage]
    page: int
    pages: int
    total: int
    by_state: dict[str, int]  # across every page of this filter
    person: User | None
    assignment: Assignment | None


def list_messages(wanted: OutboxFilter, page: int = 1) -> OutboxPage:
    counted = wanted.apply(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    by_state = {state: count for state, count in db.session.execute(counted)}
    total = sum(by_state.values())
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    messages = list(db.session.scalars(
        wanted.apply(select(OutboxMessage)).options(selectinload(OutboxMessage.recipient))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    person = db.session.get(User, wanted.person_id) if wanted.person_id is not None else None
    assignment = db.session.get(Assignment, wanted.assignment_id) if wanted.assignment_id is not None else None
    return OutboxPage(messages, page, pages, total, by_state, person, assignment)


def cycles_with_messages() -> list[Cycle]:
    ids = select(OutboxMessage.cycle_id).where(OutboxMessage.cycle_id.is_not(None)).distinct()
    return list(db.session.scalars(select(Cycle).where(Cycle.id.in_(ids)).order_by(Cycle.created_at.desc())))


def messages_about_return(assignment_id: int, limit: int = 10) -> tuple[list[OutboxMessage], int]:
    """The latest messages about one return (for its review page), and how many there are in all."""
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.assignment_id == assignment_id)) or 0
    latest = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.assignment_id == assignment_id)
                                     .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                                     .limit(limit)))
    return latest, total


def unsent_because_not_set_up(wanted: OutboxFilter) -> int:
    """How many of these messages were not sent only because e-mail is not set up."""
    from app.mail.outbox import NOT_SET_UP

    return db.session.scalar(wanted.apply(select(func.count()).select_from(OutboxMessage)
                                          .where(OutboxMessage.last_error == NOT_SET_UP))) or 0


def invitation_messages(invitation: PeerInvitation) -> list[OutboxMessage]:
    """What the service has e-mailed about one peer invitation (the invitation, its reminders), oldest first."""
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.peer_invitation_id == invitation.id)
                                   .order_by(OutboxMessage.created_at, OutboxMessage.id)))
