"""A questionnaire definition as immutable Python objects.

Built from a validated YAML document (see validation.py); pure data, no Flask or
database. The same classes serve every instrument: the departmental
self-assessment, the hallmark checklist, the peer benchmarking form and any a
council adds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

QUESTION_TYPES = ("yes_no", "single_choice", "scale", "multiple_choice", "text", "long_text", "number",
                  "percentage", "date")
CHOICE_TYPES = frozenset({"yes_no", "single_choice", "scale"})
NUMERIC_TYPES = frozenset({"number", "percentage"})
TEXT_TYPES = frozenset({"text", "long_text"})
KINDS = ("departmental", "partnership", "peer")

YES_NO_OPTIONS = (("yes", "Yes"), ("no", "No"))
NOT_APPLICABLE = "not_applicable"
NOT_APPLICABLE_LABEL = "Not applicable"

DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 5000}
FOLLOW_UP_MAX_LENGTH = 5000
DEFAULT_EVIDENCE_LABEL = "Evidence"
DEFAULT_ACTION_LABEL = "What you plan to do, and by when"

DEFAULT_DECLARATIONS = {
    "departmental": "I confirm that these answers are a fair account of my department's work and that the evidence "
                    "described can be produced if asked for.",
    "partnership": "I confirm that this checklist is a fair account of the partnership's arrangements.",
    "peer": "I confirm that these answers describe my partnership's arrangements as far as I know them.",
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    score: float | None = None
    hint: str = ""


@dataclass(frozen=True)
class FollowUp:
    """An extra text box with an answer: evidence, or a planned action."""

    mode: str  # off | optional | required
    required_for: frozenset[str] = frozenset()  # when set: required for these answers, optional otherwise
    label: str = ""
    hint: str = ""
    # When set, the box belongs to these answers only: a page with JavaScript reveals it once one of them is
    # chosen (and keeps it in view while it holds text). Without JavaScript every box is shown.
    shown_for: frozenset[str] = frozenset()

    @property
    def asked(self) -> bool:
        return self.mode != "off"

    def required_when(self, value: Any) -> bool:
        if self.mode == "required":
            return True
        if not self.required_for:
            return False
        values = value if isinstance(value, list) else [value]
        return any(v in self.required_for for v in values)

    @property
    def reveal_values(self) -> tuple[str, ...]:
        """The answers that reveal the box on the page, sorted; () when it is always shown."""
        return tuple(sorted(self.shown_for))


@dataclass(frozen=True)
class Condition:
    """show_if: a test on an earlier answer, or all/any of several."""

    question: str | None = None
    test: str = ""  # equals | not_equals | in | includes | answered
    operand: Any = None
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()

    def question_ids(self) -> Iterator[str]:
        if self.question:
            yield self.question
        for part in (*self.all_of, *self.any_of):
            yield from part.question_ids()


@dataclass(frozen=True)
class Target:
    """What good looks like. kind: value | min_score | min | max | includes | min_selected."""

    kind: str
    operand: Any


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    section_id: str
    hint: str = ""
    required: bool = True
    allow_not_applicable: bool = False
    options: tuple[Option, ...] = ()
    target: Target | None = None
    show_if: Condition | None = None
    evidence: FollowUp = field(default_factory=lambda: FollowUp("off"))
    action: FollowUp = field(default_factory=lambda: FollowUp("off"))
    tags: Mapping[str, Any] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str = ""
    max_length: int | None = None

    @property
    def choices(self) -> tuple[Option, ...]:
        """The options a respondent picks from (yes/no have fixed ones)."""
        if self.type == "yes_no":
            return tuple(Option(value, label) for value, label in YES_NO_OPTIONS)
        return self.options

    def option(self, value: str) -> Option | None:
        return next((o for o in self.choices if o.value == value), None)

    def label_for(self, value: Any) -> str:
        option = self.option(value) if isinstance(value, str) else None
        return option.label if option else str(value)

    @property
    def text_limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.type, 500)

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        if self.type == "percentage":
            return (0.0 if self.min is None else self.min, 100.0 if self.max is None else self.max)
        return self.min, self.max

    @property
    def scored(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    description: str = ""
    tags: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Definition:
    id: str
    version: int
    title: str
    kind: str
    sections: tuple[Section, ...]
    description: str = ""
    declaration: str = ""

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def question(self, question_id: str) -> Question | None:
        return self._index().get(question_id)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_of(self, question_id: str) -> Section | None:
        """The section a question is in (None for an id not in this definition)."""
        return next((s for s in self.sections if any(q.id == question_id for q in s.questions)), None)

    def _index(self) -> dict[str, Question]:
        cache = self.__dict__.get("_question_index")
        if cache is None:
            cache = {q.id: q for q in self.questions}
            object.__setattr__(self, "_question_index", cache)
        return cache

    @property
    def declaration_text(self) -> str:
        return self.declaration or DEFAULT_DECLARATIONS[self.kind]


# --------------------------------------------------------------------------- building from a document


def _follow_up(raw: Any) -> FollowUp:
    if raw is None:
        return FollowUp("off")
    if isinstance(raw, str):
        return FollowUp(raw)
    return FollowUp("optional", frozenset(raw.get("required_for", ())), raw.get("label", ""), raw.get("hint", ""),
                    frozenset(raw.get("shown_for", ())))


def _condition(raw: Mapping[str, Any]) -> Condition:
    if "all" in raw:
        return Condition(all_of=tuple(_condition(c) for c in raw["all"]))
    if "any" in raw:
        return Condition(any_of=tuple(_condition(c) for c in raw["any"]))
    test = next(k for k in raw if k != "question")
    return Condition(question=raw["question"], test=test, operand=raw[test])


def _target(raw: Any) -> Target | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return Target("value", raw)
    ((kind, operand),) = raw.items()
    return Target(kind, operand)


def build_definition(document: Mapping[str, Any]) -> Definition:
    """Turn a document that passed validation into a Definition."""
    sections = []
    for raw_section in document["sections"]:
        section_tags = dict(raw_section.get("tags") or {})
        questions = []
        for raw in raw_section["questions"]:
            options = tuple(Option(o["value"], o["label"], o.get("score"), o.get("hint", ""))
                            for o in raw.get("options", ()))
            questions.append(Question(
                id=raw["id"], type=raw["type"], text=raw["text"], section_id=raw_section["id"],
                hint=raw.get("hint", ""), required=raw.get("required", True),
                allow_not_applicable=raw.get("allow_not_applicable", False), options=options,
                target=_target(raw.get("target")),
                show_if=_condition(raw["show_if"]) if raw.get("show_if") else None,
                evidence=_follow_up(raw.get("evidence")), action=_follow_up(raw.get("action")),
                tags={**section_tags, **(raw.get("tags") or {})},
                min=raw.get("min"), max=raw.get("max"), integer=raw.get("integer", False), unit=raw.get("unit", ""),
                max_length=raw.get("max_length"),
            ))
        sections.append(Section(raw_section["id"], raw_section["title"], tuple(questions),
                                raw_section.get("description", ""), section_tags))
    return Definition(
        id=document["id"], version=document["version"], title=document["title"], kind=document["kind"],
        sections=tuple(sections), description=document.get("description", ""),
        declaration=document.get("declaration", ""),
    )
