"""Page titles say "Error: " once, and only when the page shows an error summary (issue 15, item 7's page check).

GOV.UK pattern: a page that shows errors starts its title with "Error: ", so that a screen
reader user hears it first. The base layout alone adds the prefix; pages that added it too
said "Error: Error:". Check your answers shows an error summary when answers are missing
or the declaration was not ticked, and its title must say so then, and not otherwise.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.functional.test_peer_links import PEER_DEFINITIONS, add_peer, fill_section, make_link, signed_in
from tests.functional.test_respond import PEOPLE_DONE, PLANNING_DONE, save, section_url
from tests.support import WebClient, open_cycle

TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.DOTALL)
SUMMARY = 'class="govuk-error-summary"'


def title_of(response) -> str:
    match = TITLE.search(response.get_data(as_text=True))
    assert match, "the page has a title"
    return " ".join(html.unescape(match.group(1)).split())


def assert_one_error_prefix(response) -> None:
    title = title_of(response)
    assert SUMMARY in response.get_data(as_text=True), "the page shows its error summary"
    assert title.startswith("Error: ") and title.count("Error:") == 1, title


def assert_no_error_prefix(response) -> None:
    title = title_of(response)
    assert SUMMARY not in response.get_data(as_text=True)
    assert "Error:" not in title and title.endswith(" - Section 17 Audit - " + title.rsplit(" - ", 1)[-1]), title


@pytest.fixture
def cycle(app, people):
    return open_cycle(app, people, definitions=PEER_DEFINITIONS)


@pytest.fixture
def peer_id(app):
    return add_peer(app, "Amber Valley")


@pytest.mark.parametrize("path", [
    "/benchmarking/crime/import",
    "/benchmarking/peers/new",
    "/benchmarking/peers/{peer}/edit",
    "/benchmarking/peers/{peer}/invite",
    "/benchmarking/peers/import",
    "/questionnaires/import",
])
def test_a_form_sent_empty_says_error_once_in_its_title(app, people, cycle, peer_id, path):
    officer = signed_in(app, people.cso)
    url = path.format(peer=peer_id)
    assert_no_error_prefix(officer.get(url))
    assert_one_error_prefix(officer.post(url, {}))


def test_the_lead_officers_check_page_says_error_only_while_it_lists_missing_answers(app, people, cycle):
    lead = signed_in(app, people.lead)
    url = f"/returns/{cycle.housing}/check"
    assert_one_error_prefix(lead.get(url))  # nothing answered yet: "You cannot submit yet"
    save(lead, section_url(cycle), PLANNING_DONE)
    save(lead, section_url(cycle, "people"), PEOPLE_DONE)
    ready = lead.get(url)
    assert_no_error_prefix(ready)
    version = re.search(r'name="version" value="(\d+)"', ready.get_data(as_text=True)).group(1)
    assert_one_error_prefix(lead.post(f"/returns/{cycle.housing}/submit", {"version": version}))  # no declaration


def test_the_partnership_check_page_says_error_while_answers_are_missing(app, people, cycle):
    officer = signed_in(app, people.cso)
    assert_one_error_prefix(officer.get(f"/returns/{cycle.partnership}/check"))


def test_the_peers_check_page_says_error_only_while_it_shows_a_problem(app, people, cycle, peer_id):
    token = make_link(app, people, cycle, peer_id)
    peer = WebClient(app.test_client())
    assert_one_error_prefix(peer.get(f"/peer/{token}/check"))  # nothing answered yet
    fill_section(peer, token, "approaches", {"q-approach-link-officers": "in_place",
                                             "q-approach-link-officers-evidence": "One in each department"})
    fill_section(peer, token, "figures", {"q-population": "94600"})
    ready = peer.get(f"/peer/{token}/check")
    assert_no_error_prefix(ready)
    version = re.search(r'name="version" value="(\d+)"', ready.get_data(as_text=True)).group(1)
    assert_one_error_prefix(peer.post(f"/peer/{token}/submit", {"version": version}))  # no declaration


@pytest.mark.parametrize("path", ["/cycles/{cycle}/gaps?include=perhaps", "/cycles/{cycle}/results/themes?include=perhaps",
                                  "/cycles/{cycle}/results?include=perhaps"])
def test_a_results_page_with_a_bad_address_says_error_once_in_its_title(app, people, cycle, path):
    auditor = signed_in(app, people.auditor)
    url = path.format(cycle=cycle.cycle_id)
    assert_no_error_prefix(auditor.get(url.split("?")[0]))
    response = auditor.get(url)
    assert response.status_code == 400
    assert_one_error_prefix(response)


# --------------------------------------------------------------------------- the questionnaire outline on a phone


def test_a_long_tag_value_in_the_questionnaire_outline_can_wrap_and_still_reads_as_the_exact_id(app, people):
    """At 375 px an unbroken value like training_for_heads_of_service_and_members made the page wider than
    the screen (page check): a line may now break after each underscore, and the text is unchanged."""
    page = signed_in(app, people.cso).get("/questionnaires/small-peer").get_data(as_text=True)
    assert "approach: departmental_<wbr>link_<wbr>officers" in page
    text = " ".join(re.sub(r"<[^>]+>", "", re.sub(r"<wbr>", "", page)).split())
    assert "approach: departmental_link_officers" in text
    assert not re.search(r"[a-z]\.[A-Z]", html.unescape(text)), "sentences in the outline run together"
