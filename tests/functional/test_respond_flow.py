"""Where a section page goes after saving, and what it says there (issue 15, "flows that go the wrong way").

- A change started from check your answers comes back there, to the question changed, and only there.
- "Save and continue" says on the page what the page still lacks, having saved everything good;
  "Save and come back later" saves without complaint. Neither loses an answer, and the version,
  conflict and keep-token machinery still holds on the page shown with errors.
- Numbers are read as people write them ("92,600").
- The hallmark checklist marks each evidence and action box with the answers it belongs to.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.functional.test_respond import (
    HIDDEN,
    PEOPLE_DONE,
    PLANNING_DONE,
    answers_of,
    assignment,
    page_state,
    save,
    section_url,
)
from tests.support import WebClient, open_cycle

SURVEYS_DIR = Path(__file__).resolve().parents[2] / "surveys"
DUTY = "‘Does your service plan mention the duty?’"


def check_url(cycle) -> str:
    return f"/returns/{cycle.housing}/check"


def _complete(lead, cycle):
    save(lead, section_url(cycle), PLANNING_DONE)
    save(lead, section_url(cycle, "people"), PEOPLE_DONE)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --------------------------------------------------------------------------- back to check your answers


def test_a_change_from_check_your_answers_goes_back_there_to_the_question_changed(app, lead, cycle):
    _complete(lead, cycle)
    check = _text(lead.get(check_url(cycle)))
    change = f"/returns/{cycle.housing}/sections/planning?return_to=check&question=plan-targets#q-plan-targets-block"
    assert f'href="{change}"' in check
    assert 'id="answer-plan-targets"' in check  # where the page comes back to

    page = _text(lead.get(change.split("#")[0]))
    assert "Back to check your answers" in page
    # The form posts to the page itself, never to an address carrying the Change link's #fragment.
    assert f'<form method="post" action="/returns/{cycle.housing}/sections/planning" novalidate' in page
    state = dict(HIDDEN.findall(page))
    form = {**state, **PLANNING_DONE, "q-plan-targets": "aims", "next": "continue",
            "return_to": "check", "question": "plan-targets"}
    response = lead.post(section_url(cycle), form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{check_url(cycle)}#answer-plan-targets"  # not the next section
    assert answers_of(app, cycle.housing)["plan-targets"].value == "aims"


def test_coming_back_from_check_saves_later_to_the_task_list_as_usual(lead, cycle):
    _complete(lead, cycle)
    response = save(lead, section_url(cycle), {**PLANNING_DONE, "return_to": "check", "question": "plan-targets"},
                    next_step="later")
    assert response.headers["Location"] == f"/returns/{cycle.housing}"


@pytest.mark.parametrize("return_to,question,expected", [
    ("https://evil.example/", "plan-targets", "people"),  # only "check" means anything: on to the next section
    ("//evil.example", "", "people"),
    ("check", "staff-count", "check"),  # a question from another page: back to check, no fragment
    ("check", 'x"><script>alert(1)</script>', "check"),
    ("check", "", "check"),
])
def test_the_return_marker_can_only_lead_to_our_own_check_page(lead, cycle, return_to, question, expected):
    _complete(lead, cycle)
    response = save(lead, section_url(cycle), {**PLANNING_DONE, "return_to": return_to, "question": question})
    location = response.headers["Location"]
    if expected == "check":
        assert location == check_url(cycle)
    else:
        assert location == section_url(cycle, "people")
    page = lead.get(f"{section_url(cycle)}?return_to={return_to}&question={question}").get_data(as_text=True)
    assert "evil.example" not in page and "<script>alert(1)" not in page


def test_a_link_from_the_list_of_missing_answers_also_comes_back_to_check(app, lead, cycle):
    save(lead, section_url(cycle, "people"), PEOPLE_DONE)
    save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes", "q-plan-targets": "smart"}, next_step="later")
    check = _text(lead.get(check_url(cycle)))
    link = re.search(r'href="([^"]*planning\?return_to=check&question=plan-mentions-duty)'
                     r'#q-plan-mentions-duty-evidence"', check)
    assert link, "the missing evidence links to its box, and back"
    page = lead.get(link.group(1))
    state = dict(HIDDEN.findall(page.get_data(as_text=True)))
    response = lead.post(section_url(cycle), {**state, "q-plan-mentions-duty": "yes", "q-plan-targets": "smart",
                                              "q-plan-mentions-duty-evidence": "Service plan, section 3",
                                              "return_to": "check", "question": "plan-mentions-duty",
                                              "next": "continue"})
    assert response.headers["Location"] == f"{check_url(cycle)}#answer-plan-mentions-duty"
    assert "Submit return" in lead.get(check_url(cycle)).get_data(as_text=True)


# --------------------------------------------------------------------------- what is missing, said on the page


def test_save_and_continue_says_what_the_page_lacks_and_still_saves_the_rest(app, lead, cycle):
    response = save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes", "q-plan-targets": "smart",
                                               "q-plan-notes": "Reviewed every spring"})
    page = _text(response)
    assert response.status_code == 200  # stays on the page, which says why
    assert "<title>Error: Planning" in page
    assert "There is a problem" in page and "Your answers on this page have been saved. To finish this section:" in page
    message = f"Give evidence for {DUTY}"
    assert f'<a href="#q-plan-mentions-duty-evidence">{message}</a>' in page  # the summary links to the box
    assert re.search(r'id="q-plan-mentions-duty-evidence-error"[^>]*>\s*<span class="govuk-visually-hidden">'
                     r'Error:</span> ' + re.escape(message), page)  # and the box says it too
    stored = answers_of(app, cycle.housing)
    assert stored["plan-mentions-duty"].value == "yes" and stored["plan-targets"].value == "smart"
    assert stored["plan-notes"].value == "Reviewed every spring"
    assert 'value="smart" checked' in page and "Reviewed every spring" in page  # shown back as given


def test_save_and_continue_names_required_questions_left_unanswered(app, lead, cycle):
    response = save(lead, section_url(cycle, "people"), {"q-staff-trained": "60"})
    page = _text(response)
    assert response.status_code == 200
    assert '<a href="#q-lead-named">Answer ‘Who leads on Section 17 in your department?’</a>' in page
    assert '<a href="#q-staff-count">Answer ‘How many staff does the department employ?’</a>' in page
    assert "Which matters did the training cover?’</a>" not in page  # optional
    assert answers_of(app, cycle.housing)["staff-trained"].value == 60


def test_save_and_come_back_later_saves_without_complaint(app, lead, cycle):
    response = save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes"}, next_step="later")
    assert response.status_code == 302 and response.headers["Location"] == f"/returns/{cycle.housing}"
    assert "There is a problem" not in lead.get(response.headers["Location"]).get_data(as_text=True)
    assert answers_of(app, cycle.housing)["plan-mentions-duty"].value == "yes"


def test_a_bad_value_and_a_missing_answer_are_both_said_and_nothing_good_is_lost(app, lead, cycle):
    response = save(lead, section_url(cycle, "people"), {**PEOPLE_DONE, "q-staff-count": "lots",
                                                         "q-lead-named-evidence": ""})
    page = _text(response)
    assert "Your other answers on this page have been saved." in page
    assert "Enter the answer to ‘How many staff does the department employ?’ as a whole number" in page
    assert "Give their name and job title for ‘Who leads on Section 17 in your department?’" in page
    assert 'value="lots"' in page  # the bad value shown back as typed, to be corrected
    stored = answers_of(app, cycle.housing)
    assert "staff-count" not in stored and stored["lead-named"].value == "officer"
    assert stored["last-review"].value == "2026-09-03"


def test_the_page_shown_with_what_is_missing_carries_the_new_version(app, lead, new_web, cycle, people):
    """Saving again from the error page is not a conflict with itself, but a colleague's change still is."""
    response = save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes", "q-plan-targets": "smart"})
    state = dict(HIDDEN.findall(response.get_data(as_text=True)))
    assert int(state["version"]) == assignment(app, cycle.housing).version and state["keep"]
    finished = lead.post(section_url(cycle), {**state, "q-plan-mentions-duty": "yes", "q-plan-targets": "smart",
                                              "q-plan-mentions-duty-evidence": "Plan, page 4", "next": "continue"})
    assert finished.status_code == 302 and finished.headers["Location"] == section_url(cycle, "people")

    again = save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes", "q-plan-targets": "aims",
                                            "q-plan-mentions-duty-evidence": ""})
    state = dict(HIDDEN.findall(again.get_data(as_text=True)))
    colleague = new_web()
    colleague.sign_in(people.lead)
    save(colleague, section_url(cycle), {**PLANNING_DONE, "q-plan-targets": "none"})
    conflict = lead.post(section_url(cycle), {**state, "q-plan-mentions-duty": "yes", "q-plan-targets": "smart",
                                              "q-plan-mentions-duty-evidence": "Plan, page 4", "next": "continue"})
    assert conflict.status_code == 409
    assert answers_of(app, cycle.housing)["plan-targets"].value == "none"  # the colleague's answer stands


