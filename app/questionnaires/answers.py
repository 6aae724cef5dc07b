"""Turning posted form values into answers, checked against the question.

Every value a browser sends is untrusted: it is parsed by the question's type
and checked against the definition snapshot (options, lengths, ranges, real
dates). Nothing here decides whether an answer is *required*; drafts may be
incomplete. Completeness is progress.py's job, at check-your-answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from app.questionnaires.definition import (
    DEFAULT_ACTION_LABEL,
    DEFAULT_EVIDENCE_LABEL,
    FOLLOW_UP_MAX_LENGTH,
    NOT_APPLICABLE,
    FollowUp,
    Question,
    Section,
)
from app.text_input import clean_text, is_invisible, ungrouped_number

_LARGEST_NUMBER = Decimal("1e12")


class FormData(Protocol):
    """What we need of a posted form (werkzeug's MultiDict has it)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def keys(self) -> Iterable[str]: ...


@dataclass(frozen=True)
class AnswerValue:
    """A stored answer: a typed value or not applicable, with optional evidence and action text."""

    value: Any = None  # str | list[str] | int | float | ISO date str | None
    not_applicable: bool = False
    evidence: str = ""
    action: str = ""
    carried: bool = False  # pre-filled from last year and not yet confirmed: shown, but not an answer

    @property
    def answered(self) -> bool:
        if self.carried:
            return False
        if isinstance(self.value, str) and all(is_invisible(character) for character in self.value):
            return False  # "" or only invisible characters (stored before they were cleaned away)
        return self.not_applicable or self.value not in (None, "", [])

    @property
    def comparable(self) -> Any:
        """The value conditions compare with: not_applicable when so answered."""
        return NOT_APPLICABLE if self.not_applicable else self.value


@dataclass(frozen=True)
class FieldProblem:
    question_id: str
    field: str  # the form field id the error summary links to
    message: str


# --------------------------------------------------------------------------- field names


def value_field(question: Question) -> str:
    return f"q-{question.id}"


def evidence_field(question: Question) -> str:
    return f"q-{question.id}-evidence"


def action_field(question: Question) -> str:
    return f"q-{question.id}-action"


def not_applicable_field(question: Question) -> str:
    return f"q-{question.id}-na"


def date_fields(question: Question) -> tuple[str, str, str]:
    base = value_field(question)
    return f"{base}-day", f"{base}-month", f"{base}-year"


def question_field_names(question: Question) -> set[str]:
    names = {value_field(question), evidence_field(question), action_field(question), not_applicable_field(question)}
    if question.type == "date":
        names.update(date_fields(question))
    return names


def unknown_question_fields(section: Section, form: FormData) -> list[str]:
    """Posted q-* fields that belong to no question of this section (tampering, or a stale page)."""
    known = set().union(*(question_field_names(q) for q in section.questions))
    return sorted(name for name in form.keys() if name.startswith("q-") and name not in known)


# --------------------------------------------------------------------------- parsing


def _clean_text(raw: Any, *, multiline: bool) -> str:
    """app/text_input.py's rule, as for every form field, except that control characters are removed, not refused.

    NFC, trimmed, one line for short answers, and "" (not answered) for a text of only
    invisible characters. Control characters are removed (vertical tab and form feed
    become line breaks) rather than refused with a problem, because answers are long
    texts pasted from elsewhere: Word puts a vertical tab for every Shift+Enter, PDFs
    bring form feeds. The person cannot see those characters, so a message asking them
    to remove them would be one they cannot act on, and while it stood their answer
    (autosaved or not) would not be saved. Removing them loses nothing anyone can read,
    and the saved text is what the page shows back.
    """
    return clean_text(raw, multiline=multiline, strip_controls=True)


def subject(question: Question) -> str:
    """How an error message names its question: the question as the page shows it, in quotes."""
    return f"‘{question.text}’"


def _number_text(question: Question, raw: str) -> str | None:
    """The number as digits only, or None when its commas are not thousands separators."""
    text = raw.strip()
    if question.type == "percentage":
        text = text.removesuffix("%").rstrip()
    return ungrouped_number(text)


def _number(question: Question, raw: str) -> tuple[Any, str | None]:
    """A number typed as people write them: "92,600" and "92 600" are 92600; a decimal comma is refused."""
    named = subject(question)
    text = _number_text(question, raw)
    if text is None:
        if question.integer:
            return None, f"Enter the answer to {named} as a whole number, like 1,500, with commas only between thousands"
        return None, (f"Enter the answer to {named} as a number, like 1,500 or 3.4, with commas only between "
                      "thousands and a full stop for decimals")
    enter_a_number = _enter_a_number(question)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, enter_a_number
    if not number.is_finite():
        return None, enter_a_number
    if abs(number) >= _LARGEST_NUMBER:
        return None, f"The answer to {named} must be less than 1,000,000,000,000"
    if question.integer and number != number.to_integral_value():
        return None, f"Enter the answer to {named} as a whole number, like 12"
    low, high = question.bounds
    unit = "%" if question.type == "percentage" else ""
    if (low is not None and number < Decimal(str(low))) or (high is not None and number > Decimal(str(high))):
        if low is not None and high is not None:
            return None, f"The answer to {named} must be between {_show(low)}{unit} and {_show(high)}{unit}"
        if low is not None:
            return None, f"The answer to {named} must be {_show(low)}{unit} or more"
        return None, f"The answer to {named} must be {_show(high)}{unit} or less"
    if number == number.to_integral_value():
        return int(number), None
    return float(round(number, 4)), None


def _enter_a_number(question: Question) -> str:
    named = subject(question)
    if question.type == "percentage":
        return f"Enter the answer to {named} as a percentage, like 45 or 12.5"
    if question.integer:
        return f"Enter the answer to {named} as a whole number, like 12"
    return f"Enter the answer to {named} as a number, like 12 or 3.5"


def _show(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _date(question: Question, form: FormData) -> tuple[Any, str | None, str]:
    day_name, month_name, year_name = date_fields(question)
    parts = [str(form.get(name, "") or "").strip() for name in (day_name, month_name, year_name)]
    if not any(parts):
        return None, None, day_name
    missing = [label for label, part in zip(("day", "month", "year"), parts, strict=True) if not part]
    if missing:
        field = {"day": day_name, "month": month_name, "year": year_name}[missing[0]]
        return None, f"The date for {subject(question)} must include a {' and '.join(missing)}", field
    real_date = f"The date for {subject(question)} must be a real date, like 27 3 2026"
    if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
        return None, real_date, day_name
    try:
        value = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None, real_date, day_name
    return value.isoformat(), None, day_name


def parse_question(question: Question, form: FormData) -> tuple[AnswerValue, list[FieldProblem]]:
    """The answer the form gives for one question, and what is wrong with it."""
    problems: list[FieldProblem] = []
    name = value_field(question)

    def problem(message: str, field: str = name) -> None:
        problems.append(FieldProblem(question.id, field, message))

    value: Any = None
    not_applicable = False
    if question.type in {"yes_no", "single_choice", "scale"}:
        raw = str(form.get(name, "") or "").strip()
        if raw == NOT_APPLICABLE and question.allow_not_applicable:
            not_applicable = True
        elif raw and question.option(raw) is None:
            problem(f"Choose one of the answers listed for {subject(question)}")
        elif raw:
            value = raw
    elif question.type == "multiple_choice":
        chosen = list(dict.fromkeys(str(v).strip() for v in form.getlist(name) if str(v).strip()))
        if NOT_APPLICABLE in chosen and question.allow_not_applicable:
            if len(chosen) > 1:
                problem(f"For {subject(question)}, choose the answers that apply or not applicable, not both")
            else:
                not_applicable = True
        elif any(question.option(v) is None for v in chosen):
            problem(f"Choose from the answers listed for {subject(question)}")
        elif chosen:
            value = chosen
    else:
        wants_na = question.allow_not_applicable and form.get(not_applicable_field(question)) in ("1", "on", "yes")
        if question.type in {"text", "long_text"}:
            text = _clean_text(form.get(name, ""), multiline=question.type == "long_text")
            if len(text) > question.text_limit:
                problem(f"The answer to {subject(question)} must be {question.text_limit:,} characters or fewer")
            elif text:
                value = text
        elif question.type in {"number", "percentage"}:
            raw = str(form.get(name, "") or "")
            if raw.strip():
                value, message = _number(question, raw)
                if message:
                    problem(message)
        elif question.type == "date":
            value, message, field = _date(question, form)
            if message:
                problem(message, field)
        if wants_na:
            if value is not None or problems:
                problem(f"Give an answer to {subject(question)} or choose not applicable, not both")
                value = None
            else:
                not_applicable = True

    evidence = _follow_up_text(question, form, evidence_field(question), question.evidence,
                               DEFAULT_EVIDENCE_LABEL, problem)
    action = _follow_up_text(question, form, action_field(question), question.action, DEFAULT_ACTION_LABEL,
                             problem)
    if problems:
        value, not_applicable = None, False
    return AnswerValue(value, not_applicable, evidence, action), problems


def _follow_up_text(question: Question, form: FormData, field: str, spec: FollowUp, default_label: str,
                    problem: Any) -> str:
    """The text of an evidence or action box. It is kept whatever the answer: a box is never emptied
    because the answer it was typed for changed, so nothing typed is lost."""
    if not spec.asked:
        return ""
    text = _clean_text(form.get(field, ""), multiline=True)
    if len(text) > FOLLOW_UP_MAX_LENGTH:
        label = spec.label or default_label
        problem(f"{label} for {subject(question)} must be {FOLLOW_UP_MAX_LENGTH:,} characters or fewer", field)
        return ""
    return text


def parse_section(section: Section, form: FormData) -> tuple[dict[str, AnswerValue], list[FieldProblem]]:
    """Every question of the section as posted (questions with problems are left out of the answers)."""
    answers: dict[str, AnswerValue] = {}
    problems: list[FieldProblem] = []
    for question in section.questions:
        answer, question_problems = parse_question(question, form)
        if question_problems:
            problems.extend(question_problems)
        else:
            answers[question.id] = answer
    return answers, problems


def is_valid_stored(question: Question, answer: AnswerValue) -> bool:
    """Whether a stored answer is one the question allows (used by tests and imports)."""
    if answer.not_applicable:
        return question.allow_not_applicable and answer.value is None
    value = answer.value
    if value is None:
        return True
    if question.type in {"yes_no", "single_choice", "scale"}:
        return isinstance(value, str) and question.option(value) is not None
    if question.type == "multiple_choice":
        return (isinstance(value, list) and bool(value) and len(set(value)) == len(value)
                and all(isinstance(v, str) and question.option(v) for v in value))
    if question.type in {"text", "long_text"}:
        return isinstance(value, str) and 0 < len(value) <= question.text_limit
    if question.type in {"number", "percentage"}:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        low, high = question.bounds
        return (low is None or value >= low) and (high is None or value <= high) and (
            not question.integer or float(value).is_integer())
    if question.type == "date":
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    return False
