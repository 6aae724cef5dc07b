"""Every mail template rendered for every case it has, read for its link and its wording.

The contexts are the ones the service passes (app/mail/*.py, app/actions/reminders.py,
app/benchmarking/invitation_mail.py, app/auth/password_reset.py); StrictUndefined makes
a name missing from a context an error, so a template and its caller cannot drift apart.
A council's own file in MAIL_TEMPLATES_DIR replaces ours; a broken one is refused with
its name and what is wrong, and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.mail.compose import SHIPPED, TemplateProblem, compose
from app.mail.outbox import LINK_MADE_WHEN_SENT

URL = "https://s17.example"
LINK = f"{URL}/returns/7"
DUE = date(2027, 3, 31)
RETURN = {"name": "Lena Lead", "department": "Housing Services", "cycle": "Audit 2026 to 2027",
          "questionnaire": "Departmental self-assessment", "due_date": DUE, "status": "In progress", "link": LINK}

CASES = {
    "cycle_opened, one return": ("cycle_opened", {
        "name": "Lena Lead", "cycle": "Audit 2026 to 2027", "deadline": DUE, "period_start": date(2026, 4, 1),
        "period_end": date(2027, 3, 31), "link": f"{URL}/returns/", "today": date(2026, 12, 3),
        "returns": [{"department": "Housing Services", "questionnaire": "Departmental self-assessment",
                     "due_date": DUE, "link": LINK}]},
        ["Subject: Audit 2026 to 2027: your Section 17 return is open, due 31 March 2027",
         "You are the lead officer for this return:", "* Housing Services: Departmental self-assessment, due 31 March 2027",
         f"Open Housing Services' return: {LINK}", "Please submit by 31 March 2027."]),
    "cycle_opened, two returns": ("cycle_opened", {
        "name": "Lena Lead", "cycle": "Audit 2026 to 2027", "deadline": DUE, "period_start": date(2026, 4, 1),
        "period_end": date(2027, 3, 31), "link": f"{URL}/returns/", "today": date(2026, 12, 3),
        "returns": [{"department": "Housing Services", "questionnaire": "Departmental self-assessment",
                     "due_date": DUE, "link": LINK},
                    {"department": "Parks", "questionnaire": "Departmental self-assessment", "due_date": DUE,
                     "link": f"{URL}/returns/8"}]},
        ["your Section 17 returns are open", "You are the lead officer for these returns:",
         f"Open Parks' return: {URL}/returns/8"]),
    "reminder, before the deadline": ("reminder", {**RETURN, "when": "due in 14 days", "overdue": False,
                                                  "reason": "", "number": 1},
        ["Subject: Reminder: Housing Services' Section 17 return is due in 14 days",
         "is due in 14 days, on 31 March 2027", "Its status is: In progress.", f"Continue the return: {LINK}"]),
    "reminder, overdue and sent back": ("reminder", {**RETURN, "status": "Returned for changes",
                                                    "when": "8 days overdue", "overdue": True,
                                                    "reason": "Name the service plan.", "number": 3},
        ["Subject: Overdue: Housing Services' Section 17 return is 8 days overdue",
         "was due on 31 March 2027 and has not been submitted", "It was sent back to you with this reason:",
         "Name the service plan."]),
    "chase, with a note": ("chase", {**RETURN, "when": "due in 5 days", "overdue": False, "reason": "",
                                     "sender": "Chris Safety", "note": "The board meets on 9 March."},
        ["Subject: Chris Safety asks you to complete Housing Services' Section 17 return (due in 5 days)",
         "Chris Safety adds:", "The board meets on 9 March.", f"Continue the return: {LINK}"]),
    "chase, without a note": ("chase", {**RETURN, "when": "2 days overdue", "overdue": True, "reason": "",
                                        "sender": "Chris Safety", "note": ""}, ["has not been submitted yet"]),
    "return_returned": ("return_returned", {**RETURN, "when": "", "overdue": False, "reviewer": "Chris Safety",
                                            "reason": "Add the page number."},
        ["Subject: Housing Services' Section 17 return has been sent back to you", "Add the page number.",
         f"Change the return and submit it again: {LINK}"]),
    "return_accepted": ("return_accepted", {**RETURN, "when": "", "overdue": False, "reviewer": "Chris Safety",
                                            "reason": ""},
        ["Subject: Housing Services' Section 17 return has been accepted", "nothing more you need to do"]),
    "return_submitted, first time": ("return_submitted", {
        "name": "Chris Safety", "department": "Housing Services", "cycle": "Audit 2026 to 2027",
        "questionnaire": "Departmental self-assessment", "submitted_by": "Lena Lead", "resubmitted": False,
        "link": f"{URL}/review/7"},
        ["Subject: Housing Services' Section 17 return was submitted and is ready for review",
         "Lena Lead has submitted", f"Review the return: {URL}/review/7"]),
    "return_submitted, again": ("return_submitted", {
        "name": "Chris Safety", "department": "Housing Services", "cycle": "Audit 2026 to 2027",
        "questionnaire": "Departmental self-assessment", "submitted_by": "Lena Lead", "resubmitted": True,
        "link": f"{URL}/review/7"}, ["was submitted again", "Lena Lead has submitted again"]),
    "submitted_digest": ("submitted_digest", {
        "name": "Chris Safety", "since": datetime(2026, 12, 2, 8, tzinfo=UTC), "until": datetime(2026, 12, 3, 8, tzinfo=UTC),
        "returns": [{"department": "Parks", "cycle": "Audit 2026 to 2027", "questionnaire": "Self-assessment",
                     "submitted_at": datetime(2026, 12, 2, 15, tzinfo=UTC), "status": "accepted",
                     "link": f"{URL}/review/8"}]},
        ["Subject: 1 Section 17 return submitted for review", "1 return was submitted between",
         "and since reviewed", f"Review Parks' return: {URL}/review/8"]),
    "peer_invitation": ("peer_invitation", {
        "name": "Jo Bloggs", "peer": "Amber Valley", "our_partnership": "Safer South Derbyshire",
        "last_day": DUE, "link": LINK_MADE_WHEN_SENT, "sender": "Chris Safety", "questionnaire": "Peer questionnaire"},
        ["benchmarking questionnaire for Amber Valley", f"Open the questionnaire: {LINK_MADE_WHEN_SENT}",
         "It works until 31 March 2027."]),
    "peer_reminder": ("peer_reminder", {
        "name": "Jo Bloggs", "peer": "Amber Valley", "our_partnership": "Safer South Derbyshire",
        "last_day": DUE, "link": LINK_MADE_WHEN_SENT, "sender": "Chris Safety", "questionnaire": "Peer questionnaire",
        "days_left": 1}, ["Your link works for 1 more day, until 31 March 2027."]),
    "action_due": ("action_due", {"name": "Lena Lead", "title": "Brief the team", "done_looks_like": "All briefed.",
                                  "due_date": DUE, "when": "due in 7 days", "where": "Housing Services",
                                  "cycle": "Audit 2026 to 2027", "link": f"{URL}/actions/4"},
        ["Subject: Action due in 7 days: Brief the team", "What done looks like: All briefed.", f"{URL}/actions/4"]),
    "action_overdue": ("action_overdue", {"name": "Lena Lead", "title": "Brief the team",
                                          "done_looks_like": "All briefed.", "due_date": DUE, "when": "3 days overdue",
                                          "where": "Housing Services", "cycle": "Audit 2026 to 2027",
                                          "link": f"{URL}/actions/4"},
        ["Subject: Action overdue: Brief the team", "It is now 3 days overdue.", "mark it dropped with the reason"]),
    "password_reset": ("password_reset", {"name": "Lena Lead", "email": "lena@council.example",
                                          "link": LINK_MADE_WHEN_SENT, "minutes": 30},
        ["Subject: Reset your Section 17 Audit password", "within 30 minutes", "you can ignore this message"]),
    "mail_test": ("mail_test", {"sent_at": datetime(2026, 12, 3, 14, 5, tzinfo=UTC)},
        ["Subject: Test message from Section 17 Audit", "e-mail from the service is set up",
         "3 December 2026 at 2:05pm"]),
}


def test_every_shipped_template_has_a_case():
    shipped = {path.stem for path in SHIPPED.glob("*.txt") if not path.name.startswith("_")}
    assert shipped == {template for template, _context, _words in CASES.values()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_template_renders_its_wording_and_link_in_text_and_html(app, case):
    template, context, expected = CASES[case]
    with app.app_context():
        composed = compose(template, context, public_url=URL)
    whole = f"Subject: {composed.subject}\n{composed.text}"
    for words in expected:
        assert words in whole, f"{case}: {words!r} not in\n{whole}"
    assert "{{" not in whole and "{%" not in whole and "^ " not in composed.text
    assert "This message was sent by Section 17 Audit for" in composed.text  # the footer: who sent it and why
    for link in {w.split(": ")[-1] for w in expected if w.split(": ")[-1].startswith(URL)}:
        assert f'<a href="{link}"' in composed.html, f"{case}: {link} is not a link in the HTML"
    assert "<img" not in composed.html and "<script" not in composed.html and "http://" not in composed.html


def test_a_councils_own_template_replaces_ours_and_a_broken_one_is_refused(make_app, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "mail_test.txt").write_text("Subject: Hello from {{ council_name }}\n\nOur own words.\n")
    (own / "reminder.txt").write_text("Subject: {{ no_such_name }}\n\nx\n")
    (own / "chase.txt").write_text("No subject line here\n")
    app = make_app(MAIL_TEMPLATES_DIR=str(own))
    with app.app_context():
        composed = compose("mail_test", {"sent_at": datetime(2026, 12, 3, tzinfo=UTC)}, public_url=URL)
        assert composed.subject == "Hello from Your council" and composed.text == "Our own words.\n"
        with pytest.raises(TemplateProblem, match="reminder.txt cannot be used: 'no_such_name' is undefined"):
            compose("reminder", {}, public_url=URL)
        with pytest.raises(TemplateProblem, match='chase.txt must start with a line "Subject: ..."'):
            compose("chase", {}, public_url=URL)
        with pytest.raises(TemplateProblem, match="There is no mail template nothing.txt"):
            compose("nothing", {}, public_url=URL)


def test_an_edited_template_cannot_reach_into_the_application(make_app, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "mail_test.txt").write_text("Subject: x\n\n{{ sent_at.__class__.__mro__[1].__subclasses__() }}\n")
    app = make_app(MAIL_TEMPLATES_DIR=str(own))
    with app.app_context(), pytest.raises(TemplateProblem, match="unsafe"):
        compose("mail_test", {"sent_at": datetime(2026, 12, 3, tzinfo=UTC)}, public_url=URL)
