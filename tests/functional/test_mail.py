"""E-mail through the outbox to a real SMTP server (aiosmtpd on 127.0.0.1).

Opening a cycle, sending a return back, accepting it and submitting it each tell the
right people, once; messages carry a link straight to the page; nothing is sent to
a disabled person or about a return already submitted; failures are retried and
then shown with the server's reason; with no mail set up every message is still
recorded and marked as not sent.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import NOT_SET_UP, deliver
from app.models import Assignment, AuditEvent, OutboxMessage, User
from app.models.types import utcnow
from tests.mail_sink import html_part, smtp_sink, text_part
from tests.support import WebClient, open_cycle, run_queued_jobs, signed_in

PUBLIC = "https://section17.council.example"


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


@pytest.fixture
def mail_app(make_app, people, sink):
    return make_app(MAIL_URL=sink.url, MAIL_FROM="section17@council.example", PUBLIC_URL=PUBLIC)


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_opening_a_cycle_e_mails_each_lead_officer_their_returns_with_links(mail_app, people, sink):
    cycle = open_cycle(mail_app, people)
    queued = outbox(mail_app)
    assert [(m.recipient_email, m.template, m.state) for m in queued] == [
        (people.lead.email, "cycle_opened", "queued"), (people.other_lead.email, "cycle_opened", "queued")]
    assert run_queued_jobs(mail_app) == 1  # the two handed over as one job
    received = sink.wait_for(2)
    lena = sink.to(people.lead.email)[0]
    assert lena["Subject"].startswith("Audit 2026 to 2027: your Section 17 return is open, due ")
    assert lena["From"] == "Section 17 Audit <section17@council.example>"
    assert lena["Auto-Submitted"] == "auto-generated"
    body = text_part(lena)
    assert "Dear Lena Lead," in body and "* Housing Services: Small departmental check" in body
    assert f"Open Housing Services' return: {PUBLIC}/returns/{cycle.housing}" in body
    assert "Planning Services" not in body  # only her own department
    page = html_part(lena)
    assert f'<a href="{PUBLIC}/returns/{cycle.housing}"' in page
    assert "<img" not in page and "<script" not in page and "http://" not in page  # no pixels, nothing from elsewhere
    assert {m.state for m in outbox(mail_app)} == {"sent"}
    assert all(m.provider == "smtp" and m.provider_id.startswith("<") and m.sent_at for m in outbox(mail_app))
    assert len(received) == 2
    with mail_app.app_context():
        sent = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mail.sent")))
        assert len(sent) == 2 and sent[0].object_type == "cycle"


def test_a_message_is_sent_once_however_often_its_id_is_delivered(mail_app, people, sink):
    open_cycle(mail_app, people)
    first = outbox(mail_app)[0]
    with mail_app.app_context():
        assert deliver(first.id) == "sent"
        assert deliver(first.id) == ""  # already taken: not ours to send
    run_queued_jobs(mail_app)  # the queue's own copies of both ids
    assert len(sink.wait_for(2)) == 2 and len(sink.to(first.recipient_email)) == 1


def test_sending_back_accepting_and_submitting_tell_the_right_people(mail_app, people, sink):
    cycle = open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    with mail_app.app_context():
        db.session.get(Assignment, cycle.housing).status = "submitted"
        db.session.commit()
    cso = signed_in(mail_app, people.cso)
    version = _version(mail_app, cycle.housing)
    cso.post(f"/review/{cycle.housing}/return", {"reason": "Name the plan <b>and</b> its page.", "version": version})
    run_queued_jobs(mail_app)
    back = sink.to(people.lead.email)[-1]
    assert back["Subject"] == "Housing Services' Section 17 return has been sent back to you"
    assert "\nName the plan <b>and</b> its page.\n" in text_part(back) and "^" not in text_part(back)
    assert "Name the plan &lt;b&gt;and&lt;/b&gt; its page." in html_part(back)
    assert "Chris Safety has reviewed" in text_part(back)
    assert sink.to(people.other_lead.email)[-1]["Subject"].startswith("Audit 2026")  # Omar only had the opening

    lead = signed_in(mail_app, people.lead)
    with mail_app.app_context():
        assignment = db.session.get(Assignment, cycle.housing)
        assignment.status = "in_progress"
        db.session.commit()
    _answer_everything(mail_app, lead, cycle.housing)
    response = lead.post(f"/returns/{cycle.housing}/submit", {"version": _version(mail_app, cycle.housing),
                                                              "declaration": "confirmed"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    run_queued_jobs(mail_app)
    ready = sink.to(people.cso.email)[-1]
    assert "ready for review" in ready["Subject"] and f"{PUBLIC}/review/{cycle.housing}" in text_part(ready)
    assert "Lena Lead has submitted" in text_part(ready)

    cso.post(f"/review/{cycle.housing}/accept", {"version": _version(mail_app, cycle.housing)})
    run_queued_jobs(mail_app)
    assert "has been accepted" in sink.to(people.lead.email)[-1]["Subject"]
    assert not sink.to(people.auditor.email) and not sink.to(people.admin.email)


def _version(app, assignment_id: int) -> int:
    with app.app_context():
        return db.session.get(Assignment, assignment_id).version


def _answer_everything(app, web: WebClient, assignment_id: int) -> None:
    """Answer the small questionnaire through its pages, as test_respond.py does."""
    from tests.functional.test_respond import PEOPLE_DONE, PLANNING_DONE, save

    save(web, f"/returns/{assignment_id}/sections/planning", PLANNING_DONE)
    save(web, f"/returns/{assignment_id}/sections/people", PEOPLE_DONE)


def test_messages_to_someone_disabled_or_about_a_submitted_return_are_cancelled(mail_app, people, sink):
    from app.mail.reminders import send_due

    cycle = open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    with mail_app.app_context():
        deadline = db.session.get(Assignment, cycle.housing).due_date
        planned = send_due(deadline - timedelta(days=3))
        assert len(planned) == 2  # Housing's and Planning's lead officers
        db.session.get(Assignment, cycle.housing).status = "submitted"
        db.session.get(User, people.other_lead.id).active = False
        db.session.commit()
    run_queued_jobs(mail_app)
    reminders = [m for m in outbox(mail_app) if m.template == "reminder"]
    assert {(m.recipient_email, m.state) for m in reminders} == {(people.lead.email, "cancelled"),
                                                                 (people.other_lead.email, "cancelled")}
    reasons = {m.recipient_email: m.last_error for m in reminders}
    assert reasons[people.lead.email] == "Not sent: the return was submitted before it went."
    assert reasons[people.other_lead.email] == "Not sent: Omar Other's account was disabled before it went."
    assert len(sink.received) == 2  # only the two opening messages


def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_shown_with_the_reason(mail_app, people, sink):
    sink.refuse[people.lead.email] = ["451 4.3.0 Mailbox busy, try later"]
    sink.refuse[people.other_lead.email] = ["550 5.1.1 No such user here"]
    open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    rows = {m.recipient_email: m for m in outbox(mail_app)}
    busy, gone = rows[people.lead.email], rows[people.other_lead.email]
    assert busy.state == "queued" and busy.attempts == 1 and "451" in busy.last_error
    assert busy.next_attempt_at > utcnow() + timedelta(seconds=50)  # waits a minute before trying again
    assert gone.state == "failed" and gone.attempts == 1
    assert gone.last_error == f"The mail server refused {people.other_lead.email}: 550 5.1.1 No such user here"
    with mail_app.app_context():
        assert deliver(busy.id) == ""  # not due yet
        db.session.get(OutboxMessage, busy.id).next_attempt_at = utcnow()
        db.session.commit()
        assert deliver(busy.id) == "sent"
    assert len(sink.to(people.lead.email)) == 1 and not sink.to(people.other_lead.email)


def test_attempts_are_limited_and_then_the_message_fails_with_the_last_reason(make_app, people, sink):
    app = make_app(MAIL_URL=sink.url, MAIL_FROM="section17@council.example", MAIL_MAX_ATTEMPTS=2)
    sink.refuse[people.lead.email] = ["421 Service not available"] * 5
    open_cycle(app, people)
    run_queued_jobs(app)
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_email == people.lead.email))
        message.next_attempt_at = utcnow()
        db.session.commit()
        assert deliver(message.id) == "failed"
        db.session.refresh(message)
        assert message.attempts == 2 and "421 Service not available" in message.last_error


def test_with_no_mail_set_up_every_message_is_recorded_as_not_sent(app, people):
    open_cycle(app, people)
    run_queued_jobs(app)
    rows = outbox(app)
    assert len(rows) == 2 and {m.state for m in rows} == {"failed"} and {m.last_error for m in rows} == {NOT_SET_UP}
    assert all("Dear" in m.body_text for m in rows)  # what would have been sent is kept


def test_a_hostile_department_name_is_escaped_and_links_elsewhere_are_not_made(mail_app, people, sink):
    from app.models import Department

    with mail_app.app_context():
        department = db.session.get(Department, people.housing_id)
        department.name = 'Housing <img src="https://evil.example/p.gif"> see https://evil.example/login'
        db.session.commit()
    open_cycle(mail_app, people)
    run_queued_jobs(mail_app)
    page = html_part(sink.to(people.lead.email)[0])
    assert "<img" not in page and 'href="https://evil.example' not in page
    assert "&lt;img src=" in page and "https://evil.example/login" in page  # shown as text


def test_opening_the_same_cycle_twice_does_not_tell_anyone_twice(mail_app, people):
    from app.mail.messages import tell_cycle_opened
    from app.models import Cycle

    cycle = open_cycle(mail_app, people)
    with mail_app.app_context():
        assert tell_cycle_opened(db.session.get(Cycle, cycle.cycle_id)) == 2  # same keys: nothing new
        db.session.commit()
    assert len(outbox(mail_app)) == 2


def test_the_reminder_pass_is_idempotent_and_dry_run_changes_nothing(mail_app, people):
    cycle = open_cycle(mail_app, people)
    with mail_app.app_context():
        deadline = db.session.get(Assignment, cycle.housing).due_date
    runner = mail_app.test_cli_runner()
    today = date.today()
    assert deadline - timedelta(days=14) > today  # the 14-day reminder has not come yet
    before = len(outbox(mail_app))
    result = runner.invoke(args=["notify", "send-due", "--dry-run"])
    assert result.exit_code == 0 and result.output.strip() == "0 messages would be queued."
    assert len(outbox(mail_app)) == before


def test_on_the_demo_opening_the_cycle_tells_each_lead_officer_once(make_app, sink):
    """The issue's test of done: one message per lead officer of the demo's open cycle, and the sink gets them."""
    from app.demo.services import demo_cycle, load_demo
    from app.questionnaires.registry import DEFAULT_SURVEYS_DIR

    app = make_app(SURVEYS_DIR=str(DEFAULT_SURVEYS_DIR), MAIL_URL=sink.url, MAIL_FROM="section17@council.example")
    with app.app_context():
        load_demo()
        cycle = demo_cycle()
        leads = {person.email for a in cycle.assignments if a.department for person in a.department.lead_officers
                 if person.active}
        opened = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "cycle_opened")))
    assert leads and sorted(m.recipient_email for m in opened) == sorted(leads)  # one each, none for last year
    run_queued_jobs(app)
    assert sorted(str(m["To"]).split("<")[1].rstrip(">") for m in sink.wait_for(len(leads))) == sorted(leads)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notify", "send-due"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["notify", "send-due", "--dry-run"])
    assert again.exit_code == 0 and again.output.strip() == "0 messages would be queued.", again.output


def test_send_due_prints_a_line_per_message_and_a_second_run_queues_nothing(mail_app, people):
    from app.models import Cycle

    cycle = open_cycle(mail_app, people)
    with mail_app.app_context():
        db.session.get(Cycle, cycle.cycle_id).opened_at = utcnow() - timedelta(days=20)
        db.session.commit()
    mail_app.config["REMINDER_DAYS_BEFORE"] = "30,14,3"
    runner = mail_app.test_cli_runner()
    dry = runner.invoke(args=["notify", "send-due", "--dry-run"])
    assert dry.exit_code == 0 and dry.output.count("would queue reminder 1 for return") == 2
    assert "2 messages would be queued." in dry.output and len(outbox(mail_app)) == 2  # nothing queued
    done = runner.invoke(args=["notify", "send-due"])
    assert done.output.splitlines()[0].startswith(f"queued reminder 1 for return {cycle.housing} to user ")
    assert "Lena Lead <lena.lead@council.example>, Housing Services' return, Audit 2026 to 2027 (reminder 1, due in " in done.output
    assert "2 messages queued." in done.output
    assert runner.invoke(args=["notify", "send-due"]).output.strip() == "0 messages queued."


def test_mail_test_sends_one_message_and_says_what_happened(mail_app, people, sink):
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "test", "Someone@Council.Example"])
    assert result.exit_code == 0, result.output
    assert f"through SMTP at 127.0.0.1:{sink.port}, from section17@council.example" in result.output
    assert "Sent: the mail server accepted it (<" in result.output
    assert [str(m["To"]) for m in sink.wait_for(1)] == ["Someone@council.example"]
    assert outbox(mail_app)[0].template == "mail_test" and outbox(mail_app)[0].state == "sent"
    sink.refuse["refused@council.example"] = ["550 5.1.1 No such user"]
    refused = runner.invoke(args=["mail", "test", "refused@council.example"])
    assert refused.exit_code == 1 and "Not sent: The mail server refused refused@council.example: 550" in refused.output
    bad = runner.invoke(args=["mail", "test", "not an address"])
    assert bad.exit_code == 2 and "Invalid value for ADDRESS: An email address must have an @-sign." in bad.output


def test_mail_test_without_mail_set_up_says_so(app, people):
    result = app.test_cli_runner().invoke(args=["mail", "test", "someone@council.example"])
    assert result.exit_code == 1 and "E-mail is not set up" in result.output and "Nothing was sent." in result.output


def test_the_sweep_requeues_lost_messages_only_when_the_queue_is_empty_and_fails_cut_off_ones(mail_app, people,
                                                                                            sink):
    from app.mail.outbox import CUT_OFF
    from app.tasks.queue import task_queue
    from app.tasks.sweep import sweep_once

    open_cycle(mail_app, people)
    with mail_app.app_context():
        lena, omar = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        lena.next_attempt_at = omar.next_attempt_at = utcnow() - timedelta(minutes=5)
        omar.state, omar.claimed_at, omar.attempts = "sending", utcnow() - timedelta(minutes=11), 1
        db.session.commit()
        first = sweep_once()  # the opening job is still waiting: a backlog, not a loss
        assert first["messages requeued"] == 0 and first["messages cut off"] == 1
        task_queue(mail_app).huey.flush()  # the queue's store was emptied (lost)
        second = sweep_once()
        assert second["messages requeued"] == 1 and second["messages cut off"] == 0
    run_queued_jobs(mail_app)
    rows = {m.recipient_email: m for m in outbox(mail_app)}
    assert rows[people.lead.email].state == "sent" and len(sink.to(people.lead.email)) == 1
    assert rows[people.other_lead.email].state == "failed" and rows[people.other_lead.email].last_error == CUT_OFF
    assert not sink.to(people.other_lead.email)  # never sent twice on a guess
