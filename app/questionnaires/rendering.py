"""From questions to GOV.UK components, and from answers to words.

One function per question type builds the parameters for a GOV.UK Frontend
macro (radios, checkboxes, input, character count, date input). The page shows
either the stored answer or, after a problem, exactly what the person typed.
Pure functions; the templates only choose the macro and pass the parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.questionnaires.answers import (
    AnswerValue,
    action_field,
    date_fields,
    evidence_field,
    not_applicable_field,
    value_field,
)
from app.questionnaires.definition import (
    DEFAULT_ACTION_LABEL,
    DEFAULT_EVIDENCE_LABEL,
    FOLLOW_UP_MAX_LENGTH,
    NOT_APPLICABLE,
    NOT_APPLICABLE_LABEL,
    Condition,
    Definition,
    FollowUp,
    Option,
    Question,
)

RawValues = Mapping[str, Any]  # field name -> str, or list of str for checkboxes


# --------------------------------------------------------------------------- answers in words


def _number_text(value: float | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def format_answer(question: Question, answer: AnswerValue | None) -> str:
    """The answer as a person reads it: option labels, units, dates in words (a carried-over one too)."""
    if answer is None or not (answer.answered or (answer.carried and replace(answer, carried=False).answered)):
        return "Not answered"
    if answer.not_applicable:
        return NOT_APPLICABLE_LABEL
    value = answer.value
    if question.type == "multiple_choice":
        return "; ".join(question.label_for(v) for v in value)
    if question.type in {"yes_no", "single_choice", "scale"}:
        return question.label_for(value)
    if question.type == "percentage":
        return f"{_number_text(value)}%"
    if question.type == "number":
        return f"{_number_text(value)} {question.unit}".strip()
    if question.type == "date":
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    return str(value)


def describe_condition(definition: Definition, condition: Condition) -> str:
    """show_if in words, for the hint above a follow-up question."""
    if condition.all_of:
        return " and ".join(describe_condition(definition, part) for part in condition.all_of)
    if condition.any_of:
        return " or ".join(describe_condition(definition, part) for part in condition.any_of)
    question = definition.question(condition.question or "")
    if question is None:
        return ""
    subject = f"‘{question.text}’"

    def label(value: Any) -> str:
        return NOT_APPLICABLE_LABEL if value == NOT_APPLICABLE else question.label_for(value)

    if condition.test == "equals":
        return f"you answered ‘{label(condition.operand)}’ to {subject}"
    if condition.test == "not_equals":
        return f"you did not answer ‘{label(condition.operand)}’ to {subject}"
    if condition.test == "in":
        return f"you answered {' or '.join(f'‘{label(v)}’' for v in condition.operand)} to {subject}"
    if condition.test == "includes":
        return f"you chose ‘{label(condition.operand)}’ in {subject}"
    if condition.test == "answered":
        return f"you answered {subject}" if condition.operand else f"you did not answer {subject}"
    return ""


def condition_json(condition: Condition | None) -> str:
    """The condition as JSON for the page script that shows and hides follow-up questions."""
    def encode(c: Condition) -> dict[str, Any]:
        if c.all_of:
            return {"all": [encode(p) for p in c.all_of]}
        if c.any_of:
            return {"any": [encode(p) for p in c.any_of]}
        return {"question": c.question, c.test: c.operand}
    return json.dumps(encode(condition)) if condition else ""


# --------------------------------------------------------------------------- raw values for a form


def raw_from_answer(question: Question, answer: AnswerValue | None) -> dict[str, Any]:
    """What the form fields hold for a stored answer."""
    raw: dict[str, Any] = {}
    if answer is None:
        return raw
    name = value_field(question)
    if question.type == "multiple_choice":
        raw[name] = [NOT_APPLICABLE] if answer.not_applicable else list(answer.value or [])
    elif question.type in {"yes_no", "single_choice", "scale"}:
        raw[name] = NOT_APPLICABLE if answer.not_applicable else (answer.value or "")
    elif question.type == "date":
        if answer.value:
            day = date.fromisoformat(answer.value)
            for field_name, part in zip(date_fields(question), (day.day, day.month, day.year), strict=True):
                raw[field_name] = str(part)
        if answer.not_applicable:
            raw[not_applicable_field(question)] = "1"
    else:
        if answer.value is not None:
            raw[name] = _number_text(answer.value).replace(",", "") if question.type in {"number", "percentage"} \
                else str(answer.value)
        if answer.not_applicable:
            raw[not_applicable_field(question)] = "1"
    raw[evidence_field(question)] = answer.evidence
    raw[action_field(question)] = answer.action
    return raw


def raw_from_form(question: Question, form: Any) -> dict[str, Any]:
    """What the person typed, to show it back after a problem."""
    raw: dict[str, Any] = {}
    name = value_field(question)
    raw[name] = form.getlist(name) if question.type == "multiple_choice" else form.get(name, "")
    for extra in (*date_fields(question), not_applicable_field(question), evidence_field(question),
                  action_field(question)):
        raw[extra] = form.get(extra, "")
    return raw


# --------------------------------------------------------------------------- GOV.UK macro parameters


@dataclass(frozen=True)
class QuestionView:
    question: Question
    number: int
    macro: str  # radios | checkboxes | input | character_count | date
    params: dict[str, Any]
    not_applicable: dict[str, Any] | None
    evidence: dict[str, Any] | None
    action: dict[str, Any] | None
    condition: str  # JSON for the page script, "" if always shown
    condition_text: str
    evidence_shown_for: str = ""  # JSON list of the answers that reveal the evidence box, "" if always shown
    action_shown_for: str = ""


def _hint(question: Question, condition_text: str) -> dict[str, str] | None:
    parts = [question.hint] if question.hint else []
    if condition_text:
        parts.append(f"Answer this only if {condition_text}.")
    if not question.required:
        parts.append("This question is optional.")
    return {"text": " ".join(parts)} if parts else None


def _error(errors: Mapping[str, str], name: str) -> dict[str, str] | None:
    return {"text": errors[name]} if name in errors else None


def _answers_in_words(question: Question, values: frozenset[str]) -> str:
    """‘Met’ or ‘Partly met’: the answers in the order the question lists them ("" for none)."""
    labels = [NOT_APPLICABLE_LABEL if option.value == NOT_APPLICABLE else option.label
              for option in (*question.choices, Option(NOT_APPLICABLE, NOT_APPLICABLE_LABEL))
              if option.value in values]
    return " or ".join(f"‘{label}’" for label in labels)


def reveal_json(spec: FollowUp) -> str:
    """The answers that reveal a box, as JSON for the page script ("" when the box is always shown)."""
    return json.dumps(list(spec.reveal_values)) if spec.asked and spec.shown_for else ""


def _follow_up(question: Question, spec: FollowUp, name: str, default_label: str, raw: RawValues,
               errors: Mapping[str, str]) -> dict[str, Any] | None:
    if not spec.asked:
        return None
    label = spec.label or default_label
    default_hint = ("For example, a document, a report, minutes of a meeting, or a page of your service plan."
                    if default_label == DEFAULT_EVIDENCE_LABEL and not spec.label else "")
    if spec.mode == "required":
        hint = spec.hint or default_hint
    elif spec.required_for:
        needed = _answers_in_words(question, spec.required_for)
        also = _answers_in_words(question, spec.shown_for - spec.required_for)
        hint = " ".join(filter(None, [spec.hint or default_hint, f"Needed if you answer {needed}.",
                                      f"Optional if you answer {also}." if also else ""]))
    else:
        label = f"{label} (optional)"
        only = _answers_in_words(question, spec.shown_for)
        hint = " ".join(filter(None, [spec.hint or default_hint, f"Only if you answer {only}." if only else ""]))
    params: dict[str, Any] = {
        "id": name, "name": name, "label": {"text": label, "classes": "govuk-label--s"},
        "value": raw.get(name, "") or "", "maxlength": FOLLOW_UP_MAX_LENGTH, "rows": 3,
        "errorMessage": _error(errors, name),
    }
    if hint:
        params["hint"] = {"text": hint}
    return params


def question_view(definition: Definition, question: Question, number: int, raw: RawValues,
                  errors: Mapping[str, str], page_question_ids: frozenset[str] | None = None) -> QuestionView:
    """Parameters for one question. A show_if that only refers to other pages was already applied by
    the server (the question is only sent when it applies), so it is not repeated on the page."""
    name = value_field(question)
    condition = question.show_if
    if condition is not None and page_question_ids is not None \
            and not set(condition.question_ids()) & page_question_ids:
        condition = None
    condition_text = describe_condition(definition, condition) if condition else ""
    title = f"{number}. {question.text}"
    hint = _hint(question, condition_text)
    error = _error(errors, name)
    not_applicable = None
    if question.type in {"yes_no", "single_choice", "scale", "multiple_choice"}:
        chosen = raw.get(name)
        chosen_list = chosen if isinstance(chosen, list) else [chosen] if chosen else []
        items: list[dict[str, Any]] = []
        for option in question.choices:
            item: dict[str, Any] = {"value": option.value, "text": option.label, "checked": option.value in chosen_list}
            if option.hint:
                item["hint"] = {"text": option.hint}
            items.append(item)
        if question.allow_not_applicable:
            items.append({"divider": "or"})
            na_item: dict[str, Any] = {"value": NOT_APPLICABLE, "text": NOT_APPLICABLE_LABEL,
                                       "checked": NOT_APPLICABLE in chosen_list}
            if question.type == "multiple_choice":
                na_item["behaviour"] = "exclusive"
            items.append(na_item)
        macro = "checkboxes" if question.type == "multiple_choice" else "radios"
        params: dict[str, Any] = {
            "name": name, "idPrefix": name, "items": items, "errorMessage": error,
            "fieldset": {"legend": {"text": title, "classes": "govuk-fieldset__legend--s"}},
        }
        if hint:
            params["hint"] = hint
        if question.type == "yes_no" and not question.allow_not_applicable:
            params["classes"] = "govuk-radios--inline"
        if question.type == "multiple_choice":
            params["hint"] = {"text": " ".join(filter(None, [hint["text"] if hint else "", "Select all that apply."]))}
    elif question.type == "date":
        day, month, year = (raw.get(f, "") or "" for f in date_fields(question))
        error_fields = {f for f in date_fields(question) if f in errors}
        macro = "date"
        params = {
            "id": name, "namePrefix": name,
            "fieldset": {"legend": {"text": title, "classes": "govuk-fieldset__legend--s"}},
            "hint": {"text": " ".join(filter(None, [hint["text"] if hint else "", "For example, 27 3 2026."]))},
            "errorMessage": next((_error(errors, f) for f in date_fields(question) if f in errors), None),
            "items": [
                {"name": "day", "value": day, "classes": "govuk-input--width-2" +
                 (" govuk-input--error" if error_fields else "")},
                {"name": "month", "value": month, "classes": "govuk-input--width-2" +
                 (" govuk-input--error" if error_fields else "")},
                {"name": "year", "value": year, "classes": "govuk-input--width-4" +
                 (" govuk-input--error" if error_fields else "")},
            ],
        }
    elif question.type == "long_text":
        macro = "character_count"
        params = {"id": name, "name": name, "label": {"text": title, "classes": "govuk-label--s"},
                  "value": raw.get(name, "") or "", "maxlength": question.text_limit, "rows": 5,
                  "errorMessage": error}
        if hint:
            params["hint"] = hint
    else:
        macro = "input"
        params = {"id": name, "name": name, "label": {"text": title, "classes": "govuk-label--s"},
                  "value": raw.get(name, "") or "", "errorMessage": error, "autocomplete": "off"}
        if hint:
            params["hint"] = hint
        if question.type in {"number", "percentage"}:
            params.update({"inputmode": "decimal" if not question.integer else "numeric", "spellcheck": False,
                           "classes": "govuk-input--width-10"})
            suffix = "%" if question.type == "percentage" else question.unit
            if suffix:
                params["suffix"] = {"text": suffix}
    if question.allow_not_applicable and question.type not in {"yes_no", "single_choice", "scale",
                                                                  "multiple_choice"}:
        na_name = not_applicable_field(question)
        not_applicable = {
            "name": na_name, "idPrefix": na_name, "classes": "govuk-checkboxes--small",
            "items": [{"value": "1", "text": f"{NOT_APPLICABLE_LABEL} (question {number})",
                       "checked": raw.get(na_name) in ("1", "on")}],
        }
    return QuestionView(
        question=question, number=number, macro=macro, params=params, not_applicable=not_applicable,
        evidence=_follow_up(question, question.evidence, evidence_field(question), DEFAULT_EVIDENCE_LABEL, raw,
                            errors),
        action=_follow_up(question, question.action, action_field(question), DEFAULT_ACTION_LABEL, raw, errors),
        condition=condition_json(condition), condition_text=condition_text,
        evidence_shown_for=reveal_json(question.evidence), action_shown_for=reveal_json(question.action),
    )


# --------------------------------------------------------------------------- definitions in words

TYPE_LABELS = {
    "yes_no": "Yes or no", "single_choice": "One answer from a list", "scale": "A level on a scale",
    "multiple_choice": "Any answers from a list", "text": "Short text", "long_text": "Longer text",
    "number": "A number", "percentage": "A percentage", "date": "A date",
}


def describe_target(question: Question) -> str:
    """What counts as a good answer, in words ('' if the question is not scored)."""
    target = question.target
    if target is None:
        return ""
    if target.kind == "value":
        return f"‘{question.label_for(target.operand)}’"
    if target.kind == "min_score":
        good = [o.label for o in question.options if o.score is not None and o.score >= target.operand]
        return " or ".join(f"‘{label}’" for label in good)
    if target.kind == "min":
        return f"{_number_text(target.operand)} or more"
    if target.kind == "max":
        return f"{_number_text(target.operand)} or less"
    if target.kind == "includes":
        return "including " + ", ".join(f"‘{question.label_for(v)}’" for v in target.operand)
    if target.kind == "min_selected":
        return f"at least {target.operand} chosen"
    return ""
