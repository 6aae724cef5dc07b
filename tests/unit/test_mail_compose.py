"""The pure parts of e-mail: the body's HTML, the reminder schedule, the mail URL, the possessive."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.config import ConfigurationError
from app.mail.compose import _tidy, body_html, possessive
from app.mail.delivery import Outgoing, build_email, parse_mail_url
from app.mail.reminders import ReminderSchedule, schedule_from_config, when_words

SERVICE = "https://s17.example"


def test_paragraphs_bullets_inset_text_and_rules_become_simple_html():
    html = str(body_html("Dear Jo,\n\nYour returns:\n\n* Housing\n* Planning\n\n^ Due on 3 March.\nPlease.\n\n---\n\nBye",
                         SERVICE))
    assert html.count("<p ") == 4 and "<ul " in html and html.count("<li ") == 2
    assert "border-left:10px solid #b1b4b6\">Due on 3 March.<br>Please.</p>" in html
    assert "<hr " in html


def test_text_is_escaped_and_only_links_into_the_service_become_links():
    html = str(body_html('Housing <script>alert(1)</script> & "co"\n\nSee https://evil.example/login or '
                         f'{SERVICE}/returns/3.', SERVICE))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;co&#34;" in html
    assert 'href="https://evil.example' not in html and "https://evil.example/login" in html
    assert f'<a href="{SERVICE}/returns/3" style="color:#1d70b8">{SERVICE}/returns/3</a>.' in html  # full stop left out


def test_an_address_that_only_starts_like_the_service_is_not_linked():
    html = str(body_html(f"{SERVICE}.evil.example/x", SERVICE))
    assert "href" not in html


def test_the_text_is_tidied_to_single_blank_lines_and_one_final_newline():
    assert _tidy("\n\nDear Jo,   \n\n\n\nBye\n\n") == "Dear Jo,\n\nBye\n"


@pytest.mark.parametrize(("name", "owned"), [("Housing Services", "Housing Services'"), ("Planning", "Planning's")])
def test_possessive(name, owned):
    assert possessive(name) == owned


DEADLINE = date(2027, 3, 31)


def test_reminders_fall_before_the_deadline_then_weekly_while_overdue_up_to_the_most():
    schedule = ReminderSchedule((14, 3), 7, 5)
    opened = DEADLINE - timedelta(days=60)
    points = schedule.points(DEADLINE, opened, DEADLINE + timedelta(days=100))
    assert points == [DEADLINE - timedelta(days=14), DEADLINE - timedelta(days=3), DEADLINE + timedelta(days=7),
                      DEADLINE + timedelta(days=14), DEADLINE + timedelta(days=21)]


def test_only_the_latest_reminder_that_has_come_is_due():
    schedule = ReminderSchedule((14, 3), 7, 5)
    opened = DEADLINE - timedelta(days=60)
    assert schedule.due(DEADLINE, opened, DEADLINE - timedelta(days=15)) is None
    assert schedule.due(DEADLINE, opened, DEADLINE - timedelta(days=14)) == (1, DEADLINE - timedelta(days=14))
    assert schedule.due(DEADLINE, opened, DEADLINE - timedelta(days=5)) == (1, DEADLINE - timedelta(days=14))
    # the service was stopped from 14 days before until 8 days after: one reminder, number 3, not three
    assert schedule.due(DEADLINE, opened, DEADLINE + timedelta(days=8)) == (3, DEADLINE + timedelta(days=7))


def test_no_reminder_falls_on_or_before_the_day_the_cycle_opened():
    schedule = ReminderSchedule((14, 3), 7, 5)
    assert schedule.points(DEADLINE, DEADLINE - timedelta(days=3), DEADLINE) == []
    assert schedule.points(DEADLINE, DEADLINE - timedelta(days=4), DEADLINE) == [DEADLINE - timedelta(days=3)]


def test_no_overdue_reminders_when_the_interval_is_zero_and_none_past_the_most():
    assert ReminderSchedule((3,), 0, 5).points(DEADLINE, DEADLINE - timedelta(days=30), DEADLINE + timedelta(days=99)) \
        == [DEADLINE - timedelta(days=3)]
    assert len(ReminderSchedule((14, 3), 1, 4).points(DEADLINE, DEADLINE - timedelta(days=30),
                                                      DEADLINE + timedelta(days=99))) == 4


def test_the_schedule_is_read_from_settings_as_text_or_a_list():
    assert schedule_from_config({"REMINDER_DAYS_BEFORE": "21, 7,1"}).days_before == (21, 7, 1)
    assert schedule_from_config({"REMINDER_DAYS_BEFORE": [10]}).days_before == (10,)
    with pytest.raises(ValueError):
        schedule_from_config({"REMINDER_DAYS_BEFORE": "two weeks"})


@pytest.mark.parametrize(("days", "words"), [(5, "due in 5 days"), (1, "due tomorrow"), (0, "due today"),
                                             (-1, "1 day overdue"), (-9, "9 days overdue")])
def test_when_words(days, words):
    assert when_words(DEADLINE, DEADLINE - timedelta(days=days)) == words


def test_the_mail_url_is_read_with_its_login_tls_and_options():
    settings = parse_mail_url("smtp://user%40council:p%40ss@mail.council.gov.uk:587?starttls=true&timeout=10",
                              "s17@council.gov.uk", "Section 17 Audit")
    assert (settings.host, settings.port, settings.username, settings.password) == (
        "mail.council.gov.uk", 587, "user@council", "p@ss")
    assert settings.starttls and not settings.implicit_tls and settings.timeout == 10
    assert parse_mail_url("smtps://mail.example", "a@b.c", "x").port == 465


@pytest.mark.parametrize(("url", "sender", "problem"), [
    ("http://mail.example", "a@b.c", "must start with smtp:// or smtps://"),
    ("smtp://", "a@b.c", "names no server"),
    ("smtp://mail.example:port", "a@b.c", "port that is not a number"),
    ("smtp://mail.example?tls=yes", "a@b.c", "options this service does not know: tls"),
    ("smtp://mail.example?timeout=soon", "a@b.c", "timeout must be a number"),
    ("smtp://mail.example", "", "SECTION17_MAIL_FROM must be the address"),
])
def test_a_mail_url_that_cannot_work_is_refused_with_what_is_wrong(url, sender, problem):
    with pytest.raises(ConfigurationError, match=problem):
        parse_mail_url(url, sender, "x")


def test_the_message_has_text_then_html_and_headers_that_stop_auto_replies():
    email = build_email(Outgoing("reminder 2 for return 17 to user 4", "jo@council.example", "Jo Bloggs",
                                 "A subject long enough to be folded by a mail library at seventy eight characters",
                                 "Hello\n", "<p>Hello</p>"), "s17@council.example", "Section 17 Audit")
    assert [part.get_content_type() for part in email.iter_parts()] == ["text/plain", "text/html"]
    assert email["Auto-Submitted"] == "auto-generated" and "reminder-2-for-return-17" in email["Message-ID"]
    assert b"Subject: A subject long enough" in email.as_bytes()  # on the header's own line, not folded before it
