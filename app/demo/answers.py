"""Answers for the demo, generated from each department's strength.

Deterministic: the same department and question always give the same answer, so
the demo looks the same on every machine. Answers follow the definition's own
rules (conditions, required evidence and actions, not applicable where allowed)
so that complete returns really are complete. Evidence goes only with answers
that meet the question at least in part: a "No", a "Never" or a nought has
nothing to show, and a checklist item not met carries a planned action instead.
Dates in the evidence follow the audit year the answers are given in.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from app.demo.content import EVIDENCE, GENERIC_TEXT, PARTNERSHIP_ACTIONS, PARTNERSHIP_EVIDENCE, DemoDepartment
from app.extensions import db
from app.models import Answer, Assignment, User
from app.questionnaires.answers import AnswerValue
from app.questionnaires.conditions import evaluate
from app.questionnaires.definition import Definition, Question

# Questions that do not apply to some departments: they answer "not applicable".
NOT_APPLICABLE = {
    ("AUDIT", "awareness-reoffending"), ("FIN", "awareness-reoffending"), ("LEGAL", "awareness-substance-misuse"),
    ("POL", "impact-designing-out"), ("AUDIT", "impact-designing-out"), ("REV", "impact-designing-out"),
    ("ITCS", "training-frontline-share"),
}


def _rng(*parts: str) -> random.Random:
    return random.Random(":".join(parts))


def _by_score(question: Question, strength: float, rng: random.Random) -> str:
    options = [o for o in question.choices if o.score is not None] or list(question.choices)
    wanted = min(1.0, max(0.0, strength + rng.uniform(-0.3, 0.3)))
    return min(options, key=lambda o: abs((o.score if o.score is not None else 0.5) - wanted)).value


def is_negative(question: Question, value: object) -> bool:
    """An answer that says the thing is not done at all: No, an option scored 0, a count of nought, nothing ticked.

    Such an answer has no evidence of meeting the question; the demo never gives it any.
    """
    if question.type == "yes_no":
        return value == "no"
    if question.type in {"single_choice", "scale"}:
        option = question.option(value) if isinstance(value, str) else None
        return option is not None and option.score == 0
    if question.type == "number":
        return value == 0
    if question.type == "multiple_choice":
        return value == []
    return False


def _years(year: int) -> dict[str, int]:
    return {"year": year, "last": year - 1, "next": year + 1, "plan_end": year + 2}


def _value(question: Question, department: DemoDepartment, rng: random.Random, year: int) -> object:
    s = department.strength
    if question.type == "yes_no":
        return "yes" if rng.random() < s + 0.1 else "no"
    if question.type in {"scale", "single_choice"}:
        return _by_score(question, s, rng)
    if question.type == "multiple_choice":
        values = [o.value for o in question.choices]
        count = max(1, round(len(values) * min(1.0, s + rng.uniform(-0.2, 0.2))))
        return values[:count] if question.id != "practice-barriers" else rng.sample(values, k=max(1, 4 - count))
    if question.type == "percentage":
        base = 20 + 75 * s if "managers" in question.id else 10 + 70 * s
        return int(min(100, max(0, round(base + rng.uniform(-10, 10)))))
    if question.type == "number":
        return max(0, round(s * 7 + rng.uniform(-1, 2)))
    if question.type == "date":
        return date(year, rng.randint(1, 4), rng.randint(1, 28)).isoformat()  # before the cycle opens
    if question.type == "long_text":
        return {"functions-core": department.core, "functions-links-described": department.links,
                "practice-proud-of": department.proud_of}.get(question.id) or GENERIC_TEXT.get(question.id)
    return None


def _evidence(question: Question, department: DemoDepartment, name: str, rng: random.Random, year: int) -> str:
    template = EVIDENCE.get(question.id, "{name}: see the department's records.")
    return template.format(name=name, lead=department.lead_name, title=department.lead_title,
                           page=rng.randint(6, 24), indicators=department.indicators,
                           joint_project=department.joint_project, **_years(year))


def departmental_answers(definition: Definition, department: DemoDepartment, name: str, *, year: int,
                         sections: int | None = None) -> dict[str, AnswerValue]:
    """Answers for the first `sections` sections (all by default), following the definition's rules.

    `year` is the year the cycle's period starts: the answers' evidence and dates belong to it.
    """
    answers: dict[str, AnswerValue] = {}
    for section in definition.sections[: sections if sections is not None else len(definition.sections)]:
        for question in section.questions:
            if question.show_if is not None and not evaluate(question.show_if, answers):
                continue
            rng = _rng(department.code, question.id)
            if (department.code, question.id) in NOT_APPLICABLE and question.allow_not_applicable:
                answers[question.id] = AnswerValue(None, not_applicable=True)
                continue
            value = _value(question, department, rng, year)
            if value is None and question.required:
                value = GENERIC_TEXT.get(question.id, department.links)
            if value is None or (not question.required and rng.random() > department.strength):
                continue
            evidence = ""
            wanted = question.evidence.required_when(value) or (
                question.evidence.asked and rng.random() < department.strength)
            if wanted and not is_negative(question, value):
                evidence = _evidence(question, department, name, rng, year)
            answers[question.id] = AnswerValue(value, evidence=evidence)
    return answers


def partnership_answers(definition: Definition, *, year: int, answered_share: float = 0.65) -> dict[str, AnswerValue]:
    """A partly complete hallmark checklist: met with evidence, not met with an action (and no evidence)."""
    answers: dict[str, AnswerValue] = {}
    questions = definition.questions
    for question in questions[: round(len(questions) * answered_share)]:
        rng = _rng("partnership", question.id)
        roll = rng.random()
        if question.id in {"h4-county-group", "h4-community-safety-agreement"}:
            roll = 0.1  # Derbyshire is a two-tier area and has both
        value = "met" if roll < 0.58 else "partly_met" if roll < 0.83 else "not_met"
        evidence = rng.choice(PARTNERSHIP_EVIDENCE).format(**_years(year)) if value != "not_met" else ""
        action = rng.choice(PARTNERSHIP_ACTIONS).format(**_years(year)) if value != "met" else ""
        answers[question.id] = AnswerValue(value, evidence=evidence, action=action)
    return answers


def peer_answers(definition: Definition, approaches: dict[str, str], *, two_tier: bool) -> dict[str, AnswerValue]:
    """A peer's answers as reported: approach statuses from the survey; nothing is made up for the rest."""
    answers: dict[str, AnswerValue] = {"two-tier": AnswerValue("yes" if two_tier else "no")}
    for question in definition.questions:
        status = approaches.get(str(question.tags.get("approach", "")))
        if status:
            answers[question.id] = AnswerValue(status)
    return answers


def store_answers(assignment: Assignment, answers: dict[str, AnswerValue], by: User | None,
                  when: datetime) -> None:
    """Write generated answers to a return, as saved by `by` at `when`."""
    for question_id, answer in answers.items():
        db.session.add(Answer(assignment_id=assignment.id, question_id=question_id, value=answer.value,
                              not_applicable=answer.not_applicable, evidence=answer.evidence, action=answer.action,
                              changed_in_version=1, updated_by_id=by.id if by else None, updated_at=when))
