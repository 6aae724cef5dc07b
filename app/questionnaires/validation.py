"""Loading and checking questionnaire definitions.

A definition is checked in two passes: the JSON Schema in
surveys/questionnaire.schema.json (shape and types), then cross-checks the
schema cannot express (unique ids, show_if refers to an earlier question and to
values that question can take, targets among the options, types and options
agree). Every problem is reported at once, one per line, as

    file: path.to.field: what is wrong

where the path names sections and questions by their id (or by position, #1
being the first, when the id itself is the problem). Pure functions: no Flask.
"""

from __future__ import annotations

import hashlib
import json
import reprlib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from app.questionnaires.definition import (
    CHOICE_TYPES,
    NOT_APPLICABLE,
    NUMERIC_TYPES,
    TEXT_TYPES,
    YES_NO_OPTIONS,
    Definition,
    build_definition,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "surveys" / "questionnaire.schema.json"

_JSON_TYPES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping of fields", "null": "empty"}
_ONE_OF_HELP = {
    "target": "must be an option value in quotes, or one of {min_score: N}, {min: N}, {max: N}, "
              "{includes: [values]} or {min_selected: N}",
    "show_if": "must be {question: ID, TEST: VALUE} with one TEST of equals, not_equals, in, includes or "
               "answered, or {all: [conditions]} or {any: [conditions]}",
    "evidence": "must be off, optional, required, or {required_for: [answers], label: ..., hint: ...}",
    "action": "must be off, optional, required, or {required_for: [answers], label: ..., hint: ...}",
    "matter": "must be one of crime-and-disorder, substance-misuse, reoffending, serious-violence, or a list of them",
}


class DefinitionError(Exception):
    """One or more problems with definition files; str() gives one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedDefinition:
    definition: Definition
    document: dict[str, Any]
    sha256: str
    source: str


# --------------------------------------------------------------------------- YAML


MAX_DEFINITION_BYTES = 8 * 1024 * 1024
"""The largest definition file read. The shipped ones are under 30 kB; the largest checklist the importer
can write (2,000 items with 1,000-character text and hints) is about 5.3 MB. Anything bigger is refused
before it is parsed, because PyYAML's pure-Python parser needs seconds per megabyte."""

MAX_VALUES = 250_000
"""The most values (scalars, lists and mappings) a definition may hold once its aliases are expanded.
The importer's largest checklist holds about 115,000; the hallmark checklist about 3,600. Anchors and
aliases are allowed (the hallmark checklist shares its rating options with them), but every later step
(the schema check, the cross-checks, the JSON snapshot of a cycle) walks the document as a tree, so an
alias repeats its whole block: nine aliases of nine aliases of nine... (a "billion laughs") is a few
hundred bytes of YAML and billions of values."""

MAX_DEPTH = 50
"""The deepest nesting of lists and mappings allowed. The shipped definitions nest 7 deep. PyYAML builds
nodes recursively, so 20,000 nested brackets would otherwise end in a RecursionError."""


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses but is refused (too deep, too big once expanded, unreadable values); the message is
    reported as it is, without "not valid YAML"."""


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys (PyYAML would silently keep the last one), nesting deeper than
    MAX_DEPTH and documents that hold more than MAX_VALUES values once aliases are expanded.

    The limits are checked while the node graph is composed, one event at a time (and [ { nesting as it is
    scanned): an alias costs the size of the block its anchor names, measured when that block was composed,
    so a bomb is refused after reading a few hundred bytes, before anything is expanded, and nesting is
    refused long before Python's recursion limit.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._values = 0
        self._through_aliases = 0
        self._depth = 0
        self._sizes: dict[str, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._count_alias(event)
            return super().compose_node(parent, index)
        self._enter(event)
        before = self._values
        node = super().compose_node(parent, index)
        self._depth -= 1
        if event.anchor is not None:
            self._sizes[event.anchor] = self._values - before
        return node

    def fetch_flow_collection_start(self, TokenClass: type) -> None:  # noqa: N803 - PyYAML's name
        """Refuse deep [ and { nesting as the scanner meets it: to see whether `[` starts a key, PyYAML reads
        up to 1,024 characters ahead, which on a line of brackets takes seconds before a node is composed."""
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(problem=self._too_deep(), problem_mark=self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    @staticmethod
    def _too_deep() -> str:
        return f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; a definition needs fewer than 10"

    def _enter(self, event: yaml.Event) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(problem=self._too_deep(), problem_mark=event.start_mark)
        self._spend(1, event)

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor not in self.anchors:
            return  # PyYAML reports the undefined alias
        size = self._sizes.get(event.anchor)
        if size is None:
            raise _Refused(problem=f"the alias *{event.anchor} is inside the block its anchor "
                                   f"&{event.anchor} names, so the block would contain itself without end",
                           problem_mark=event.start_mark)
        self._through_aliases += size
        self._spend(size, event)

    def _spend(self, count: int, event: yaml.Event) -> None:
        self._values += count
        if self._values <= MAX_VALUES:
            return
        if self._through_aliases:
            problem = (f"aliases (*name) here would make the file more than {MAX_VALUES:,} values once each "
                       "repeats its anchored block; use an anchor and aliases to share a block, not to "
                       "multiply it")
        else:
            problem = f"the file holds more than {MAX_VALUES:,} values; a definition needs far fewer"
        raise _Refused(problem=problem, problem_mark=event.start_mark)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Report a value Python cannot read (an integer of more than 4,300 digits, the 31st of February)
        at its line, instead of failing with a ValueError."""
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as error:
            value = _shown(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            reason = str(error).split(";")[0]  # drop Python's advice on set_int_max_str_digits
            raise _Refused(problem=f"{value} cannot be read: {reason}", problem_mark=node.start_mark) from None


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            raise _Refused(problem="a key must be a name, not a list or mapping", problem_mark=key_node.start_mark)
        if key in seen:
            raise yaml.MarkedYAMLError(
                problem=f"the key {key!r} appears twice in the same block (first on line {seen[key] + 1})",
                problem_mark=key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def parse_yaml(text: str, source: str) -> tuple[Any, list[str]]:
    """The document, or one `file: where: problem` line. The size is checked first, the other limits while
    parsing (see _StrictLoader)."""
    size = len(text.encode("utf-8"))
    if size > MAX_DEFINITION_BYTES:
        return None, [_too_big(source, size)]
    try:
        return yaml.load(text, Loader=_StrictLoader), []  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        kind = "" if isinstance(error, _Refused) else "not valid YAML: "
        return None, [f"{source}: {where}: {kind}{error.problem}"]
    except yaml.YAMLError as error:
        return None, [f"{source}: not valid YAML: {error}"]


def _shown(value: Any) -> str:
    """A value as it goes into a message: its repr, cut short (a problem line must stay one readable line
    even when the value is a list of thousands)."""
    return _SHORT_REPR.repr(value)


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()  # keyword arguments need Python 3.12
    short.maxlevel, short.maxlist, short.maxdict = 3, 6, 6
    short.maxstring, short.maxother, short.maxlong = 60, 60, 40
    return short


_SHORT_REPR = _short_repr()


def _too_big(source: str, size: int) -> str:
    return (f"{source}: (whole file): is {size / 1024 / 1024:.1f} MB; a definition may be at most "
            f"{MAX_DEFINITION_BYTES // 1024 // 1024} MB")


# --------------------------------------------------------------------------- paths and schema errors


def _path(document: Any, parts: Iterable[Any]) -> str:
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
        return path, f"must be one of {', '.join(map(str, value))} (found {_shown(instance)})"
    if validator == "const":
        return path, f"must be {value!r}"
    if validator == "type":
        wanted = value if isinstance(value, list) else [value]
        message = "must be " + " or ".join(_JSON_TYPES.get(t, t) for t in wanted)
        if isinstance(instance, bool) and "string" in wanted:
            message += "; YAML reads unquoted yes, no, on, off, true and false as true/false, so put it in quotes"
        return path, f"{message} (found {_shown(instance)})"
    if validator == "pattern":
        return path, f"must use only lower-case letters, digits and hyphens{' or underscores' if '_' in value else ''}, " \
                     f"starting with a letter or digit, at most 64 characters (found {_shown(instance)})"
    if validator == "minItems":
        return path, f"needs at least {value} item{'s' if value != 1 else ''}"
    if validator == "minLength":
        return path, "must not be empty"
    if validator == "minimum":
        return path, f"must be at least {value} (found {_shown(instance)})"
    if validator == "maximum":
        return path, f"must be at most {value} (found {_shown(instance)})"
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
                    problems.append(f"{source}: {_path(document, [*base, name])}: is required")
            continue
        path, message = _describe(error)
        problems.append(f"{source}: {_path(document, path)}: {message}")
    return list(dict.fromkeys(problems))  # jsonschema reports each missing field once per field


# --------------------------------------------------------------------------- cross-checks


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
        if isinstance(spec, dict) and isinstance(spec.get("required_for"), list):
            if kind not in CHOICE_TYPES and kind != "multiple_choice":
                report([follow_up, "required_for"], f"needs a question with set answers; {kind} has none")
                continue
            allowed = _answer_values(question)
            for value in spec["required_for"]:
                if isinstance(value, bool) or value not in allowed:
                    report([follow_up, "required_for"],
                           _unknown_answer(value, "an answer this question can have", allowed))
    _check_target(question, report)


def cross_check_problems(document: Any, source: str) -> list[str]:
    """Checks across the document. Tolerates malformed parts (the schema reports those)."""
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("sections"), list):
        return problems

    def reporter(prefix: list[Any]) -> Any:
        def report(rest: list[Any], message: str) -> None:
            problems.append(f"{source}: {_path(document, [*prefix, *rest])}: {message}")
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


# --------------------------------------------------------------------------- entry points


def check_document(document: Any, source: str) -> list[str]:
    if document is None:
        return [f"{source}: the file is empty"]
    return schema_problems(document, source) + cross_check_problems(document, source)


def load_text(text: str, source: str) -> LoadedDefinition:
    """Parse and check a definition; raise DefinitionError with every problem found."""
    document, problems = parse_yaml(text, source)
    if not problems:
        problems = check_document(document, source)
    if problems:
        raise DefinitionError(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedDefinition(build_definition(document), document, digest, source)


def load_file(path: Path) -> LoadedDefinition:
    """Read and check one file. At most MAX_DEFINITION_BYTES characters are read (a character is at least a
    byte), so a huge file, or an endless one such as /dev/zero, is refused without being read whole."""
    try:
        with path.open(encoding="utf-8") as file:
            text = file.read(MAX_DEFINITION_BYTES + 1)
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([f"{path.name}: cannot be read: {error}"]) from None
    if len(text) > MAX_DEFINITION_BYTES:
        raise DefinitionError([_too_big(path.name, _size_of(path))])
    return load_text(text, path.name)


def _size_of(path: Path) -> int:
    """The file's size for the message; more than the limit when it has none (a device, a pipe)."""
    try:
        return max(path.stat().st_size, MAX_DEFINITION_BYTES + 1)
    except OSError:
        return MAX_DEFINITION_BYTES + 1


def load_directory(directory: Path) -> dict[str, LoadedDefinition]:
    """Every *.yaml in the folder, checked; problems from all files are raised together."""
    loaded: dict[str, LoadedDefinition] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            item = load_file(path)
        except DefinitionError as error:
            problems.extend(error.problems)
            continue
        if item.definition.id in loaded:
            problems.append(f"{path.name}: id: {item.definition.id!r} is also the id of "
                            f"{loaded[item.definition.id].source}")
            continue
        loaded[item.definition.id] = item
    if problems:
        raise DefinitionError(problems)
    return loaded


def check_files(paths: Iterable[Path]) -> list[str]:
    problems: list[str] = []
    for path in paths:
        try:
            load_file(path)
        except DefinitionError as error:
            problems.extend(error.problems)
    return problems