def test_answers_from_the_error_page_are_kept_if_the_session_ends(app, lead, cycle):
    response = save(lead, section_url(cycle), {"q-plan-mentions-duty": "yes", "q-plan-targets": "smart"})
    state = dict(HIDDEN.findall(response.get_data(as_text=True)))
    lead.client.delete_cookie("section17_session")
    kept = lead.post(section_url(cycle), {**state, "q-plan-mentions-duty": "yes", "q-plan-targets": "smart",
                                          "q-plan-mentions-duty-evidence": "Typed after lunch"}, csrf=False)
    assert kept.status_code == 302 and "kept=1" in kept.headers["Location"]


# --------------------------------------------------------------------------- numbers as people write them


def test_a_number_with_a_thousands_separator_is_saved_as_the_number(app, lead, cycle):
    response = save(lead, section_url(cycle, "people"), {**PEOPLE_DONE, "q-staff-count": " 92,600 "})
    assert response.status_code == 302
    assert answers_of(app, cycle.housing)["staff-count"].value == 92600
    assert 'value="92600"' in lead.get(section_url(cycle, "people")).get_data(as_text=True)
    assert "92,600 people" in _text(lead.get(check_url(cycle)))


def test_nonsense_is_still_refused_with_a_reason(app, lead, cycle):
    page = _text(save(lead, section_url(cycle, "people"), {**PEOPLE_DONE, "q-staff-count": "9,26"}))
    assert "with commas only between thousands" in page
    assert "staff-count" not in answers_of(app, cycle.housing)


