"""How complete a return is: per section, and what is missing before it can be submitted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.questionnaires.answers import AnswerValue, action_field, date_fields, evidence_field, value_field
from app.questionnaires.conditions import visible_question_ids
from app.questionnaires.definition import (
    DEFAULT_ACTION_LABEL,
    DEFAULT_EVIDENCE_LABEL,
    Definition,
    Question,
    Section,
)


class SectionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


SECTION_STATUS_LABELS = {
    SectionStatus.NOT_STARTED: "Not yet started",
    SectionStatus.IN_PROGRESS: "In progress",
    SectionStatus.COMPLETED: "Completed",
}


@dataclass(frozen=True)
class Missing:
    question: Question
    field: str
    message: str


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _missing_for(question: Question, answer: AnswerValue | None) -> list[Missing]:
    """What is missing for one question, in words that name the question."""
    found: list[Missing] = []
    quoted = f"‘{question.text}’"
    if answer and answer.carried:
        found.append(Missing(question, value_field(question) if question.type != "date" else date_fields(question)[0],
                             f"Confirm or change the answer carried over to {quoted}"))
        return found
    if not (answer and answer.answered):
        if question.required:
            # A date's error goes to its day box, the field a link to the question should focus.
            field = date_fields(question)[0] if question.type == "date" else value_field(question)
            found.append(Missing(question, field, f"Answer {quoted}"))
        return found
    value = None if answer.not_applicable else answer.value
    if question.evidence.required_when(value if value is not None else "") and not answer.evidence:
        label = _lower_first(question.evidence.label or DEFAULT_EVIDENCE_LABEL)
        found.append(Missing(question, evidence_field(question), f"Give {label} for {quoted}"))
    if question.action.required_when(value if value is not None else "") and not answer.action:
        label = _lower_first(question.action.label or DEFAULT_ACTION_LABEL)
        found.append(Missing(question, action_field(question), f"Say {label} for {quoted}"))
    return found


def missing_answers(definition: Definition, answers: Mapping[str, AnswerValue]) -> list[Missing]:
    """Everything that stops the return being submitted, in question order."""
    visible = visible_question_ids(definition, answers)
    found: list[Missing] = []
    for question in definition.questions:
        if question.id in visible:
            found.extend(_missing_for(question, answers.get(question.id)))
    return found


def missing_on_page(definition: Definition, question_ids: Iterable[str],
                    answers: Mapping[str, AnswerValue]) -> list[Missing]:
    """What is still missing among the questions a section page showed, in page order.

    Only questions that apply now count: a follow-up the page sent but whose condition
    is not met (it is on the page for browsers without JavaScript) is not missing.
    """
    visible = visible_question_ids(definition, answers)
    found: list[Missing] = []
    for question_id in question_ids:
        question = definition.question(question_id)
        if question is not None and question_id in visible:
            found.extend(_missing_for(question, answers.get(question_id)))
    return found


def section_status(definition: Definition, section: Section, answers: Mapping[str, AnswerValue]) -> SectionStatus:
    visible = visible_question_ids(definition, answers)
    shown = [q for q in section.questions if q.id in visible]
    if not any(answers.get(q.id) and answers[q.id].answered for q in shown) and not any(
        answers.get(q.id) and (answers[q.id].evidence or answers[q.id].action) for q in shown
    ):
        return SectionStatus.NOT_STARTED
    if any(_missing_for(q, answers.get(q.id)) for q in shown):
        return SectionStatus.IN_PROGRESS
    return SectionStatus.COMPLETED


def is_complete(definition: Definition, answers: Mapping[str, AnswerValue]) -> bool:
    return not missing_answers(definition, answers)
