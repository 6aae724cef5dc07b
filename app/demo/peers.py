"""The demo's invitation links: peers who answered, and links in every other state.

The partnerships that reported their approaches in the real survey of the family
group (data/peer_approaches.csv) answered through their links and submitted. Other
peers show what a community safety officer sees mid-way: a link not opened yet,
one opened with answers under way, one revoked and replaced, one expired. One link
gets a new token on every run and is printed, so the peer's side can be tried.

The contacts of other partnerships are invented people at their own partnerships'
addresses, never one of our own staff. Our own partnership answers through our
community safety officer, at his own council address. Links are sent, opened,
answered, revoked and replaced on the days of the story (timeline.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.benchmarking.invitations import (
    InvitationDetails,
    invite,
    new_token,
    respondent_label,
    revoke,
    token_hash,
)
from app.demo.answers import peer_answers, store_answers
from app.demo.timeline import dated
from app.extensions import db
from app.models import AuditEvent, Cycle, PeerInvitation, PeerPartnership, User
from app.questionnaires.registry import definition_from_snapshot

# Invented contacts: (partnership, name). Emails are made from them.
CONTACTS = {
    "Amber Valley": "Joanne Whitaker", "Bassetlaw": "Mark Ellison", "Boston": "Ruth Adeyemi",
    "East Northamptonshire": "Simon Clarke", "Forest of Dean": "Alison Price", "Rushcliffe": "Daniel Osei",
    "Tendring": "Carol Fenwick", "Ashford": "Neil Hargreaves",
    "Braintree": "Harriet Coles", "Fenland": "Tom Barker", "Chichester": "Lucy Brennan", "Mendip": "Ian Rowlands",
}
WAITING = ("Ashford", "Braintree")  # invited, not opened; Ashford's link is the one printed
UNDER_WAY = "Fenland"
REPLACED = "Chichester"
EXPIRED = "Mendip"
TRY_IT = "Ashford"
BASE_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class DemoLink:
    email: str
    url: str


def _email(name: str, partnership: str) -> str:
    domain = "".join(c for c in partnership.lower() if c.isalnum())
    return f"{name.lower().replace(' ', '.')}@{domain}.example"


def contact_for(peer: PeerPartnership, officer: User | None) -> tuple[str, str]:
    """Who answers for a partnership: our community safety officer for our own, an invented contact otherwise."""
    if peer.is_own and officer is not None:
        return officer.name, officer.email
    name = CONTACTS[peer.name]
    return name, _email(name, peer.name)


def _invite(officer: User | None, cycle: Cycle, peer: PeerPartnership, expires_on: date, when: datetime):
    """Invite a partnership's contact at `when` (the link's last day is checked against that day)."""
    name, email = contact_for(peer, officer)
    with dated(when):
        made = invite(officer, cycle, peer, InvitationDetails(name, email, expires_on), when.date())
    made.invitation.created_at = when
    return made


def create_demo_invitations(cycle: Cycle, reported: dict[str, dict[str, str]], peers: dict[str, PeerPartnership],
                            officer: User | None, opened: datetime, today: date) -> None:
    """Links for the demo cycle (run once, when the cycle is made)."""
    choice = next(c for c in cycle.questionnaires if c.definition_id == "peer-benchmarking")
    definition = definition_from_snapshot(choice.snapshot)
    last_day = cycle.deadline
    for index, (name, approaches) in enumerate(reported.items()):
        made = _invite(officer, cycle, peers[name], last_day, opened + timedelta(days=1))
        assignment = made.invitation.assignment
        answered = opened + timedelta(days=5 + index)
        store_answers(assignment, peer_answers(definition, approaches, two_tier=True), None, answered)
        assignment.status, assignment.submission_count = "submitted", 1
        assignment.started_at, assignment.submitted_at = opened + timedelta(days=3 + index), answered
        db.session.add(AuditEvent(action="assignment.submitted", object_type="assignment", object_id=str(assignment.id),
                                  actor_email=respondent_label(made.invitation), occurred_at=answered,
                                  summary=f"Submitted the return for {name}",
                                  before={"status": "in_progress"}, after={"status": "submitted", "submission": 1}))
    for name in (*WAITING, UNDER_WAY, REPLACED, EXPIRED):
        peer = peers.get(name)
        if peer is None:
            continue
        sent = opened + timedelta(days=2)
        expires_on = today - timedelta(days=3) if name == EXPIRED else last_day
        made = _invite(officer, cycle, peer, expires_on, sent)
        if name == UNDER_WAY:
            assignment = made.invitation.assignment
            partial = peer_answers(definition, {"departmental_link_officers": "in_place", "in_service_plans": "planned",
                                                "intranet_guidance": "not_done"}, two_tier=False)
            store_answers(assignment, partial, None, opened + timedelta(days=9))
            assignment.status, assignment.started_at = "in_progress", opened + timedelta(days=9)
            db.session.add(AuditEvent(action="invitation.opened", object_type="peer_invitation",
                                      object_id=str(made.invitation.id), actor_email=respondent_label(made.invitation),
                                      occurred_at=opened + timedelta(days=8),
                                      summary=f"{made.invitation.contact_name} opened their invitation link"))
        elif name == REPLACED:
            replaced = sent + timedelta(hours=2)
            with dated(replaced):
                revoke(officer, made.invitation, "Sent to the wrong address")
            made.invitation.revoked_at = replaced
            _invite(officer, cycle, peer, last_day, replaced)
    db.session.commit()


def demo_peer_link(cycle: Cycle | None) -> DemoLink | None:
    """A working link for the peer who has not opened theirs yet: a new token on every run."""
    if cycle is None:
        return None
    invitation = db.session.scalar(
        select(PeerInvitation).join(PeerInvitation.assignment).join(PeerPartnership)
        .where(PeerPartnership.name == TRY_IT, PeerInvitation.revoked_at.is_(None))
        .order_by(PeerInvitation.id.desc()).limit(1))
    if invitation is None or invitation.assignment.cycle_id != cycle.id:
        return None
    token = new_token()
    invitation.token_hash = token_hash(token)
    db.session.commit()
    return DemoLink(invitation.contact_email, f"{BASE_URL}/peer/{token}")


def reported_approaches(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    reported: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        reported[row["partnership"]][row["approach"]] = row["status"]
    return dict(reported)