# --------------------------------------------------------------------------- hallmark boxes for their own answers


@pytest.fixture
def hallmarks(make_app, people):
    app = make_app(SURVEYS_DIR=str(SURVEYS_DIR))
    cycle = open_cycle(app, people, definitions=("hallmarks-of-effective-partnership",))
    cso = WebClient(app.test_client())
    cso.sign_in(people.cso)
    return app, cycle, cso


def test_each_hallmark_box_says_which_answers_it_belongs_to(hallmarks):
    _, cycle, cso = hallmarks
    page = cso.get(f"/returns/{cycle.partnership}/sections/leadership").get_data(as_text=True)
    boxes = re.findall(r'<div class="app-follow-up"([^>]*)>', page)
    questions = page.count('class="app-question"')
    assert questions and len(boxes) == 2 * questions
    evidence = ' data-shown-for="[&#34;met&#34;, &#34;partly_met&#34;]"'
    action = ' data-shown-for="[&#34;not_met&#34;, &#34;partly_met&#34;]"'
    assert boxes == [evidence, action] * questions
    text = html.unescape(page)
    # Without JavaScript both boxes show, and say which answers they are for.
    assert "Needed if you answer ‘Met’. Optional if you answer ‘Partly met’." in text
    assert "Needed if you answer ‘Not met’. Optional if you answer ‘Partly met’." in text


def test_text_in_a_box_for_another_answer_is_kept(hallmarks):
    app, cycle, cso = hallmarks
    url = f"/returns/{cycle.partnership}/sections/leadership"
    state = page_state(cso, url)
    first = state["questions"].split(",")[0]
    cso.post(url, {**state, f"q-{first}": "not_met", f"q-{first}-evidence": "Minutes of March 2026",
                   f"q-{first}-action": "Agree terms by June", "next": "later"})
    stored = answers_of(app, cycle.partnership)[first]
    assert (stored.value, stored.evidence, stored.action) == ("not_met", "Minutes of March 2026", "Agree terms by June")
    assert "Minutes of March 2026" in cso.get(url).get_data(as_text=True)
