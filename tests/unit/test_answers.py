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


@pytest.fixture
def decimal_question():
    """A number question with decimals and no bounds (the fixture's are whole numbers or percentages)."""
    from app.questionnaires.definition import Question

    return Question(id="budget", type="number", text="What is the budget?", section_id="money", unit="pounds")


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


DUTY = "‘Does your service plan mention the duty?’"
LEAD = "‘Who leads on Section 17 in your department?’"
TOPICS = "‘Which matters did the training cover?’"
TRAINED = "‘What share of front-line staff have had training on the duty?’"
STAFF = "‘How many staff does the department employ?’"
REVIEW = "‘When did you last review the plan?’"


def test_yes_no_and_choices_accept_only_their_options():
    assert parse("plan-mentions-duty", value="yes")[0].value == "yes"
    assert parse("plan-mentions-duty", value="")[0] == AnswerValue()
    assert parse("plan-mentions-duty", value="perhaps")[1] == [f"Choose one of the answers listed for {DUTY}"]
    assert parse("lead-named", value="officer")[0].value == "officer"
    assert parse("lead-named", value="boss")[1] == [f"Choose one of the answers listed for {LEAD}"]


def test_not_applicable_only_where_the_definition_allows_it():
    assert parse("plan-mentions-duty", value="not_applicable")[1] == [f"Choose one of the answers listed for {DUTY}"]
    answer, problems = parse("staff-trained", na="1")
    assert problems == [] and answer.not_applicable and answer.answered
    assert parse("staff-trained", value="40", na="1")[1] == [
        f"Give an answer to {TRAINED} or choose not applicable, not both"]


def test_multiple_choice_keeps_order_drops_repeats_and_refuses_strangers():
    answer, problems = parse("training-topics", value=["crime", "violence", "crime"])
    assert problems == [] and answer.value == ["crime", "violence"]
    assert parse("training-topics", value=["crime", "cake"])[1] == [f"Choose from the answers listed for {TOPICS}"]
    assert parse("training-topics", value=[])[0].value is None


@pytest.mark.parametrize("raw,expected", [
    ("12", 12), (" 1500 ", 1500), ("0", 0), ("1 500", 1500),
    # Thousands separators, as figures are copied from reports (issue 15: "92,600" was refused).
    ("92,600", 92600), ("  92,600  ", 92600), ("+1,000", 1000), ("92\u00a0600", 92600), ("1,000", 1000),
])
def test_numbers(raw, expected):
    assert parse("staff-count", value=raw) == (AnswerValue(expected), [])


def test_a_number_with_thousands_separators_and_decimals_is_read_exactly(decimal_question):
    question = decimal_question
    assert parse_question(question, MultiDict({"q-budget": "1,234,567.89"}))[0].value == 1234567.89
    assert parse_question(question, MultiDict({"q-budget": "1 234.5"}))[0].value == 1234.5


WITH_COMMAS = f"Enter the answer to {STAFF} as a whole number, like 1,500, with commas only between thousands"
WHOLE = f"Enter the answer to {STAFF} as a whole number, like 12"


@pytest.mark.parametrize("raw,message", [
    ("3,4", WITH_COMMAS),  # a decimal comma is never read as 34 or 3.4
    ("1,50", WITH_COMMAS),
    ("1,500 000", WITH_COMMAS),  # two kinds of separator
    ("12,", WITH_COMMAS),
    ("twelve", WHOLE),
    ("1 2", WHOLE),  # a space that separates no thousands is not a number
    ("12.5", WHOLE),
    ("1,000.5", WHOLE),
    ("-1", f"The answer to {STAFF} must be between 0 and 100,000"),
    ("100001", f"The answer to {STAFF} must be between 0 and 100,000"),
    ("NaN", WHOLE),
    ("-Infinity", WHOLE),
    ("1e20", f"The answer to {STAFF} must be less than 1,000,000,000,000"),
])
def test_bad_numbers_are_refused_never_guessed(raw, message):
    answer, problems = parse("staff-count", value=raw)
    assert problems == [message] and answer.value is None


