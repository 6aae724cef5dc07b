"""The first pass over a definition: its shape and types, by the JSON Schema in
surveys/questionnaire.schema.json, with each schema error said in plain English at a path that names
sections and questions by their id. Pure functions: no Flask."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from app.questionnaires.yaml_reading import shown

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "surveys" / "questionnaire.schema.json"

_JSON_TYPES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping of fields", "null": "empty"}
_ONE_OF_HELP = {
    "target": "must be an option value in quotes, or one of {min_score: N}, {min: N}, {max: N}, "
              "{includes: [values]} or {min_selected: N}",
    "show_if": "must be {question: ID, TEST: VALUE} with one TEST of equals, not_equals, in, includes or "
               "answered, or {all: [conditions]} or {any: [conditions]}",
    "evidence": "must be off, optional, required, or {required_for: [answers], shown_for: [answers], label: ..., "
                "hint: ...}",
    "action": "must be off, optional, required, or {required_for: [answers], shown_for: [answers], label: ..., "
              "hint: ...}",
    "matter": "must be one of crime-and-disorder, substance-misuse, reoffending, serious-violence, or a list of them",
}


def definition_path(document: Any, parts: Iterable[Any]) -> str:
    """sections.service-plan.questions.plan-targets.target, using ids where they are usable."""
    out: list[str] = []
    node = document
    for part in parts:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            siblings = [x.get("id") for x in node if isinstance(x, dict)] if isinstance(node, list) else []
            if isinstance(ident, str) and ident and siblings.count(ident) == 1:
                out.append(ident)
            else:
                out.append(f"#{part + 1}")
            node = item
        else:
            out.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out) or "(top level)"


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _describe(error: ValidationError) -> tuple[list[Any], str]:
    """A path and a plain-English message for one schema error."""
    path = list(error.absolute_path)
    validator, value = error.validator, error.validator_value
    instance = error.instance
    if validator == "required":
        missing = [name for name in value if not (isinstance(instance, dict) and name in instance)]
        return path + [missing[0] if missing else "?"], "is required"
    if validator == "additionalProperties":
        extra = sorted(set(instance) - set(error.schema.get("properties", {}))) if isinstance(instance, dict) else []
        return path + [extra[0] if extra else "?"], "is not a field this format knows (check the spelling)"
    if validator == "enum":
        return path, f"must be one of {', '.join(map(str, value))} (found {shown(instance)})"
    if validator == "const":
        return path, f"must be {value!r}"
    if validator == "type":
        wanted = value if isinstance(value, list) else [value]
        message = "must be " + " or ".join(_JSON_TYPES.get(t, t) for t in wanted)
        if isinstance(instance, bool) and "string" in wanted:
            message += "; YAML reads unquoted yes, no, on, off, true and false as true/false, so put it in quotes"
        return path, f"{message} (found {shown(instance)})"
    if validator == "pattern":
        return path, f"must use only lower-case letters, digits and hyphens{' or underscores' if '_' in value else ''}, " \
                     f"starting with a letter or digit, at most 64 characters (found {shown(instance)})"
    if validator == "minItems":
        return path, f"needs at least {value} item{'s' if value != 1 else ''}"
    if validator == "minLength":
        return path, "must not be empty"
    if validator == "minimum":
        return path, f"must be at least {value} (found {shown(instance)})"
    if validator == "maximum":
        return path, f"must be at most {value} (found {shown(instance)})"
    if validator == "uniqueItems":
        return path, "lists the same value more than once"
    if validator in {"minProperties", "maxProperties"}:
        return path, "needs question and exactly one test: equals, not_equals, in, includes or answered"
    if validator == "not" and isinstance(value, dict) and "required" in value:
        field = value["required"][0]
        kind = instance.get("type", "this") if isinstance(instance, dict) else "this"
        return path + [field], f"is not used by {kind} questions"
    if validator in {"oneOf", "anyOf"}:
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        message = _ONE_OF_HELP.get(key, "is not in any of the accepted forms")
        if isinstance(instance, dict) and error.context:
            # A mapping in one of several forms: say what is wrong with the form it comes closest to.
            inner = [e for e in error.context if e.validator not in {"type", "enum", "required"}]
            if inner:
                inner_path, inner_message = _describe(best_match(inner))
                where = ".".join(map(str, inner_path[len(path):]))
                return path, f"{message}; here, {where + ' ' if where else ''}{inner_message}"
        if isinstance(instance, bool):
            message += (f" (found {str(instance).lower()}: YAML reads unquoted yes, no, on and off as true/false, "
                        "so put the value in quotes)")
        return path, message
    return path, error.message


def schema_problems(document: Any, source: str) -> list[str]:
    problems = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        if error.validator == "required" and isinstance(error.instance, dict):
            # One line per missing field, not just the first.
            base = list(error.absolute_path)
            for name in error.validator_value:
                if name not in error.instance:
                    problems.append(f"{source}: {definition_path(document, [*base, name])}: is required")
            continue
        path, message = _describe(error)
        problems.append(f"{source}: {definition_path(document, path)}: {message}")
    return list(dict.fromkeys(problems))  # jsonschema reports each missing field once per field
