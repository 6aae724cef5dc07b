"""Parsing posted answers against the definition: types, options, lengths, ranges, real dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from app.questionnaires.answers import (
    AnswerValue,
    is_valid_stored,
    parse_question,
    parse_section,
    unknown_question_fields,
)
from app.questionnaires.validation import load_file

DEFINITION = load_file(Path(__file__).resolve().parents[1] / "fixtures" / "surveys" / "small-departmental.yaml"
                       ).definition
Q = DEFINITION.question


def parse(question_id: str, **fields) -> tuple[AnswerValue, list[str]]:
    form = MultiDict()
    for name, value in fields.items():
        key = f"q-{question_id}" + ("" if name == "value" else f"-{name}")
        for item in value if isinstance(value, list) else [value]:
            form.add(key, item)
    answer, problems = parse_question(Q(question_id), form)
    return answer, [p.message for p in problems]


def test_yes_no_and_choices_accept_only_their_options():
    assert parse("plan-mentions-duty", value="yes")[0].value == "yes"
    assert parse("plan-mentions-duty", value="")[0] == AnswerValue()
    assert parse("plan-mentions-duty", value="perhaps")[1] == ["Choose one of the answers listed"]
    assert parse("lead-named", value="officer")[0].value == "officer"
    assert parse("lead-named", value="boss")[1] == ["Choose one of the answers listed"]


def test_not_applicable_only_where_the_definition_allows_it():
    assert parse("plan-mentions-duty", value="not_applicable")[1] == ["Choose one of the answers listed"]
    answer, problems = parse("staff-trained", na="1")
    assert problems == [] and answer.not_applicable and answer.answered
    assert parse("staff-trained", value="40", na="1")[1] == ["Give an answer or choose not applicable, not both"]


def test_multiple_choice_keeps_order_drops_repeats_and_refuses_strangers():
    answer, problems = parse("training-topics", value=["crime", "violence", "crime"])
    assert problems == [] and answer.value == ["crime", "violence"]
    assert parse("training-topics", value=["crime", "cake"])[1] == ["Choose from the answers listed"]
    assert parse("training-topics", value=[])[0].value is None


@pytest.mark.parametrize("raw,expected", [("12", 12), (" 1500 ", 1500), ("0", 0), ("1 500", 1500)])
def test_numbers(raw, expected):
    assert parse("staff-count", value=raw) == (AnswerValue(expected), [])


@pytest.mark.parametrize("raw,message", [
    ("3,4", "Enter the number without commas, for example 1500 or 3.4"),
    ("1,500", "Enter the number without commas, for example 1500 or 3.4"),
    ("twelve", "Enter a whole number, for example 12"),
    ("12.5", "Enter a whole number"),
    ("-1", "Number must be between 0 and 100000"),
    ("100001", "Number must be between 0 and 100000"),
    ("NaN", "Enter a whole number, for example 12"),
    ("-Infinity", "Enter a whole number, for example 12"),
    ("1e20", "Enter a smaller number"),
])
def test_bad_numbers_are_refused_never_guessed(raw, message):
    answer, problems = parse("staff-count", value=raw)
    assert problems == [message] and answer.value is None


@pytest.mark.parametrize("raw,expected", [("45", 45), ("12.5%", 12.5), ("100", 100), ("0.25", 0.25)])
def test_percentages(raw, expected):
    assert parse("staff-trained", value=raw)[0].value == expected


@pytest.mark.parametrize("raw", ["101", "-3", "3,5"])
def test_percentages_out_of_range_or_with_a_decimal_comma(raw):
    assert parse("staff-trained", value=raw)[1]


def test_text_is_trimmed_limited_and_cleaned():
    assert parse("lead-name", value="  Head of   Housing \n")[0].value == "Head of Housing"
    assert parse("lead-name", value="x" * 501)[1] == ["Answer must be 500 characters or fewer"]
    assert parse("plan-notes", value="line one\r\nline two\x00")[0].value == "line one\nline two"
    assert parse("plan-notes", value="y" * 401)[1] == ["Answer must be 400 characters or fewer"]


def test_dates_must_be_real_and_complete():
    assert parse("last-review", day="27", month="3", year="2026")[0].value == "2026-03-27"
    assert parse("last-review", day="", month="", year="")[0].value is None
    assert parse("last-review", day="31", month="2", year="2026")[1] == ["Date must be a real date, for example 27 3 2026"]
    assert parse("last-review", day="1", month="", year="2026")[1] == ["Date must include a month"]
    assert parse("last-review", day="1", month="2", year="26")[1] == ["Date must be a real date, for example 27 3 2026"]


def test_evidence_is_kept_only_where_asked_for_and_limited():
    answer, _ = parse("plan-mentions-duty", value="yes", evidence="  Service plan 2026, page 4 ")
    assert answer.evidence == "Service plan 2026, page 4"
    assert parse("lead-name", value="x", evidence="ignored")[0].evidence == ""
    assert parse("plan-mentions-duty", value="yes", evidence="e" * 5001)[1] == ["This must be 5,000 characters or fewer"]


def test_a_section_is_parsed_question_by_question():
    section = DEFINITION.section("planning")
    form = MultiDict({"q-plan-mentions-duty": "yes", "q-plan-targets": "bogus", "q-plan-notes": "fine"})
    answers, problems = parse_section(section, form)
    assert set(answers) == {"plan-mentions-duty", "plan-notes"}
    assert [(p.question_id, p.field) for p in problems] == [("plan-targets", "q-plan-targets")]


def test_unknown_question_fields_are_spotted():
    section = DEFINITION.section("planning")
    form = MultiDict({"q-plan-mentions-duty": "yes", "q-staff-count": "3", "q-made-up": "x", "csrf_token": "t"})
    assert unknown_question_fields(section, form) == ["q-made-up", "q-staff-count"]


@pytest.mark.parametrize("question_id,answer,valid", [
    ("plan-mentions-duty", AnswerValue("yes"), True),
    ("plan-mentions-duty", AnswerValue("maybe"), False),
    ("plan-mentions-duty", AnswerValue(None, not_applicable=True), False),
    ("staff-trained", AnswerValue(None, not_applicable=True), True),
    ("staff-trained", AnswerValue(101), False),
    ("staff-count", AnswerValue(3.5), False),
    ("staff-count", AnswerValue(True), False),
    ("training-topics", AnswerValue(["crime", "crime"]), False),
    ("last-review", AnswerValue("2026-02-30"), False),
    ("lead-name", AnswerValue("x" * 501), False),
])
def test_stored_answers_can_be_checked(question_id, answer, valid):
    assert is_valid_stored(Q(question_id), answer) is valid
