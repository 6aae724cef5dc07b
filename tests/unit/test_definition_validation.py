"""Definition loading and validation: every kind of error, reported all at once as file: path: problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.questionnaires.validation import DefinitionError, load_directory, load_file, load_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"


def minimal(**question_fields) -> dict:
    question = {"id": "q1", "type": "yes_no", "text": "Is it so?", **question_fields}
    return {"id": "test", "version": 1, "title": "Test", "kind": "departmental",
            "sections": [{"id": "s1", "title": "One", "questions": [question]}]}


def problems_of(document: dict | str) -> list[str]:
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    with pytest.raises(DefinitionError) as caught:
        load_text(text, "test.yaml")
    return caught.value.problems


def test_the_fixture_definition_loads_with_every_question_type():
    loaded = load_file(FIXTURES / "small-departmental.yaml")
    definition = loaded.definition
    assert definition.id == "small-departmental" and definition.kind == "departmental"
    assert {q.type for q in definition.questions} == {
        "yes_no", "scale", "long_text", "percentage", "multiple_choice", "single_choice", "text", "number", "date"}
    assert len(loaded.sha256) == 64
    assert definition.question("plan-targets").tags == {"theme": "planning"}  # inherited from the section
    assert definition.question("plan-mentions-duty").tags == {"theme": "planning", "matter": "crime-and-disorder"}


def test_a_valid_minimal_definition_loads():
    assert load_text(yaml.safe_dump(minimal(target="yes")), "ok.yaml").definition.questions[0].id == "q1"


@pytest.mark.parametrize("document,expected", [
    ({**minimal(), "colour": "red"}, "test.yaml: colour: is not a field this format knows"),
    ({k: v for k, v in minimal().items() if k != "version"}, "test.yaml: version: is required"),
    ({**minimal(), "version": 0}, "test.yaml: version: must be at least 1"),
    ({**minimal(), "kind": "county"}, "test.yaml: kind: must be one of departmental, partnership, peer"),
    ({**minimal(), "id": "Has Spaces"}, "test.yaml: id: must use only lower-case letters"),
    ({**minimal(), "title": ""}, "test.yaml: title: must not be empty"),
    ({**minimal(), "sections": []}, "test.yaml: sections: needs at least 1 item"),
    (minimal(type="radio"), "test.yaml: sections.s1.questions.q1.type: must be one of yes_no, single_choice"),
    (minimal(colour="red"), "test.yaml: sections.s1.questions.q1.colour: is not a field this format knows"),
    (minimal(required="yes"), "test.yaml: sections.s1.questions.q1.required: must be true or false"),
    (minimal(options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]),
     "test.yaml: sections.s1.questions.q1.options: is not used by yes_no questions"),
    (minimal(type="single_choice"), "test.yaml: sections.s1.questions.q1.options: is required"),
    (minimal(type="scale", options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B", "score": 1}]),
     "test.yaml: sections.s1.questions.q1.options.#1.score: is required"),
    (minimal(type="single_choice", options=[{"value": "a", "label": "A"}]),
     "test.yaml: sections.s1.questions.q1.options: needs at least 2 items"),
    (minimal(type="single_choice", options=[{"value": "A B", "label": "A"}, {"value": "b", "label": "B"}]),
     "test.yaml: sections.s1.questions.q1.options.#1.value: must use only lower-case letters, digits and hyphens or underscores"),
    (minimal(type="scale", options=[{"value": "a", "label": "A", "score": 2}, {"value": "b", "label": "B", "score": 1}]),
     "test.yaml: sections.s1.questions.q1.options.#1.score: must be at most 1"),
    (minimal(type="text", max_length=0), "test.yaml: sections.s1.questions.q1.max_length: must be at least 1"),
    (minimal(min=3), "test.yaml: sections.s1.questions.q1.min: is not used by yes_no questions"),
    (minimal(type="number", max_length=3), "test.yaml: sections.s1.questions.q1.max_length: is not used by number"),
    (minimal(evidence="sometimes"), "test.yaml: sections.s1.questions.q1.evidence: must be off, optional, required"),
    (minimal(target={"at_least": 1}), "test.yaml: sections.s1.questions.q1.target: must be an option value in quotes"),
    (minimal(target=True), "put the value in quotes"),
    (minimal(show_if={"question": "q0"}), "test.yaml: sections.s1.questions.q1.show_if: must be {question: ID"),
    (minimal(tags={"matter": "litter"}), "test.yaml: sections.s1.questions.q1.tags.matter: must be one of crime"),
    (minimal(tags={"hallmark": 7}), "test.yaml: sections.s1.questions.q1.tags.hallmark: must be at most 6"),
])
def test_schema_errors_say_where_and_what(document, expected):
    assert any(problem.startswith(expected) or expected in problem for problem in problems_of(document)), \
        problems_of(document)


def _two_questions(first: dict, second: dict) -> dict:
    return {"id": "test", "version": 1, "title": "Test", "kind": "departmental",
            "sections": [{"id": "s1", "title": "One", "questions": [first, second]}]}


CHOICE = {"id": "choice", "type": "single_choice", "text": "Pick",
          "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}


@pytest.mark.parametrize("document,expected", [
    (_two_questions({"id": "q1", "type": "yes_no", "text": "A"}, {"id": "q1", "type": "yes_no", "text": "B"}),
     "sections.s1.questions.#2.id: 'q1' is already the id of a question in section s1"),
    ({"id": "t", "version": 1, "title": "T", "kind": "peer", "sections": [
        {"id": "s1", "title": "A", "questions": [{"id": "a", "type": "yes_no", "text": "A"}]},
        {"id": "s1", "title": "B", "questions": [{"id": "b", "type": "yes_no", "text": "B"}]}]},
     "sections.#2.id: 's1' is already used by section #1"),
    (_two_questions({"id": "q1", "type": "yes_no", "text": "A", "show_if": {"question": "q2", "equals": "yes"}},
                    {"id": "q2", "type": "yes_no", "text": "B"}),
     "sections.s1.questions.q1.show_if.question: refers to 'q2', which is not a question that comes earlier"),
    (_two_questions({"id": "q1", "type": "yes_no", "text": "A"},
                    {"id": "q2", "type": "yes_no", "text": "B", "show_if": {"question": "q2", "equals": "yes"}}),
     "sections.s1.questions.q2.show_if.question: a question cannot depend on its own answer"),
    (_two_questions({"id": "q1", "type": "yes_no", "text": "A"},
                    {"id": "q2", "type": "yes_no", "text": "B", "show_if": {"question": "q1", "equals": "maybe"}}),
     "sections.s1.questions.q2.show_if.equals: 'maybe' is not an answer q1 can have: it can be (no, yes)"),
    (_two_questions(CHOICE, {"id": "q2", "type": "yes_no", "text": "B",
                             "show_if": {"any": [{"question": "choice", "in": ["a", "z"]}]}}),
     "sections.s1.questions.q2.show_if.any.#1.in: 'z' is not an answer choice can have"),
    (_two_questions(CHOICE, {"id": "q2", "type": "yes_no", "text": "B",
                             "show_if": {"question": "choice", "includes": "a"}}),
     "show_if.includes: includes only works with multiple_choice questions; choice is single_choice"),
    (_two_questions({"id": "n", "type": "number", "text": "N"},
                    {"id": "q2", "type": "yes_no", "text": "B", "show_if": {"question": "n", "equals": "ten"}}),
     "show_if.equals: n is a number question, so compare it with a number"),
    (_two_questions({"id": "t", "type": "text", "text": "T"},
                    {"id": "q2", "type": "yes_no", "text": "B", "show_if": {"question": "t", "equals": "x"}}),
     "show_if.equals: t is a text question; only answered: true or false can test it"),
    (minimal(target="maybe"), "sections.s1.questions.q1.target: 'maybe' is not one of this question's answers (no, yes)"),
    (minimal(type="text", target="x"), "sections.s1.questions.q1.target: text questions are not scored"),
    (minimal(type="number", target="5"), "sections.s1.questions.q1.target: a number question needs a rule"),
    (minimal(type="number", min=10, max=5), "sections.s1.questions.q1.min: is more than max (10 > 5)"),
    (minimal(type="percentage", max=150), "sections.s1.questions.q1.max: must be between 0 and 100 for a percentage"),
    (minimal(target={"min": 3}), "sections.s1.questions.q1.target: min targets are for number and percentage"),
    ({**CHOICE, "target": {"min_score": 0.5}} and
     {"id": "test", "version": 1, "title": "T", "kind": "departmental", "sections": [{"id": "s1", "title": "S",
      "questions": [{**CHOICE, "target": {"min_score": 0.5}}]}]},
     "sections.s1.questions.choice.target: min_score needs a score on every option"),
    ({"id": "test", "version": 1, "title": "T", "kind": "departmental", "sections": [{"id": "s1", "title": "S",
      "questions": [{"id": "sc", "type": "scale", "text": "S", "target": {"min_score": 0.9},
                     "options": [{"value": "a", "label": "A", "score": 0}, {"value": "b", "label": "B", "score": 0.5}]}]}]},
     "sections.s1.questions.sc.target.min_score: no option scores 0.9 or more"),
    ({"id": "test", "version": 1, "title": "T", "kind": "departmental", "sections": [{"id": "s1", "title": "S",
      "questions": [{"id": "m", "type": "multiple_choice", "text": "M", "target": {"includes": ["z"]},
                     "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}]}]},
     "sections.s1.questions.m.target.includes: 'z' is not one of this question's options"),
    ({"id": "test", "version": 1, "title": "T", "kind": "departmental", "sections": [{"id": "s1", "title": "S",
      "questions": [{"id": "m", "type": "multiple_choice", "text": "M", "target": {"min_selected": 3},
                     "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}]}]},
     "sections.s1.questions.m.target.min_selected: asks for 3 but the question has only 2 options"),
    ({"id": "test", "version": 1, "title": "T", "kind": "departmental", "sections": [{"id": "s1", "title": "S",
      "questions": [{**CHOICE, "options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]}]}]},
     "sections.s1.questions.choice.options.#2.value: 'a' is used by two options"),
    ({"id": "test", "version": 1, "title": "T", "kind": "departmental", "sections": [{"id": "s1", "title": "S",
      "questions": [{**CHOICE, "options": [{"value": "a", "label": "A", "score": 1}, {"value": "b", "label": "B"}]}]}]},
     "sections.s1.questions.choice.options: give every option a score, or none of them"),
    ({"id": "test", "version": 1, "title": "T", "kind": "departmental", "sections": [{"id": "s1", "title": "S",
      "questions": [{**CHOICE, "options": [{"value": "not_applicable", "label": "N/A"}, {"value": "b", "label": "B"}]}]}]},
     "not_applicable is reserved: use allow_not_applicable: true instead"),
    (minimal(evidence={"required_for": ["met"]}),
     "sections.s1.questions.q1.evidence.required_for: 'met' is not an answer this question can have (no, yes)"),
    (minimal(type="text", action={"required_for": ["x"]}),
     "sections.s1.questions.q1.action.required_for: needs a question with set answers; text has none"),
])
def test_cross_checks_explain_each_problem(document, expected):
    problems = problems_of(document)
    assert any(expected in problem for problem in problems), problems


def test_an_unquoted_yes_gets_a_hint_about_quotes():
    problems = problems_of(minimal(evidence={"required_for": [True]}))
    assert any("put the value in quotes" in p for p in problems), problems


def test_every_problem_is_reported_at_once():
    document = _two_questions(
        {"id": "q1", "type": "yes_no", "text": "A", "target": "maybe", "colour": "red"},
        {"id": "q1", "type": "number", "text": "B", "min": 9, "max": 1},
    )
    problems = problems_of(document)
    assert len(problems) == 4, problems
    assert all(problem.startswith("test.yaml: sections.s1.questions.") for problem in problems)


def test_yaml_syntax_and_duplicate_keys_are_reported_with_a_line():
    assert problems_of("id: a\nsections: [\n") [0].startswith("test.yaml: line 3, column 1: not valid YAML")
    assert problems_of("id: a\nversion: 1\nid: b\n") == [
        "test.yaml: line 3, column 1: not valid YAML: the key 'id' appears twice in the same block (first on line 1)"]


def test_every_missing_field_is_named():
    assert problems_of("id: broken\nversion: 1\n") == [
        "test.yaml: title: is required", "test.yaml: kind: is required", "test.yaml: sections: is required"]


def test_an_empty_file_is_refused():
    assert problems_of("") == ["test.yaml: the file is empty"]


def test_a_folder_reports_problems_from_every_file_and_duplicate_ids(tmp_path):
    good = (FIXTURES / "small-departmental.yaml").read_text()
    (tmp_path / "a.yaml").write_text(good)
    (tmp_path / "b.yaml").write_text(good)  # same id as a.yaml
    (tmp_path / "c.yaml").write_text("id: c\n")
    with pytest.raises(DefinitionError) as caught:
        load_directory(tmp_path)
    problems = caught.value.problems
    assert "b.yaml: id: 'small-departmental' is also the id of a.yaml" in problems
    assert any(p.startswith("c.yaml: version: is required") for p in problems)


def test_the_hash_changes_with_the_file(tmp_path):
    text = (FIXTURES / "small-departmental.yaml").read_text()
    first = load_text(text, "x.yaml").sha256
    assert load_text(text.replace("Small departmental check", "Small check"), "x.yaml").sha256 != first


RATED = {"id": "q1", "type": "single_choice", "text": "Is it met?", "allow_not_applicable": True,
         "options": [{"value": "met", "label": "Met"}, {"value": "partly_met", "label": "Partly met"},
                     {"value": "not_met", "label": "Not met"}]}


def rated(**fields) -> dict:
    return {"id": "test", "version": 1, "title": "T", "kind": "partnership",
            "sections": [{"id": "s1", "title": "S", "questions": [{**RATED, **fields}]}]}


def test_shown_for_names_the_answers_a_box_belongs_to():
    """shown_for (issue 15): the hallmark checklist reveals each box only for the answers it belongs to."""
    loaded = load_text(yaml.safe_dump(rated(
        evidence={"required_for": ["met"], "shown_for": ["met", "partly_met"]},
        action={"shown_for": ["partly_met", "not_met", "not_applicable"]})), "ok.yaml")
    question = loaded.definition.questions[0]
    assert question.evidence.shown_for == {"met", "partly_met"} and question.evidence.required_when("met")
    assert not question.evidence.required_when("partly_met")
    assert question.action.shown_for == {"partly_met", "not_met", "not_applicable"}
    assert not question.action.required_when("not_met")  # shown, and optional: nothing requires it


@pytest.mark.parametrize("fields,expected", [
    ({"evidence": {"shown_for": ["done"]}},
     "sections.s1.questions.q1.evidence.shown_for: 'done' is not an answer this question can have"),
    ({"evidence": {"required_for": ["met"], "shown_for": ["partly_met"]}},
     "sections.s1.questions.q1.evidence.shown_for: must include every answer in required_for; it leaves out 'met'"),
    ({"type": "text", "options": None, "allow_not_applicable": False, "action": {"shown_for": ["x"]}},
     "sections.s1.questions.q1.action.shown_for: needs a question with set answers; text has none"),
    ({"evidence": {"shown_for": []}}, "sections.s1.questions.q1.evidence"),
])
def test_a_bad_shown_for_is_explained(fields, expected):
    document = rated(**fields)
    question = document["sections"][0]["questions"][0]
    for key in [k for k, v in fields.items() if v is None]:
        del question[key]
    problems = problems_of(document)
    assert any(expected in problem for problem in problems), problems


def test_the_hallmark_checklist_reveals_evidence_and_actions_for_their_own_answers():
    from app.questionnaires.validation import load_file as load

    definition = load(Path(__file__).resolve().parents[2] / "surveys" / "hallmarks-of-effective-partnership.yaml"
                      ).definition
    for question in definition.questions:
        assert question.evidence.shown_for == {"met", "partly_met"}, question.id
        assert question.action.shown_for == {"partly_met", "not_met"}, question.id
