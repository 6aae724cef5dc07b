"""The three instruments shipped in surveys/: valid, and as complete as an auditor would expect."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from app.questionnaires.validation import load_directory

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = {d.definition.id: d.definition for d in load_directory(ROOT / "surveys").values()}
MATTERS = {"crime-and-disorder", "substance-misuse", "reoffending", "serious-violence"}


def test_every_definition_in_surveys_is_valid():
    assert set(DEFINITIONS) == {"departmental-self-assessment", "hallmarks-of-effective-partnership",
                                "peer-benchmarking"}


def test_the_departmental_self_assessment_covers_the_themes_and_matters():
    definition = DEFINITIONS["departmental-self-assessment"]
    questions = definition.questions
    themes = {q.tags.get("theme") for q in questions}
    assert len(questions) >= 45 and len(themes) >= 9 and None not in themes
    assert {"functions", "awareness", "leadership", "planning", "decisions", "training", "impact", "partnership",
            "monitoring", "good-practice"} <= themes
    matters = {m for q in questions for m in ([q.tags["matter"]] if isinstance(q.tags.get("matter"), str)
                                              else q.tags.get("matter", []))}
    assert matters == MATTERS
    # Every question with set answers is scored against a target, except the optional "what gets in the way" ones.
    unscored_choices = [q.id for q in questions if q.type in {"yes_no", "single_choice", "scale"} and not q.target]
    assert unscored_choices == []
    assert sum(q.evidence.asked for q in questions) >= 20


def test_the_hallmarks_checklist_has_six_hallmarks_with_statutory_and_suggested_items():
    definition = DEFINITIONS["hallmarks-of-effective-partnership"]
    assert definition.kind == "partnership" and len(definition.questions) >= 60
    assert [s.tags["hallmark"] for s in definition.sections] == [1, 2, 3, 4, 5, 6]
    for section in definition.sections:
        kinds = Counter(q.tags["statutory"] for q in section.questions)
        assert kinds[True] >= 1 and kinds[False] >= 1, section.id
    for question in definition.questions:
        assert [o.value for o in question.options] == ["met", "partly_met", "not_met"]
        assert question.allow_not_applicable and question.target.operand == "met"
        assert question.evidence.required_for == {"met"} and question.action.required_for == {"not_met"}
        if question.tags["statutory"]:
            assert question.hint.startswith("Statutory") and question.tags.get("source"), question.id


def test_the_peer_questionnaire_asks_about_every_approach_and_the_main_offences():
    definition = DEFINITIONS["peer-benchmarking"]
    assert definition.kind == "peer"
    approaches = {q.tags["approach"]: q for q in definition.questions if "approach" in q.tags}
    with open(ROOT / "app" / "demo" / "data" / "peer_approaches.csv", encoding="utf-8") as handle:
        reported = {row["approach"] for row in csv.DictReader(handle)}
    assert reported <= set(approaches)
    for question in approaches.values():
        assert [o.value for o in question.options] == ["in_place", "planned", "not_done"]
        assert question.evidence.asked  # a comment
    offences = Counter(q.tags["offence"] for q in definition.questions if "offence" in q.tags)
    assert set(offences) >= {"violence_against_the_person", "sexual_offences", "robbery", "burglary_dwelling",
                             "theft_of_motor_vehicle", "theft_from_motor_vehicle", "criminal_damage", "drug_offences"}
    assert set(offences.values()) == {2}  # the latest year and the one before
    assert definition.question("population").type == "number"
    assert {q.id for q in definition.questions} >= {"worked-well", "did-not-work"}


@pytest.mark.parametrize("definition_id", sorted(DEFINITIONS))
def test_texts_are_written_for_people(definition_id):
    for question in DEFINITIONS[definition_id].questions:
        assert question.text[0].isupper() and len(question.text) <= 250, question.id
        assert "TODO" not in question.text and "lorem" not in question.text.lower()
