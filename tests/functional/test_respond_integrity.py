"""Answers an attacker or a busy office cannot plant, overwrite or crash (security.md 10, 16, 17).

- Anonymous posts keep answers only from a page that proves it was opened in a live session
  for that return (its signed keep token), reveal nothing, and are shown back only to the
  person who typed them.
- "Save my answers instead" wins only over the answers the conflict page showed.
- Kept answers come back with the version they were typed against.
- Ten people saving one return at once all succeed, or get the conflict page; never a 500.
"""

from __future__ import annotations

import html
import re
import shutil
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import PendingSave, Role
from tests.functional.test_respond import PEOPLE_DONE, answers_of, section_url
from tests.support import SURVEYS, WebClient, add_user, open_cycle

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def page_fields(web: WebClient, url: str) -> dict[str, str]:
    """The hidden fields of the page's form (version, questions, keep token), as a browser would send them."""
    page = web.get(url).get_data(as_text=True)
    return {name: value for name, value in HIDDEN.findall(page) if name != "csrf_token"}


def kept_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PendingSave))


def session_ends(web: WebClient) -> None:
    web.client.delete_cookie("section17_session")
    web.forget_token()


# --------------------------------------------------------------------------- planted answers


def test_an_anonymous_post_without_a_keep_token_keeps_nothing_and_says_nothing(app, web, people, cycle):
    url = section_url(cycle, "people")
    planted = {"questions": "staff-count,lead-name", "q-staff-count": "1", "q-lead-name": "Planted by another site"}
    real = web.post(url, planted, csrf=False)
    missing = web.post("/returns/999999/sections/people", planted, csrf=False)
    assert real.status_code == missing.status_code == 302
    # The same plain sign-in redirect for a return that exists and one that does not.
    assert real.headers["Location"] == f"/sign-in?next={url.replace('/', '%2F')}"
    assert missing.headers["Location"] == "/sign-in?next=%2Freturns%2F999999%2Fsections%2Fpeople"
    assert web.client.get_cookie("section17_kept_answers") is None
    assert kept_rows(app) == 0
    web.sign_in(people.lead)
    page = web.get(url).get_data(as_text=True)
    assert "Answers kept" not in page and "Planted by another site" not in page
    assert answers_of(app, cycle.housing) == {}


def test_a_forged_or_borrowed_keep_token_keeps_nothing(app, lead, new_web, people, cycle):
    fields = page_fields(lead, section_url(cycle, "people"))
    other = new_web()
    other.sign_in(people.other_lead)
    planning_fields = page_fields(other, f"/returns/{cycle.planning}/sections/people")
    attacker = new_web()
    for keep in (fields["keep"][:-2] + "xx",  # altered signature
                 planning_fields["keep"],  # a genuine token for another return
                 page_fields(lead, section_url(cycle, "planning"))["keep"],  # another section of this return
                 ""):
        response = attacker.post(section_url(cycle, "people"),
                                 {**fields, "keep": keep, "q-lead-name": "Planted"}, csrf=False)
        assert response.status_code == 302 and "timed_out" not in response.headers["Location"]
    assert kept_rows(app) == 0


def test_kept_answers_are_never_shown_to_another_person_in_the_same_browser(app, lead, people, cycle):
    colleague = add_user(app, name="Hana Housing", email="hana.housing@council.example", role=Role.LEAD_OFFICER,
                         departments=["HOUS"])
    fields = page_fields(lead, section_url(cycle, "people"))
    session_ends(lead)
    response = lead.post(section_url(cycle, "people"), {**fields, **PEOPLE_DONE}, csrf=False)
    assert "timed_out=1" in response.headers["Location"] and kept_rows(app) == 1
    lead.sign_in(colleague)  # someone else signs in at the same computer
    page = lead.get(section_url(cycle, "people")).get_data(as_text=True)
    assert "Answers kept" not in page and "Tenancy manager" not in page
    lead.sign_out()
    lead.sign_in(people.lead)
    page = lead.get(section_url(cycle, "people")).get_data(as_text=True)
    assert "Answers kept" in page and 'value="Tenancy manager"' in page


def test_a_page_from_a_session_its_owner_signed_out_of_keeps_nothing(app, lead, new_web, people, cycle):
    fields = page_fields(lead, section_url(cycle, "people"))
    elsewhere = new_web()
    elsewhere.sign_in(people.lead)
    elsewhere.sign_out()  # signing out ends every session of this account
    response = lead.post(section_url(cycle, "people"), {**fields, **PEOPLE_DONE}, csrf=False)
    assert response.status_code == 302 and "timed_out" not in response.headers["Location"]
    assert kept_rows(app) == 0


