"""GOV.UK Notify as the mail service: the real client library against a stand-in of Notify's API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import Recipient, queue_message
from app.models import OutboxMessage
from app.models.types import utcnow
from app.tasks.sweep import sweep_once
from tests.notify_standin import API_KEY, REFUSED, notify_standin
from tests.support import open_cycle, run_queued_jobs

TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
REMINDER_TEMPLATE_ID = "0b1f7c1e-3d2a-4a55-9a5c-5c6b2b4f8e10"


@pytest.fixture
def notify():
    with notify_standin() as standin:
        yield standin


@pytest.fixture
def notify_app(make_app, people, notify):
    return make_app(NOTIFY_API_KEY=API_KEY, NOTIFY_TEMPLATE_ID=TEMPLATE_ID, NOTIFY_BASE_URL=notify.url,
                    NOTIFY_TEMPLATE_IDS={"mail_test": REMINDER_TEMPLATE_ID}, PUBLIC_URL="https://s17.example")


def test_messages_go_through_notify_with_their_subject_and_body_and_keep_its_id(notify_app, people, notify):
    cycle = open_cycle(notify_app, people)
    run_queued_jobs(notify_app)
    assert len(notify.sent) == 2
    lena = next(n for n in notify.sent if n["email_address"] == people.lead.email)
    assert lena["template_id"] == TEMPLATE_ID
    assert lena["personalisation"]["subject"].startswith("Audit 2026 to 2027: your Section 17 return is open")
    assert "Dear Lena Lead," in lena["personalisation"]["body"]
    assert lena["reference"] == f"cycle {cycle.cycle_id} opened to user {people.lead.id}"  # the outbox key
    with notify_app.app_context():
        rows = {m.recipient_email: m for m in db.session.scalars(select(OutboxMessage))}
        assert rows[people.lead.email].provider == "notify" and rows[people.lead.email].provider_id == lena["id"]
        notify.statuses[lena["id"]] = "delivered"
        done = sweep_once()
        assert done["notify statuses read"] == 2  # Lena's delivered, Omar's still sending
        db.session.expire_all()
        assert rows[people.lead.email].provider_status == "delivered"
        assert rows[people.other_lead.email].provider_status == "sending"
        assert sweep_once()["notify statuses read"] == 0  # nothing new


def test_a_template_of_its_own_and_a_refused_address(notify_app, people, notify):
    with notify_app.app_context():
        queue_message("test to Jo", "mail_test", Recipient("jo@peer.example", "Jo"), {"sent_at": utcnow()})
        queue_message("test refused", "mail_test", Recipient(REFUSED, "Refused"), {"sent_at": utcnow()})
        db.session.commit()
    run_queued_jobs(notify_app)
    assert [(n["email_address"], n["template_id"]) for n in notify.sent] == [("jo@peer.example", REMINDER_TEMPLATE_ID)]
    with notify_app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_email == REFUSED))
        assert message.state == "failed" and message.attempts == 1
        assert message.last_error == "GOV.UK Notify refused the message: 400 email_address Not a valid email address"


def test_notify_needs_a_template_id(make_app, people):
    from app.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="SECTION17_NOTIFY_TEMPLATE_ID"):
        make_app(NOTIFY_API_KEY=API_KEY)
