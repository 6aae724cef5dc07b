"""The law in the shipped questionnaires, and targets that reward the right answers.

Loads the real definitions in surveys/ and checks what a community safety
practitioner reading them against legislation.gov.uk would check: which items
are statutory and on what authority, which Act added which matter, and that a
target is met only by an answer that shows the duty is being met.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.questionnaires.answers import AnswerValue
from app.questionnaires.scoring import Outcome, score_answer
from app.questionnaires.validation import load_directory

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = {d.definition.id: d.definition for d in load_directory(ROOT / "surveys").values()}
DEPARTMENTAL = DEFINITIONS["departmental-self-assessment"]
HALLMARKS = DEFINITIONS["hallmarks-of-effective-partnership"]

FIVE_MATTERS = ["crime-and-disorder", "anti-social-behaviour", "substance-misuse", "reoffending", "serious-violence"]


def _outcome(definition, question_id: str, value) -> Outcome:
    question = definition.question(question_id)
    assert question is not None, question_id
    return score_answer(question, AnswerValue(value)).outcome


# --------------------------------------------------------------------------- scoring


@pytest.mark.parametrize("question_id", ["plan-matters-covered", "training-topics"])
def test_every_matter_of_the_duty_is_needed_to_meet_the_matters_questions(question_id):
    assert _outcome(DEPARTMENTAL, question_id, ["crime-and-disorder"]) == Outcome.GAP
    assert _outcome(DEPARTMENTAL, question_id, FIVE_MATTERS[:-1]) == Outcome.GAP  # no serious violence
    assert _outcome(DEPARTMENTAL, question_id, FIVE_MATTERS) == Outcome.MET


def test_safeguarding_does_not_count_towards_the_training_topics():
    three_with_safeguarding = ["crime-and-disorder", "substance-misuse", "safeguarding"]
    assert _outcome(DEPARTMENTAL, "training-topics", three_with_safeguarding) == Outcome.GAP
    assert _outcome(DEPARTMENTAL, "training-topics", [*FIVE_MATTERS[:-1], "safeguarding"]) == Outcome.GAP
    assert _outcome(DEPARTMENTAL, "training-topics", [*FIVE_MATTERS, "safeguarding"]) == Outcome.MET


def test_one_ticked_box_does_not_meet_your_departments_work():
    assert _outcome(DEPARTMENTAL, "functions-touchpoints", ["places"]) == Outcome.GAP
    assert _outcome(DEPARTMENTAL, "functions-touchpoints", ["places", "staff"]) == Outcome.GAP
    assert _outcome(DEPARTMENTAL, "functions-touchpoints", ["places", "staff", "data"]) == Outcome.MET
    hint = DEPARTMENTAL.question("functions-touchpoints").hint
    assert "fewer than three counts as a gap" in hint  # the lead officer is told the rule


def test_the_matters_questions_say_which_act_added_which_matter():
    expected = {
        "crime-and-disorder": ("1998", "Crime and Disorder Act 1998"),
        "anti-social-behaviour": ("2007", "Police and Justice Act 2006"),
        "substance-misuse": ("2007", "Police and Justice Act 2006"),
        "reoffending": ("2010", "Policing and Crime Act 2009"),
        "serious-violence": ("31 January 2023", "Police, Crime, Sentencing and Courts Act 2022"),
    }
    for question_id in ("plan-matters-covered", "training-topics"):
        question = DEPARTMENTAL.question(question_id)
        for value, (year, act) in expected.items():
            option = question.option(value)
            assert option is not None and year in option.hint and act in option.hint, (question_id, value)
    awareness = DEPARTMENTAL.section("awareness").description
    for words in ("Crime and Disorder Act 1998", "Police and Justice Act 2006", "1 August 2007",
                  "Policing and Crime Act 2009", "1 April 2010",
                  "Police, Crime, Sentencing and Courts Act 2022", "31 January 2023"):
        assert words in awareness, words


def test_the_serious_violence_hints_include_domestic_abuse_and_sexual_violence():
    for hint in (DEPARTMENTAL.question("awareness-serious-violence").hint,
                 DEPARTMENTAL.question("plan-matters-covered").option("serious-violence").hint,
                 HALLMARKS.question("h3-serious-violence-in-plan").hint):
        assert "domestic abuse" in hint and "sexual" in hint, hint


# --------------------------------------------------------------------------- the hallmark checklist's law


def test_every_responsible_authority_on_the_strategy_group_is_suggested_practice_not_law():
    item = HALLMARKS.question("h1-all-authorities")
    assert item.tags["statutory"] is False
    assert "two or more persons appointed by one or more of the responsible authorities" in item.hint
    assert "SI 2011/1230" in item.hint and "SI 2011/1230" in item.tags["source"]
    group = HALLMARKS.question("h1-strategy-group")
    assert group.tags["statutory"] is True and "SI 2011/1230" in group.tags["source"]


@pytest.mark.parametrize("question_id", ["h1-duty-in-each-authority", "h6-duty-known"])
def test_items_on_the_section_17_duty_say_that_section_17_2_lists_whom_it_binds(question_id):
    item = HALLMARKS.question(question_id)
    assert "each responsible authority" not in item.text.lower()
    assert "17(2)" in item.hint and "s.17(1) and (2)" in item.tags["source"]
    for not_bound in ("chief officer of police", "health bodies", "probation"):
        assert not_bound in item.hint, not_bound
    assert "police and crime commissioner" in item.hint and "fire and rescue authorit" in item.hint


def test_sending_plans_to_the_commissioner_cites_regulations_13a_and_9a_of_si_2012_2660():
    plan = HALLMARKS.question("h2-plan-to-pcc")
    assert "13A" in plan.tags["source"] and "SI 2012/2660" in plan.tags["source"]
    assert "Police Reform and Social Responsibility Act" not in plan.hint + plan.tags["source"]
    agreement = HALLMARKS.question("h4-community-safety-agreement")
    assert "9A" in agreement.tags["source"] and "SI 2012/2660" in agreement.hint


def test_every_statutory_item_names_a_provision_not_only_an_act():
    for item in HALLMARKS.questions:
        if item.tags["statutory"]:
            source = str(item.tags["source"])
            assert any(mark in source for mark in ("s.", "reg.", "SI ", "Art. ")), (item.id, source)