def test_a_peer_page_posted_without_its_keep_token_keeps_nothing(make_app, people):
    from tests.functional.test_peer_links import PEER_DEFINITIONS, add_peer, make_link, peer_return

    app = make_app()
    made = open_cycle(app, people, definitions=PEER_DEFINITIONS)
    peer_id = add_peer(app, "Amber Valley")
    token = make_link(app, people, made, peer_id)
    stranger = WebClient(app.test_client())  # knows the link, has no session and no page
    response = stranger.client.post(f"/peer/{token}/sections/approaches", data={
        "questions": "approach-link-officers", "q-approach-link-officers": "planned"})
    assert response.status_code == 400 and "This form has expired" in response.get_data(as_text=True)
    assert kept_rows(app) == 0
    page = stranger.get(f"/peer/{token}/sections/approaches").get_data(as_text=True)
    assert "Answers kept" not in page
    assert answers_of(app, peer_return(app, peer_id).id) == {}


# --------------------------------------------------------------------------- lost updates


def test_save_mine_instead_loses_to_a_change_made_after_the_conflict_page_was_shown(app, lead, new_web, people,
                                                                                     cycle):
    url = section_url(cycle, "people")
    mine = page_fields(lead, url)
    colleague = new_web()
    colleague.sign_in(people.lead)
    colleague.post(url, {**page_fields(colleague, url), "q-staff-count": "200"})
    conflict = lead.post(url, {**mine, "q-staff-count": "150"})
    assert conflict.status_code == 409
    resolve = {name: value for name, value in HIDDEN.findall(conflict.get_data(as_text=True))
               if name != "csrf_token"}
    # While the conflict page is open, a third save changes the same answer again.
    colleague.post(url, {**page_fields(colleague, url), "q-staff-count": "250"})
    again = lead.post(url, resolve)
    assert again.status_code == 409
    page = html.unescape(again.get_data(as_text=True))
    assert "250 people" in page and "150 people" in page
    assert answers_of(app, cycle.housing)["staff-count"].value == 250  # the newest change is not lost
    resolve = {name: value for name, value in HIDDEN.findall(again.get_data(as_text=True)) if name != "csrf_token"}
    assert lead.post(url, {**resolve, "next": "later"}).status_code == 302  # nothing newer: now mine wins, by choice
    assert answers_of(app, cycle.housing)["staff-count"].value == 150


def test_kept_answers_are_checked_against_the_version_they_were_typed_against(app, lead, new_web, people, cycle):
    url = section_url(cycle, "people")
    fields = page_fields(lead, url)
    session_ends(lead)
    lead.post(url, {**fields, "q-staff-count": "150"}, csrf=False)
    colleague = new_web()
    colleague.sign_in(people.lead)
    colleague.post(url, {**page_fields(colleague, url), "q-staff-count": "200"})  # saved meanwhile
    lead.sign_in(people.lead)
    restored = page_fields(lead, url)
    assert int(restored["version"]) == int(fields["version"])  # not the return's current version
    response = lead.post(url, {**restored, "q-staff-count": "150"})
    assert response.status_code == 409
    assert answers_of(app, cycle.housing)["staff-count"].value == 200


# --------------------------------------------------------------------------- many saves at once


WIDE = """id: wide-departmental
version: 1
title: Wide departmental check
kind: departmental
sections:
  - id: counts
    title: Counts
    questions:
{questions}
"""


@pytest.fixture
def wide(make_app, people, tmp_path):
    surveys = tmp_path / "surveys"
    shutil.copytree(SURVEYS, surveys)
    questions = "\n".join(f"      - {{id: count-{n}, type: number, text: 'How many of kind {n}?', required: false}}"
                          for n in range(10))
    (surveys / "wide-departmental.yaml").write_text(WIDE.format(questions=questions))
    app = make_app(SURVEYS_DIR=str(surveys))
    return app, open_cycle(app, people, definitions=("wide-departmental",))


def _at_once(app, people, posts) -> list[int]:
    """Sign in one browser per post, then send them all together; the status codes, in order."""
    clients = []
    for _ in posts:
        client = WebClient(app.test_client())
        client.sign_in(people.lead)
        client.csrf_token()
        clients.append(client)
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = [0] * len(posts)

    def send(index: int) -> None:
        url, data = posts[index]
        barrier.wait()
        statuses[index] = clients[index].post(url, data).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_ten_people_saving_different_answers_of_one_return_at_once_all_succeed(wide, people):
    app, made = wide
    url = f"/returns/{made.housing}/sections/counts"
    reader = WebClient(app.test_client())
    reader.sign_in(people.lead)
    fields = page_fields(reader, url)
    posts = [(url, {**fields, "questions": f"count-{n}", f"q-count-{n}": str(n * 10)}) for n in range(10)]
    assert _at_once(app, people, posts) == [302] * 10
    stored = answers_of(app, made.housing)
    assert {qid: row.value for qid, row in stored.items()} == {f"count-{n}": n * 10 for n in range(10)}


