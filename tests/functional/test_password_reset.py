"""Resetting a forgotten password by e-mail, through the web client and a real SMTP server.

security.md: the same answer whether or not the address has an account (no
enumeration); the link works once and expires; it is never kept in the outbox that
other staff can read; requests are throttled; a reset ends every session.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import LINK_MADE_WHEN_SENT
from app.models import AuditEvent, OutboxMessage, User
from tests.mail_sink import html_part, smtp_sink, text_part
from tests.support import WebClient, page_text, run_queued_jobs, signed_in

PUBLIC = "https://s17.example"
NEW_PASSWORD = "gravel lantern orchard tuesday"


@pytest.fixture
def sink():
    with smtp_sink() as server:
        yield server


@pytest.fixture
def mail_app(make_app, people, sink):
    return make_app(MAIL_URL=sink.url, MAIL_FROM="section17@council.example", PUBLIC_URL=PUBLIC)


def ask(app, email: str):
    web = WebClient(app.test_client())
    web.get("/forgotten-password")
    return web.post("/forgotten-password", {"email": email})


def reset_path(sink, address: str) -> str:
    message = sink.to(address)[-1]
    found = re.search(rf"{re.escape(PUBLIC)}(/reset-password/[A-Za-z0-9._-]+)", text_part(message))
    assert found, text_part(message)
    return found.group(1)


def test_a_forgotten_password_is_reset_with_a_link_that_works_once(mail_app, people, sink):
    other_device = signed_in(mail_app, people.lead)
    response = ask(mail_app, people.lead.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/forgotten-password/sent"
    run_queued_jobs(mail_app)
    message = sink.to(people.lead.email)[-1]
    assert message["Subject"] == "Reset your Section 17 Audit password"
    path = reset_path(sink, people.lead.email)
    assert f'<a href="{PUBLIC}{path}"' in html_part(message)
    web = WebClient(mail_app.test_client())
    page = web.get(path)
    assert page.status_code == 200 and "Choose a new password" in page_text(page)
    weak = web.post(path, {"new_password": "password123"})
    assert "Choose a new password" in page_text(weak) and "error" in page_text(weak).lower()
    done = web.post(path, {"new_password": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert web.sign_in(people.lead.email, NEW_PASSWORD).status_code == 302
    assert other_device.get("/").status_code == 302  # signed out everywhere else
    again = WebClient(mail_app.test_client()).get(path)
    assert again.status_code == 404 and "This link cannot be used" in page_text(again)
    with mail_app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "auth.password_reset_requested" in actions and "auth.password_reset" in actions


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(mail_app, people, sink):
    known, unknown = ask(mail_app, people.lead.email), ask(mail_app, "nobody@council.example")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    with mail_app.app_context():
        db.session.get(User, people.other_lead.id).active = False
        db.session.commit()
    disabled = ask(mail_app, people.other_lead.email)
    assert disabled.headers["Location"] == known.headers["Location"]
    run_queued_jobs(mail_app)
    assert len(sink.received) == 1 and sink.received[0]["To"] == f"Lena Lead <{people.lead.email}>"


def test_the_outbox_never_keeps_the_link(mail_app, people, sink):
    ask(mail_app, people.lead.email)
    run_queued_jobs(mail_app)
    with mail_app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "password_reset"))
        assert row.state == "sent" and LINK_MADE_WHEN_SENT in row.body_text and "/reset-password/" not in row.body_text
        assert "/reset-password/" not in row.body_html
    page = page_text(signed_in(mail_app, people.cso).get(f"/outbox/{row.id}"))
    assert "/reset-password/" not in page and "it is not kept here" in page
    assert "/reset-password/" in text_part(sink.to(people.lead.email)[-1])


def test_an_expired_link_or_one_made_before_the_password_changed_does_not_work(mail_app, people, monkeypatch):
    from app.auth.password_reset import make_token

    with mail_app.app_context():
        user = db.session.get(User, people.lead.id)
        fresh = make_token(user)
        real = time.time
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real() - 31 * 60)
        old = make_token(user)
        monkeypatch.undo()
    web = WebClient(mail_app.test_client())
    assert web.get(f"/reset-password/{old}").status_code == 404
    assert web.get(f"/reset-password/{fresh}").status_code == 200
    assert web.get(f"/reset-password/{fresh[:-3]}abc").status_code == 404  # tampered with
    assert web.get("/reset-password/" + "x" * 600).status_code == 404
    signed_in(mail_app, people.lead).post("/account/password", {"current_password": people.lead.password,
                                                                "new_password": NEW_PASSWORD})
    assert web.get(f"/reset-password/{fresh}").status_code == 404  # the password changed since


def test_each_account_gets_one_message_in_five_minutes_and_each_address_is_throttled(make_app, people, sink):
    app = make_app(MAIL_URL=sink.url, MAIL_FROM="section17@council.example", PASSWORD_RESET_RATE_LIMIT="3 per hour")
    statuses = [ask(app, people.lead.email).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    run_queued_jobs(app)
    assert len(sink.to(people.lead.email)) == 1
    assert ask(app, "nobody@council.example").status_code == 429  # the same for an unknown address


def test_a_disabled_person_gets_no_link_even_if_asked_before(mail_app, people, sink):
    ask(mail_app, people.lead.email)
    with mail_app.app_context():
        db.session.get(User, people.lead.id).active = False
        db.session.commit()
    run_queued_jobs(mail_app)
    assert sink.received == []
