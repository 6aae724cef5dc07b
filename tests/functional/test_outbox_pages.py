"""The outbox pages and chasing returns by hand, through the web client.

security.md: only the CSO may chase (others are refused, nothing is queued); auditors
read the outbox and change nothing; ids from another cycle are ignored; CSRF on
every POST; hostile text is escaped.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, AuditEvent, Cycle, OutboxMessage
from tests.mail_sink import smtp_sink, text_part
from tests.support import open_cycle, page_text, run_queued_jobs, signed_in


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


@pytest.fixture
def mail_app(make_app, people, sink):
    return make_app(MAIL_URL=sink.url, MAIL_FROM="section17@council.example", PUBLIC_URL="https://s17.example")


def messages(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        found = list(db.session.scalars(query))
        for row in found:
            db.session.expunge(row)
        return found


def preview(web, cycle_id: int, returns: list[int], note: str = ""):
    return web.post(f"/cycles/{cycle_id}/chase", {"returns": returns, "note": note})


def batch_of(response) -> str:
    return re.search(r'name="batch" type="hidden" value="([0-9a-f]{16})"', response.get_data(as_text=True)).group(1)


def test_the_outbox_lists_every_message_with_what_happened_and_filters(mail_app, people):
    cycle = open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    cso = signed_in(mail_app, people.cso)
    words = page_text(cso.get("/outbox/"))
    assert "2 messages" in words and "2 sent." in words
    assert "Audit 2026 to 2027: your Section 17 return is open" in words and people.lead.email in words
    assert "E-mail is not set up" not in words
    assert "0 messages" in page_text(cso.get("/outbox/?state=failed"))
    only_lena = page_text(cso.get(f"/outbox/?person={people.lead.id}"))
    assert "1 message" in only_lena and people.other_lead.email not in only_lena
    assert "Showing messages to Lena Lead" in only_lena
    first = messages(mail_app)[0]
    detail = page_text(cso.get(f"/outbox/{first.id}"))
    assert "Dear Lena Lead," in detail and "Sent through SMTP" in detail and f"cycle {cycle.cycle_id} opened" in detail
    assert cso.get("/outbox/999999").status_code == 404
    assert cso.get("/outbox/?person=abc&cycle=-1&state=nonsense").status_code == 200  # bad filters are ignored


def test_auditors_read_the_outbox_and_lead_officers_cannot(mail_app, people):
    open_cycle(mail_app, people)
    assert signed_in(mail_app, people.auditor).get("/outbox/").status_code == 200
    lead = signed_in(mail_app, people.lead)
    assert lead.get("/outbox/").status_code == 403
    assert lead.get(f"/outbox/{messages(mail_app)[0].id}").status_code == 403


def test_with_no_mail_set_up_the_outbox_says_so(app, people):
    open_cycle(app, people)
    run_queued_jobs(app)
    words = page_text(signed_in(app, people.cso).get("/outbox/"))
    assert "E-mail is not set up: messages are recorded here but not sent." in words
    assert "E-mail is not set up: 2 of these messages were not sent." in words


def test_chasing_previews_the_exact_message_then_sends_it_once(mail_app, people, sink):
    cycle = open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    cso = signed_in(mail_app, people.cso)
    choose = cso.get(f"/cycles/{cycle.cycle_id}/chase")
    body = choose.get_data(as_text=True)
    assert body.count('name="returns"') == 2 and body.count("checked") == 2  # both not submitted, both ticked
    assert "Lead officers: Lena Lead." in page_text(choose)
    shown = preview(cso, cycle.cycle_id, [cycle.housing], note="The partnership board meets on <b>9 March</b>.")
    words = page_text(shown)
    assert "1 message will be sent, one to each lead officer of 1 return." in words
    assert "Chris Safety asks you to complete Housing Services' Section 17 return" in words
    assert "adds: The partnership board meets on <b>9 March</b>." in words  # the note, as text
    assert "<b>9 March</b>" not in shown.get_data(as_text=True)  # escaped on the page
    assert messages(mail_app, template="chase") == []  # a preview sends nothing
    batch = batch_of(shown)
    form = {"returns": [cycle.housing], "note": "The partnership board meets on <b>9 March</b>.", "batch": batch}
    sent = cso.post(f"/cycles/{cycle.cycle_id}/chase/send", form)
    assert sent.status_code == 302 and sent.headers["Location"] == f"/outbox/?cycle={cycle.cycle_id}"
    again = cso.post(f"/cycles/{cycle.cycle_id}/chase/send", form, follow_redirects=True)  # a double click
    assert "had already been sent from this preview" in page_text(again)
    run_queued_jobs(mail_app)
    chased = [m for m in sink.to(people.lead.email) if "asks you to complete" in str(m["Subject"])]
    assert len(chased) == 1 and "https://s17.example/returns/" in text_part(chased[0])
    assert "The partnership board meets on <b>9 March</b>." in text_part(chased[0])
    assert not [m for m in sink.to(people.other_lead.email) if "asks you" in str(m["Subject"])]
    with mail_app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail.chased"))
        assert event.actor_email == people.cso.email and event.after["returns"] == [cycle.housing]


def test_only_returns_not_submitted_of_this_cycle_can_be_chased(mail_app, people):
    cycle = open_cycle(mail_app, people)
    other = open_cycle(mail_app, people, name="Another cycle")
    with mail_app.app_context():
        db.session.get(Assignment, cycle.planning).status = "submitted"
        db.session.commit()
    cso = signed_in(mail_app, people.cso)
    assert cso.get(f"/cycles/{cycle.cycle_id}/chase").get_data(as_text=True).count('name="returns"') == 1
    refused = page_text(preview(cso, cycle.cycle_id, [cycle.planning, other.housing]))
    assert "Select at least one return that has not been submitted" in refused
    shown = preview(cso, cycle.cycle_id, [cycle.housing, other.planning])
    batch = batch_of(shown)
    cso.post(f"/cycles/{cycle.cycle_id}/chase/send",
             {"returns": [cycle.housing, other.planning, cycle.planning], "batch": batch})
    chased = messages(mail_app, template="chase")
    assert [(m.assignment_id, m.recipient_email) for m in chased] == [(cycle.housing, people.lead.email)]


def test_nobody_but_the_cso_can_chase_and_a_forged_send_changes_nothing(mail_app, people):
    cycle = open_cycle(mail_app, people)
    for account in (people.lead, people.auditor, people.admin):
        web = signed_in(mail_app, account)
        assert web.get(f"/cycles/{cycle.cycle_id}/chase").status_code == 403
        assert web.post(f"/cycles/{cycle.cycle_id}/chase/send",
                        {"returns": [cycle.housing], "batch": "0123456789abcdef"}).status_code == 403
    cso = signed_in(mail_app, people.cso)
    assert cso.post(f"/cycles/{cycle.cycle_id}/chase/send", {"returns": [cycle.housing],
                                                            "batch": "0123456789abcdef"}, csrf=False).status_code == 400
    bad_batch = cso.post(f"/cycles/{cycle.cycle_id}/chase/send", {"returns": [cycle.housing], "batch": "../x"},
                         follow_redirects=True)
    assert "the page was out of date" in page_text(bad_batch)
    assert messages(mail_app, template="chase") == []


def test_a_closed_cycle_has_nobody_to_chase(mail_app, people):
    cycle = open_cycle(mail_app, people)
    with mail_app.app_context():
        db.session.get(Cycle, cycle.cycle_id).status = "closed"
        db.session.commit()
    cso = signed_in(mail_app, people.cso)
    assert "This cycle is not open, so there is nobody to chase." in page_text(cso.get(f"/cycles/{cycle.cycle_id}/chase"))
    assert "not open" in page_text(preview(cso, cycle.cycle_id, [cycle.housing]))


def test_a_returns_review_page_lists_the_messages_about_it(mail_app, people):
    cycle = open_cycle(mail_app, people)
    cso = signed_in(mail_app, people.cso)
    shown = preview(cso, cycle.cycle_id, [cycle.housing])
    cso.post(f"/cycles/{cycle.cycle_id}/chase/send", {"returns": [cycle.housing], "batch": batch_of(shown)})
    run_queued_jobs(mail_app)
    words = page_text(cso.get(f"/review/{cycle.housing}"))
    assert "Messages about this return" in words and "asks you to complete Housing Services'" in words
    assert "Sent" in words


def test_a_note_too_long_or_with_control_characters_is_refused_and_nothing_is_sent(mail_app, people):
    cycle = open_cycle(mail_app, people)
    cso = signed_in(mail_app, people.cso)
    long_note = page_text(preview(cso, cycle.cycle_id, [cycle.housing], note="x" * 1001))
    assert "The note must be 1,000 characters or fewer" in long_note and "Check the reminder" not in long_note
    hidden = page_text(preview(cso, cycle.cycle_id, [cycle.housing], note="Meeting\x07 on Monday"))
    assert "Check the reminder" not in hidden and "There is a problem" in hidden
    assert messages(mail_app, template="chase") == []