@pytest.mark.parametrize("raw,expected", [("45", 45), ("12.5%", 12.5), ("100", 100), ("0.25", 0.25), ("12.5 %", 12.5)])
def test_percentages(raw, expected):
    assert parse("staff-trained", value=raw)[0].value == expected


@pytest.mark.parametrize("raw,message", [
    ("101", f"The answer to {TRAINED} must be between 0% and 100%"),
    ("-3", f"The answer to {TRAINED} must be between 0% and 100%"),
    ("3,5", f"Enter the answer to {TRAINED} as a number, like 1,500 or 3.4, with commas only between thousands "
            "and a full stop for decimals"),
    ("lots", f"Enter the answer to {TRAINED} as a percentage, like 45 or 12.5"),
])
def test_percentages_out_of_range_or_with_a_decimal_comma(raw, message):
    assert parse("staff-trained", value=raw)[1] == [message]


def test_text_is_trimmed_limited_and_cleaned():
    assert parse("lead-name", value="  Head of   Housing \n")[0].value == "Head of Housing"
    assert parse("lead-name", value="x" * 501)[1] == [
        "The answer to ‘What is the lead's job title?’ must be 500 characters or fewer"]
    assert parse("plan-notes", value="line one\r\nline two\x00")[0].value == "line one\nline two"
    assert parse("plan-notes", value="y" * 401)[1] == [
        "The answer to ‘Anything else about your plan?’ must be 400 characters or fewer"]


def test_dates_must_be_real_and_complete():
    assert parse("last-review", day="27", month="3", year="2026")[0].value == "2026-03-27"
    assert parse("last-review", day="", month="", year="")[0].value is None
    real = f"The date for {REVIEW} must be a real date, like 27 3 2026"
    assert parse("last-review", day="31", month="2", year="2026")[1] == [real]
    assert parse("last-review", day="1", month="", year="2026")[1] == [f"The date for {REVIEW} must include a month"]
    assert parse("last-review", day="1", month="2", year="26")[1] == [real]


def test_evidence_is_kept_only_where_asked_for_and_limited():
    answer, _ = parse("plan-mentions-duty", value="yes", evidence="  Service plan 2026, page 4 ")
    assert answer.evidence == "Service plan 2026, page 4"
    assert parse("lead-name", value="x", evidence="ignored")[0].evidence == ""
    assert parse("plan-mentions-duty", value="yes", evidence="e" * 5001)[1] == [
        f"Evidence for {DUTY} must be 5,000 characters or fewer"]
    assert parse("lead-named", value="officer", evidence="e" * 5001)[1] == [
        f"Their name and job title for {LEAD} must be 5,000 characters or fewer"]


def test_evidence_typed_for_another_answer_is_kept():
    """A box is never emptied because the answer changed: the text typed is not lost (issue 15)."""
    answer, problems = parse("lead-named", value="nobody", evidence="Was Jo Bloggs until May")
    assert problems == [] and answer.evidence == "Was Jo Bloggs until May"


QUESTION_TYPES_WITH_ERRORS = [
    ("plan-mentions-duty", {"value": "perhaps"}),
    ("training-topics", {"value": ["cake"]}),
    ("lead-name", {"value": "x" * 501}),
    ("staff-count", {"value": "lots"}),
    ("staff-trained", {"value": "200"}),
    ("staff-trained", {"value": "40", "na": "1"}),
    ("last-review", {"day": "31", "month": "2", "year": "2026"}),
    ("last-review", {"day": "1", "month": "", "year": ""}),
    ("plan-mentions-duty", {"value": "yes", "evidence": "e" * 5001}),
]


@pytest.mark.parametrize("question_id,fields", QUESTION_TYPES_WITH_ERRORS)
def test_every_error_names_its_question(question_id, fields):
    """An error in the summary at the top of a long page must say which question it is about (issue 15)."""
    problems = parse(question_id, **fields)[1]
    assert problems and all(f"‘{Q(question_id).text}’" in message for message in problems)


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
