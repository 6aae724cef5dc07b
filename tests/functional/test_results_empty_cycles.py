"""Results pages for cycles with nothing departmental to show: each says why, none is a 500 or an empty table.

Three kinds of cycle: one that asks only the partnership's checklist (as a council
does with just its imported checklist), an open cycle in which no department has
submitted, and one whose only returns are still being written. The gap register had
been a 500 (KeyError: 'department') for the first two.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment
from tests.functional.test_results import HOUSING_ANSWERS, answer, signed_in, text
from tests.support import open_cycle

COUNCIL_PAGES = ["results", "results/themes", "gaps"]
NO_DEPARTMENTS = "This cycle asks no department for a return: it has only the partnership's questionnaire"
NONE_SUBMITTED = "No department has submitted its return yet (0 of 2), so there are no scores or gaps to show."


@pytest.fixture
def checklist_only(app, people):
    return open_cycle(app, people, name="Checklist only", definitions=("small-partnership",))


@pytest.fixture
def nothing_submitted(app, people):
    made = open_cycle(app, people, name="Nothing submitted")
    answer(app, made.planning, {"plan-mentions-duty": ("no", "")}, "in_progress")
    return made


def _tables(response) -> int:
    return response.get_data(as_text=True).count("<table")


@pytest.mark.parametrize("path", COUNCIL_PAGES)
def test_a_cycle_with_only_the_partnership_checklist_says_so_on_every_council_page(app, people, checklist_only,
                                                                                    path):
    page = signed_in(app, people.cso).get(f"/cycles/{checklist_only.cycle_id}/{path}")
    assert page.status_code == 200
    words = text(page)
    assert NO_DEPARTMENTS in words
    assert "The partnership's answers are on the partnership checklist page" in words
    assert _tables(page) == 0
    assert "0 of 0" not in words  # no "based on the 0 of 0 departments' returns"


@pytest.mark.parametrize("path", COUNCIL_PAGES)
def test_an_open_cycle_with_no_submitted_return_says_so_and_offers_the_returns_as_they_stand(
        app, people, nothing_submitted, path):
    web = signed_in(app, people.cso)
    page = web.get(f"/cycles/{nothing_submitted.cycle_id}/{path}")
    assert page.status_code == 200
    words = text(page)
    assert NONE_SUBMITTED in words
    assert "Include returns still being written to see the answers as they stand" in words
    assert _tables(page) == 0
    as_they_stand = web.get(f"/cycles/{nothing_submitted.cycle_id}/{path}?include=1")
    assert as_they_stand.status_code == 200
    assert "include all 2 departments' returns as they stand" in text(as_they_stand)


def test_a_filter_on_a_cycle_with_nothing_counted_is_not_an_error(app, people, checklist_only):
    page = signed_in(app, people.cso).get(f"/cycles/{checklist_only.cycle_id}/gaps?theme=planning&page=3")
    assert page.status_code == 200
    assert NO_DEPARTMENTS in text(page)


def test_the_gap_register_counts_gaps_of_returns_still_being_written(app, people, nothing_submitted):
    words = text(signed_in(app, people.cso).get(f"/cycles/{nothing_submitted.cycle_id}/gaps?include=1"))
    assert "Planning Services" in words and "Does your service plan mention the duty?" in words


def test_a_departments_page_shows_a_return_nobody_has_started(app, people, nothing_submitted):
    words = text(signed_in(app, people.lead).get(
        f"/cycles/{nothing_submitted.cycle_id}/results/departments/{people.housing_id}"))
    assert "This return has not been submitted yet" in words
    assert "Not answered" in words


def test_hallmarks_and_peer_approaches_load_for_a_cycle_with_no_departmental_returns(app, people, checklist_only):
    web = signed_in(app, people.cso)
    assert web.get(f"/cycles/{checklist_only.cycle_id}/hallmarks").status_code == 200
    approaches = web.get(f"/cycles/{checklist_only.cycle_id}/peer-approaches")
    assert approaches.status_code == 200
    assert "No peer partnership has submitted the benchmarking questionnaire" in text(approaches)


def test_comparing_with_a_cycle_that_has_no_departmental_figures_says_which_and_why(app, people, checklist_only):
    later = open_cycle(app, people, name="Audit 2027 to 2028")
    answer(app, later.housing, HOUSING_ANSWERS, "submitted")
    page = signed_in(app, people.cso).get(f"/results/compare?earlier={checklist_only.cycle_id}&later={later.cycle_id}")
    assert page.status_code == 200
    words = text(page)
    assert "There is nothing to compare yet." in words
    assert f"Checklist only: {NO_DEPARTMENTS}" in words
    assert "Audit 2027 to 2028:" not in words  # it has figures
    assert _tables(page) == 0


def test_comparing_two_cycles_with_nothing_submitted_names_both(app, people, nothing_submitted):
    later = open_cycle(app, people, name="Audit 2027 to 2028")
    with app.app_context():
        assert db.session.scalars(select(Assignment).where(Assignment.cycle_id == later.cycle_id)).first()
    words = text(signed_in(app, people.cso).get(
        f"/results/compare?earlier={nothing_submitted.cycle_id}&later={later.cycle_id}"))
    assert f"Nothing submitted: {NONE_SUBMITTED}" in words
    assert f"Audit 2027 to 2028: {NONE_SUBMITTED}" in words
