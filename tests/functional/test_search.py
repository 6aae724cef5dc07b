"""Search (issue 17, part 3): answers, files' words, comments, actions and notes, across cycles, never showing
what the searcher cannot open; the same results on SQLite's FTS5 and PostgreSQL's text search."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, AnswerComment
from app.models.types import utcnow
from tests.evidence_samples import pdf_with_text
from tests.functional.test_evidence_files import upload
from tests.functional.test_respond import PLANNING_DONE, save
from tests.support import add_action, run_queued_jobs, signed_in


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def found(web, query: str, **filters) -> str:
    """The results part of the page (after the form, whose lists name every department)."""
    response = web.get("/search/", query_string={"q": query, **filters})
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    return page.split('id="results"', 1)[1] if 'id="results"' in page else ""


@pytest.fixture
def answered(app, people, cycle, lead):
    save(lead, f"/returns/{cycle.housing}/sections/planning",
         {**PLANNING_DONE, "q-plan-mentions-duty-evidence": "Tenancy enforcement procedure, section 4"})
    other = signed_in(app, people.other_lead)
    save(other, f"/returns/{cycle.planning}/sections/planning",
         {**PLANNING_DONE, "q-plan-mentions-duty-evidence": "Designing out crime guidance for tenancy schemes"})
    return cycle


def test_an_answers_evidence_is_found_with_the_word_marked_and_a_link_to_the_question(app, people, answered):
    page = found(signed_in(app, people.cso), "enforcement")
    assert "Housing Services" in page and "Planning Services" not in page
    assert "<mark>enforcement</mark>" in page
    assert f'href="/review/{answered.housing}#answer-plan-mentions-duty"' in page


def test_words_are_matched_with_their_other_forms(app, people, answered):
    assert "Housing Services" in found(signed_in(app, people.cso), "enforcing procedures")


def test_a_lead_officer_finds_only_their_own_departments(app, people, answered, lead):
    page = found(lead, "tenancy")
    assert "Housing Services" in page and "Planning Services" not in page
    assert "Designing out crime" not in page
    everyone = found(signed_in(app, people.cso), "tenancy")
    assert "Housing Services" in everyone and "Planning Services" in everyone


def test_the_words_inside_an_attached_pdf_are_found(app, people, cycle, lead):
    upload(lead, cycle.housing, ("Service plan.pdf", pdf_with_text("Neighbourhood wardens patrol the estates")))
    run_queued_jobs(app)
    page = found(signed_in(app, people.auditor), "wardens")
    assert "File Service plan.pdf, evidence for" in html.unescape(page) and "<mark>wardens</mark>" in page
    assert found(signed_in(app, people.other_lead), "wardens").count("<mark>") == 0


def test_a_reviewers_draft_comment_is_found_by_reviewers_only_until_shared(app, people, cycle, lead):
    with app.app_context():
        db.session.add(AnswerComment(assignment_id=cycle.housing, question_id="plan-mentions-duty",
                                     author_role="reviewer", body="Which page mentions graffiti?"))
        db.session.commit()
    assert "graffiti" in found(signed_in(app, people.cso), "graffiti")
    assert "<mark>" not in found(lead, "graffiti")
    with app.app_context():
        db.session.scalar(select(AnswerComment)).shared_at = utcnow()
        db.session.commit()
    assert "<mark>graffiti</mark>" in found(lead, "graffiti")


def test_actions_and_progress_notes_are_found(app, people, cycle, lead):
    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id, title="Train caretakers")
    lead.post(f"/actions/{action_id}/progress", {"status": "in_progress", "note": "Caretakers briefed on hate crime",
                                                 "version": "1"})
    page = html.unescape(found(lead, "caretakers"))
    assert "Action plan: Housing Services" in page
    assert "Action ‘Train caretakers’" in page and "Progress note on ‘Train caretakers’" in page
    assert "Nothing found" in found(signed_in(app, people.other_lead), "caretakers")


def test_filters_by_cycle_and_department_and_refuses_ones_not_offered(app, people, answered):
    cso = signed_in(app, people.cso)
    assert "Planning Services" not in found(cso, "tenancy", department=people.housing_id)
    refused = cso.get("/search/", query_string={"q": "tenancy", "cycle": "999999"})
    assert refused.status_code == 400 and "Choose a cycle from the list" in words(refused)
    lead = signed_in(app, people.lead)
    refused = lead.get("/search/", query_string={"q": "tenancy", "department": people.planning_id})
    assert refused.status_code == 400 and "Choose a department from the list" in words(refused)


@pytest.mark.parametrize("query", ['"unbalanced', "NOT OR AND", "* ( ) ^ NEAR", "'; DROP TABLE answers; --",
                                   "\u00e9t\u00e9 \u0645\u0631\u062d\u0628\u0627", "x" * 200, "-"])
def test_any_words_at_all_are_searched_safely(app, people, answered, query):
    response = signed_in(app, people.cso).get("/search/", query_string={"q": query})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Answer.id).limit(1)) is not None


def test_hostile_stored_text_is_shown_as_text_in_a_snippet(app, people, cycle, lead):
    save(lead, f"/returns/{cycle.housing}/sections/planning",
         {**PLANNING_DONE, "q-plan-mentions-duty-evidence": "<script>alert(1)</script> warden rota"})
    page = found(signed_in(app, people.cso), "warden")
    assert "<script>alert" not in page and "<mark>warden</mark>" in page
    assert "&lt;script&gt;" in page or "script" not in page.split("app-search-snippet", 1)[1].split("</p>")[0]


def test_an_empty_search_shows_the_form_only(app, people, answered):
    page = signed_in(app, people.cso).get("/search/").get_data(as_text=True)
    assert 'id="q"' in page and 'id="results"' not in page


def test_every_searched_table_keeps_its_index_triggers_after_all_migrations(app):
    """SQLite: a migration that rebuilds a searched table (batch mode) drops its triggers unless it makes them
    again (as 0013 does for answers); search would then silently miss every later change."""
    from app.search.schema import SEARCHED

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            columns = db.session.execute(db.text(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'search_vector'")).scalars()
            assert set(columns) == set(SEARCHED)
            return
        triggers = set(db.session.execute(db.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert {f"{fts}_{event}" for fts in SEARCHED.values() for event in ("insert", "delete", "update")} <= triggers
