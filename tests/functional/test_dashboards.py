"""Home pages that keep every open cycle in sight, and tell a lead officer what was sent back."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Assignment
from tests.functional.test_form_legends import Page
from tests.support import WebClient, open_cycle


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def set_status(app, assignment_id: int, status: str, reason: str = "") -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assignment.status = status
        assignment.return_reason = reason
        db.session.commit()


@pytest.fixture
def two_open_cycles(app, people):
    """Last year's cycle still open with two returns to review, and this year's opened after it."""
    older = open_cycle(app, people, name="Audit 2025 to 2026")
    set_status(app, older.housing, "submitted")
    set_status(app, older.planning, "submitted")
    newer = open_cycle(app, people, name="Audit 2026 to 2027")
    return older, newer


@pytest.mark.parametrize("role", ["community_safety_officer", "auditor"])
def test_every_open_cycle_is_on_the_dashboard_not_only_the_newest(app, people, two_open_cycles, role):
    older, newer = two_open_cycles
    words = Page.of(signed_in(app, people.by_role(role)).get("/")).text
    assert "Audit 2025 to 2026" in words and "Audit 2026 to 2027" in words
    assert "2 audit cycles are open." in words
    if role == "community_safety_officer":
        assert "2 returns waiting for your review in Audit 2025 to 2026" in words  # the banner at the top
        assert words.count("2 returns waiting for your review") == 2  # and in the older cycle's own section
    else:
        assert "2 returns waiting for review." in words and "for your review" not in words


def test_one_open_cycle_has_no_banner_but_its_reviews_link(app, people):
    made = open_cycle(app, people)
    set_status(app, made.housing, "submitted")
    web = signed_in(app, people.cso)
    page = web.get("/")
    words = Page.of(page).text
    assert "1 return waiting for your review" in words and "Returns to review" not in words
    assert f'href="/cycles/{made.cycle_id}?status=submitted#returns"' in page.get_data(as_text=True)


def test_a_lead_officer_is_told_which_return_was_sent_back(app, people):
    made = open_cycle(app, people)
    web = signed_in(app, people.lead)
    assert "needs changes" not in Page.of(web.get("/")).text
    set_status(app, made.housing, "returned", "Add the page number.")
    page = web.get("/")
    words = Page.of(page).text
    assert "1 return needs changes" in words
    assert "Housing Services: Small departmental check" in words
    html = page.get_data(as_text=True)
    banner = html.split('class="govuk-notification-banner"', 1)[1].split("</div>\n</div>", 1)[0]
    assert f'href="/returns/{made.housing}"' in banner
    assert html.index("govuk-notification-banner") < html.index("<h1")  # GOV.UK: the banner comes before the h1


def test_two_returns_sent_back_are_counted_in_the_plural(app, people):
    from app.models import Department, User

    made = open_cycle(app, people)
    with app.app_context():
        lead = db.session.get(User, people.lead.id)
        lead.departments.append(db.session.get(Department, people.planning_id))
        db.session.commit()
    set_status(app, made.housing, "returned", "Add the page number.")
    set_status(app, made.planning, "returned", "Say who signed it off.")
    words = Page.of(signed_in(app, people.lead).get("/")).text
    assert "2 returns need changes" in words and "They were sent back with a reason" in words


def test_the_home_page_names_each_return_by_its_department_and_the_questionnaire_once(app, people):
    from app.models import Department, User

    made = open_cycle(app, people)
    with app.app_context():
        lead = db.session.get(User, people.lead.id)
        lead.departments.append(db.session.get(Department, people.planning_id))
        db.session.commit()
    page = signed_in(app, people.lead).get("/")
    html = page.get_data(as_text=True)
    links = {f'/returns/{made.housing}': "Housing Services", f'/returns/{made.planning}': "Planning Services"}
    for href, department in links.items():
        link = html.split(f'href="{href}"', 1)[1].split("</a>", 1)[0]
        visible = link.split('<span class="govuk-visually-hidden">', 1)[0]
        assert visible.strip(">").strip() == department
    # The questionnaire's title is the table's caption, said once, not on every row.
    table = html.split('<table class="govuk-table">', 1)[1].split("</table>", 1)[0]
    caption = table.split("</caption>", 1)[0]
    assert "Small departmental check" in caption
    shown = re.sub(r'<span class="govuk-visually-hidden">[^<]*</span>', "", table)  # links' names for screen readers
    assert shown.count("Small departmental check") == 1


def test_a_closed_cycles_returned_return_is_not_asked_for(app, people):
    from app.cycles.services import close_cycle
    from app.models import Cycle

    made = open_cycle(app, people)
    set_status(app, made.housing, "returned", "Add the page number.")
    with app.app_context():
        close_cycle(None, db.session.get(Cycle, made.cycle_id))
    assert "needs changes" not in Page.of(signed_in(app, people.lead).get("/")).text
