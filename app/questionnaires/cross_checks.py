"""The second pass over a definition: what the schema cannot express. Unique ids, show_if naming an
earlier question and values it can take, targets among the options, follow-up boxes naming real answers,
types and options that agree. Tolerates malformed parts (the schema pass reports those). Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.questionnaires.definition import CHOICE_TYPES, NOT_APPLICABLE, NUMERIC_TYPES, TEXT_TYPES, YES_NO_OPTIONS
from app.questionnaires.schema_check import definition_path


def _unknown_answer(value: Any, what: str, allowed: set[str]) -> str:
    message = f"{value!r} is not {what} ({', '.join(sorted(map(str, allowed)))})"
    if isinstance(value, bool):
        message += "; YAML reads unquoted yes, no, on and off as true/false, so put the value in quotes"
    return message


def _answer_values(question: Mapping[str, Any]) -> set[str]:
    """The stored values a question can take (for choice-like types)."""
    if question.get("type") == "yes_no":
        values = {value for value, _ in YES_NO_OPTIONS}
    else:
        values = {o.get("value") for o in question.get("options", []) if isinstance(o, dict)}
    if question.get("allow_not_applicable"):
        values.add(NOT_APPLICABLE)
    return values


def _check_condition(condition: Any, where: list[Any], earlier: Mapping[str, Mapping[str, Any]],
                     own_id: Any, report: Any) -> None:
    if not isinstance(condition, dict):
        return
    for combiner in ("all", "any"):
        if isinstance(condition.get(combiner), list):
            for index, part in enumerate(condition[combiner]):
                _check_condition(part, [*where, combiner, index], earlier, own_id, report)
            return
    ref = condition.get("question")
    if not isinstance(ref, str):
        return
    if ref == own_id:
        report([*where, "question"], "a question cannot depend on its own answer")
        return
    target = earlier.get(ref)
    if target is None:
        report([*where, "question"], f"refers to {ref!r}, which is not a question that comes earlier in this file")
        return
    kind = target.get("type")
    for test in ("equals", "not_equals", "in", "includes"):
        if test not in condition:
            continue
        values = condition[test] if test == "in" and isinstance(condition[test], list) else [condition[test]]
        if test == "includes" and kind != "multiple_choice":
            report([*where, test], f"includes only works with multiple_choice questions; {ref} is {kind}")
            continue
        if kind in CHOICE_TYPES or kind == "multiple_choice":
            allowed = _answer_values(target)
            for value in values:
                if isinstance(value, bool) or value not in allowed:
                    report([*where, test], _unknown_answer(value, f"an answer {ref} can have: it can be", allowed))
        elif kind in NUMERIC_TYPES:
            for value in values:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    report([*where, test], f"{ref} is a {kind} question, so compare it with a number")
        elif kind in TEXT_TYPES or kind == "date":
            report([*where, test], f"{ref} is a {kind} question; only answered: true or false can test it")


def _check_target(question: Mapping[str, Any], report: Any) -> None:
    target = question.get("target")
    if target is None:
        return
    kind = question.get("type")
    if kind in TEXT_TYPES or kind == "date":
        report(["target"], f"{kind} questions are not scored, so they cannot have a target")
        return
    if isinstance(target, str):
        if kind in NUMERIC_TYPES or kind == "multiple_choice":
            report(["target"], f"a {kind} question needs a rule as its target, e.g. "
                               + ("{min: 1}" if kind in NUMERIC_TYPES else "{includes: [value]} or {min_selected: 1}"))
        elif target not in _answer_values(question) - {NOT_APPLICABLE}:
            allowed = ", ".join(sorted(_answer_values(question) - {NOT_APPLICABLE}))
            report(["target"], f"{target!r} is not one of this question's answers ({allowed})")
        return
    if not isinstance(target, dict) or len(target) != 1:
        return
    ((rule, operand),) = target.items()
    if rule == "min_score":
        options = [o for o in question.get("options", []) if isinstance(o, dict)]
        if kind not in {"single_choice", "scale"}:
            report(["target"], f"min_score needs options with scores; {kind} questions have none")
        elif not options or any("score" not in o for o in options):
            report(["target"], "min_score needs a score on every option")
        elif isinstance(operand, (int, float)) and not any(o["score"] >= operand for o in options):
            report(["target", "min_score"], f"no option scores {operand} or more, so nobody could meet it")
    elif rule in {"min", "max"}:
        if kind not in NUMERIC_TYPES:
            report(["target"], f"{rule} targets are for number and percentage questions, not {kind}")
    elif rule in {"includes", "min_selected"}:
        if kind != "multiple_choice":
            report(["target"], f"{rule} targets are for multiple_choice questions, not {kind}")
        elif rule == "includes":
            for value in operand if isinstance(operand, list) else []:
                if value not in _answer_values(question):
                    report(["target", "includes"], f"{value!r} is not one of this question's options")
        elif isinstance(operand, int) and operand > len(question.get("options", [])):
            report(["target", "min_selected"], f"asks for {operand} but the question has only "
                                               f"{len(question.get('options', []))} options")


def _check_follow_up(question: Mapping[str, Any], follow_up: str, spec: Mapping[str, Any], report: Any) -> None:
    """required_for and shown_for name answers the question can have; a box is shown for every answer
    it is required for (otherwise a page with JavaScript would hide a box that must be filled in)."""
    kind = question.get("type")
    allowed = _answer_values(question)
    lists = {key: spec[key] for key in ("required_for", "shown_for") if isinstance(spec.get(key), list)}
    for key, values in lists.items():
        if kind not in CHOICE_TYPES and kind != "multiple_choice":
            report([follow_up, key], f"needs a question with set answers; {kind} has none")
            continue
        for value in values:
            if isinstance(value, bool) or value not in allowed:
                report([follow_up, key], _unknown_answer(value, "an answer this question can have", allowed))
    if "shown_for" in lists and "required_for" in lists and kind in CHOICE_TYPES | {"multiple_choice"}:
        hidden = [v for v in lists["required_for"] if v in allowed and v not in lists["shown_for"]]
        if hidden:
            report([follow_up, "shown_for"], f"must include every answer in required_for; it leaves out "
                                             f"{', '.join(repr(v) for v in hidden)}")


def _check_question(question: Mapping[str, Any], report: Any) -> None:
    kind = question.get("type")
    options = [o for o in question.get("options", []) if isinstance(o, dict)]
    values = [o.get("value") for o in options]
    for index, value in enumerate(values):
        if values.index(value) != index:
            report(["options", index, "value"], f"{value!r} is used by two options")
        if value == NOT_APPLICABLE:
            report(["options", index, "value"], "not_applicable is reserved: use allow_not_applicable: true instead")
    if kind == "single_choice" and options:
        scored = [o for o in options if "score" in o]
        if scored and len(scored) != len(options):
            report(["options"], "give every option a score, or none of them")
    if kind in NUMERIC_TYPES:
        low, high = question.get("min"), question.get("max")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
            report(["min"], f"is more than max ({low} > {high})")
        if kind == "percentage":
            for bound in ("min", "max"):
                value = question.get(bound)
                if isinstance(value, (int, float)) and not 0 <= value <= 100:
                    report([bound], "must be between 0 and 100 for a percentage")
    for follow_up in ("evidence", "action"):
        spec = question.get(follow_up)
        if isinstance(spec, dict):
            _check_follow_up(question, follow_up, spec, report)
    _check_target(question, report)


def cross_check_problems(document: Any, source: str) -> list[str]:
    """Checks across the document. Tolerates malformed parts (the schema reports those)."""
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("sections"), list):
        return problems

    def reporter(prefix: list[Any]) -> Any:
        def report(rest: list[Any], message: str) -> None:
            problems.append(f"{source}: {definition_path(document, [*prefix, *rest])}: {message}")
        return report

    section_ids: dict[str, int] = {}
    earlier: dict[str, Mapping[str, Any]] = {}
    seen_questions: dict[str, str] = {}
    for s_index, section in enumerate(document["sections"]):
        if not isinstance(section, dict):
            continue
        sid = section.get("id")
        if isinstance(sid, str):
            if sid in section_ids:
                problems.append(f"{source}: sections.#{s_index + 1}.id: {sid!r} is already used by "
                                f"section #{section_ids[sid] + 1}")
            section_ids.setdefault(sid, s_index)
        questions = section.get("questions")
        if not isinstance(questions, list):
            continue
        for q_index, question in enumerate(questions):
            if not isinstance(question, dict):
                continue
            prefix = ["sections", s_index, "questions", q_index]
            report = reporter(prefix)
            qid = question.get("id")
            if isinstance(qid, str) and qid in seen_questions:
                report(["id"], f"{qid!r} is already the id of a question in section {seen_questions[qid]}")
            _check_question(question, report)
            if "show_if" in question:
                _check_condition(question["show_if"], ["show_if"], earlier, qid, report)
            if isinstance(qid, str):
                seen_questions.setdefault(qid, str(sid) if sid else f"#{s_index + 1}")
                earlier.setdefault(qid, question)
    return problems