def test_ten_people_saving_the_same_answer_at_once_get_one_save_and_nine_conflicts(wide, people):
    app, made = wide
    url = f"/returns/{made.housing}/sections/counts"
    reader = WebClient(app.test_client())
    reader.sign_in(people.lead)
    fields = page_fields(reader, url)
    posts = [(url, {**fields, "questions": "count-0", "q-count-0": str(100 + n)}) for n in range(10)]
    statuses = _at_once(app, people, posts)
    assert sorted(statuses) == [302] + [409] * 9
    winner = statuses.index(302)
    assert answers_of(app, made.housing)["count-0"].value == 100 + winner


def test_a_page_from_an_earlier_session_posted_after_signing_in_again_is_kept(app, lead, people, cycle):
    url = section_url(cycle, "people")
    old_csrf = lead.csrf_token()
    fields = page_fields(lead, url)
    session_ends(lead)
    lead.sign_in(people.lead)  # in another tab: a new session, so the open page's CSRF token is stale
    response = lead.post(url, {**fields, **PEOPLE_DONE, "csrf_token": old_csrf}, csrf=False)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert answers_of(app, cycle.housing) == {}  # kept to be checked, not saved
    page = lead.get(url).get_data(as_text=True)
    assert "Answers kept" in page and 'value="Tenancy manager"' in page


def test_a_stale_form_without_a_keep_token_is_still_refused(app, lead, people, cycle):
    url = section_url(cycle, "people")
    old_csrf = lead.csrf_token()
    fields = page_fields(lead, url)
    session_ends(lead)
    lead.sign_in(people.lead)
    response = lead.post(url, {**fields, **PEOPLE_DONE, "csrf_token": old_csrf, "keep": "forged"}, csrf=False)
    assert response.status_code == 400 and kept_rows(app) == 0


def test_kept_answers_with_control_characters_are_kept_without_them(app, lead, people, cycle):
    url = section_url(cycle, "people")
    fields = page_fields(lead, url)
    session_ends(lead)
    response = lead.post(url, {**fields, "q-lead-name": "Tenancy\x00 manager\x07"}, csrf=False)
    assert response.status_code == 302 and kept_rows(app) == 1
    lead.sign_in(people.lead)
    assert 'value="Tenancy manager"' in lead.get(url).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/returns/99999999999999999999", "/review/99999999999999999999",
                                  "/returns/2147483648/sections/people", "/actions/new?cycle=99999999999999999999",
                                  "/actions/new?cycle=%C2%B2", "/actions/?cycle=99999999999999999999",
                                  "/actions/new?cycle=1&department=99999999999999999999"])
def test_ids_no_record_can_have_are_not_found_not_a_500(app, web, people, cycle, path):
    web.sign_in(people.cso)
    assert web.get(path).status_code in (400, 404)


@pytest.mark.parametrize("raw", ["²", "99999999999999999999", "-1", "0"])
def test_filters_with_numbers_no_record_can_have_are_problems_not_a_500(raw):
    from app.results.filters import parse_gap_filter, parse_page

    wanted, problems = parse_gap_filter({"department": raw}, themes={}, matters={}, departments={1: "Housing"})
    assert wanted.department_id is None and [p.field for p in problems] == ["department"]
    page, problems = parse_page({"page": raw})
    assert page == 1 and [p.field for p in problems] == ["page"]


def test_a_tampered_version_is_an_out_of_date_page_not_a_500(app, lead, new_web, people, cycle):
    _submit_housing(app, lead, cycle)
    cso = new_web()
    cso.sign_in(people.cso)
    for version in ("abc", "²", "99999999999999999999", ""):
        page = cso.post(f"/review/{cycle.housing}/accept", {"version": version}).get_data(as_text=True)
        assert "This return changed while you were looking at it" in page


def _submit_housing(app, lead, cycle):
    from tests.functional.test_respond import PLANNING_DONE, assignment, save

    save(lead, section_url(cycle), PLANNING_DONE)
    save(lead, section_url(cycle, "people"), PEOPLE_DONE)
    lead.post(f"/returns/{cycle.housing}/submit", {"version": assignment(app, cycle.housing).version,
                                                   "declaration": "confirmed"})
