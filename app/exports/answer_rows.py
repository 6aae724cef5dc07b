"""The answers, in one pass: every stored answer scored once, written as a Responses row (and a Gaps row
when it is a gap), with only the counts the Summary and Matrix need kept in memory."""

from __future__ import annotations

import math
import os
import tempfile
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import IO, Any, NamedTuple

from app.analysis.frame import MATTER_LABELS, Judge, question_catalogue, visible_in
from app.exports.model import ActionInfo, CycleExport, Progress, ReturnInfo, StoredReturn
from app.exports.sheets import (
    RagBands,
    Table,
)
from app.exports.workbook_columns import (
    GAP,
    HIDDEN,
    IN_SCOPE,
    MET,
    NOT_APPLICABLE,
    OUTCOME_WORDS,
    PROGRESS_EVERY,
    UNANSWERED,
)
from app.questionnaires.definition import Definition, Question


def theme_names(definition: Definition) -> dict[str, str]:
    """Each theme with the title of the first section that carries it."""
    names: dict[str, str] = {}
    for entry in question_catalogue(definition):
        if entry["theme"] and entry["theme"] not in names:
            names[entry["theme"]] = entry["section"]
    return names


@dataclass
class Tally:
    """What the Summary says of one return, counted as its rows are written."""

    questions: int = 0
    answered: int = 0
    met: int = 0
    gaps: int = 0
    unanswered: int = 0
    not_applicable: int = 0
    gaps_checked: int = 0  # gaps whose evidence a reviewer checked
    met_checked: int = 0
    scores: Counter[float] = field(default_factory=Counter)  # score -> how many: an exact, order-free mean

    def add(self, outcome: str, score: float, is_gap: bool, checked: bool = False) -> None:
        if outcome in IN_SCOPE:
            self.questions += 1
        if outcome == MET or outcome == GAP:
            self.answered += 1
            self.scores[score] += 1
        self.met += outcome == MET
        self.gaps += is_gap
        self.unanswered += outcome == UNANSWERED
        self.not_applicable += outcome == NOT_APPLICABLE
        if checked:
            self.gaps_checked += outcome == GAP
            self.met_checked += outcome == MET

    @property
    def score(self) -> float | None:
        if not self.answered:
            return None
        return math.fsum(value * count for value, count in self.scores.items()) / self.answered

    @property
    def coverage(self) -> float | None:
        """Answered of asked: how much of the return the score stands on."""
        return self.answered / self.questions if self.questions else None

    def add_tally(self, other: Tally) -> None:
        """Pool another return's counts into this one (a council-wide figure: every answer weighs the same)."""
        for name in ("questions", "answered", "met", "gaps", "unanswered", "not_applicable", "gaps_checked",
                     "met_checked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.scores.update(other.scores)


def band_word(score: float | None, bands: RagBands, *, provisional: bool = False) -> str:
    """The band in words; a return not yet submitted has a provisional one, as its answers may still change."""
    if score is None:
        return ""
    word = "Green" if score >= bands.green else "Amber" if score >= bands.amber else "Red"
    return f"{word} (provisional)" if provisional else word


class _QuestionRows:
    """The repeated, per-question part of a Responses row, made once per question."""

    def __init__(self, definition: Definition) -> None:
        themes = theme_names(definition)
        self.entries: list[tuple[Question, tuple[Any, ...], bool]] = []
        for question, entry in zip(definition.questions, question_catalogue(definition), strict=True):
            matters = set(entry["matter"])
            self.entries.append((question, (
                definition.id, definition.version, entry["section"], themes.get(entry["theme"], ""),
                "Yes" if entry["statutory"] else "No", *("Yes" if key in matters else "No" for key in MATTER_LABELS),
                question.id, question.text), bool(entry["statutory"])))
        self.targets = [entry["target"] for entry in question_catalogue(definition)]


# --------------------------------------------------------------------------- the answers, in one pass


SHARED_UP_TO = 100  # characters: a label this short (an option, a number, a percentage) is kept once
SHARED_AT_MOST = 5_000  # distinct labels kept in memory; any more, and longer ones, wait in a temporary file


class MatrixLabels:
    """The Matrix's labels, each cell as one small number, so that memory does not grow with the answers.

    The Matrix lists questions down and departments across, so it can only be written
    once every return has been read, and each departmental answer's label waits until
    then. Most labels are a few option words, shared by thousands of cells; but free
    text, numbers and percentages come as a new string for every answer, and holding
    those made the export's memory grow by about 8 MB per 100,000 answers. So each cell
    holds a code (4 bytes in an array): 0 is no label, a positive code is a label kept
    once in memory (short ones, up to SHARED_AT_MOST of them), and a negative code is
    a label written to a temporary file, read back when its cell is written.
    """

    def __init__(self) -> None:
        self._codes: dict[str, int] = {"": 0}
        self._texts: list[str] = [""]
        self._file: IO[bytes] | None = None
        self._starts = array("q")  # where each label in the file starts, and its length in bytes
        self._sizes = array("i")
        self._end = 0

    def code(self, label: str) -> int:
        code = self._codes.get(label)
        if code is not None:
            return code
        if len(label) <= SHARED_UP_TO and len(self._texts) < SHARED_AT_MOST:
            code = self._codes[label] = len(self._texts)
            self._texts.append(label)
            return code
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        data = label.encode("utf-8")
        self._file.write(data)
        self._starts.append(self._end)
        self._sizes.append(len(data))
        self._end += len(data)
        return -len(self._starts)

    def text(self, code: int) -> str:
        if code >= 0:
            return self._texts[code]
        assert self._file is not None
        index = -code - 1
        self._file.flush()
        return os.pread(self._file.fileno(), self._sizes[index], self._starts[index]).decode("utf-8")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass
class MatrixData:
    """Departmental answers by question and department, each cell a label's code (see MatrixLabels)."""

    columns: list[str] = field(default_factory=list)  # department names, in order
    # snapshot id -> question id -> one code per department column (appended as departments come; 0 = no label)
    cells: dict[int, dict[str, array[int]]] = field(default_factory=lambda: defaultdict(dict))
    labels: MatrixLabels = field(default_factory=MatrixLabels)

    def add(self, by_question: dict[str, array[int]], question_id: str, column: int, label: str) -> None:
        """One department's label for one question, in the department's column."""
        codes = by_question.get(question_id)
        if codes is None:
            codes = by_question[question_id] = array("i")
        if len(codes) < column:
            codes.extend(repeat(0, column - len(codes)))
        codes.append(self.labels.code(label))


KIND_WORDS = {"department": "Department", "partnership": "Partnership", "peer": "Peer"}


class ScoredAnswer(NamedTuple):
    """One question of one return, judged: what every answer-level sheet is made from.

    A named tuple, not a dataclass: one is made per answer, and a tuple is the cheapest to make.
    """

    stored: StoredReturn
    question: Question
    # questionnaire, version, section, theme, statutory, the four matters (yes or no), question id, question
    fixed: tuple[Any, ...]
    statutory: bool
    target: str
    raw: Any  # the stored answer, or None
    outcome: str
    score: float
    is_gap: bool
    label: str

    def detail(self, index: int, missing: Any = "") -> Any:
        raw = self.raw
        return raw[index] if raw is not None and len(raw) > index else missing

    @property
    def stored_value(self) -> Any:
        """The answer as stored, beside its words: a number stays a number, options are their values."""
        raw = self.raw
        if raw is None or raw[1]:  # no answer, or not applicable (said in the Answer column)
            return None
        value = raw[0]
        if isinstance(value, list):
            return "; ".join(str(item) for item in value)
        return value


def scored_answers(data: CycleExport) -> Iterator[ScoredAnswer]:
    """Every question of every return, in order, with its verdict (each distinct answer judged once)."""
    judge = Judge(all_labels=True)
    per_definition: dict[int, _QuestionRows] = {}
    for stored in data.returns:
        info = stored.info
        definition = data.definitions[info.snapshot_id]
        rows = per_definition.get(info.snapshot_id)
        if rows is None:
            rows = per_definition[info.snapshot_id] = _QuestionRows(definition)
        answers = stored.answers
        visible = visible_in(definition, answers)
        for (question, fixed, statutory), target in zip(rows.entries, rows.targets, strict=True):
            raw = answers.get(question.id)
            outcome, score, is_gap, label = judge(id(question), question, visible is None or question.id in visible,
                                                  raw)
            yield ScoredAnswer(stored, question, fixed, statutory, target, raw, outcome, score, is_gap, label)


def response_row(answer: ScoredAnswer) -> tuple[Any, ...]:
    """A Responses row, in RESPONSES_COLUMNS order."""
    info = answer.stored.info
    check = answer.stored.checks.get(answer.question.id) if answer.stored.checks else None
    fixed = answer.fixed
    answered_by = (answer.detail(5) or info.answered_by) if answer.raw is not None else ""
    return (info.assignment_id, answer.detail(6, None), KIND_WORDS[info.respondent_type], info.respondent,
            info.department_code, *fixed, answer.label, answer.stored_value, answer.score, answer.target,
            "Yes" if answer.is_gap else "No", OUTCOME_WORDS[answer.outcome],
            answer.detail(2), answer.detail(3), info.status, answered_by, answer.detail(4, None),
            check.checked_by if check else "", check.checked_at if check else None)


def response_rows(data: CycleExport) -> Iterator[tuple[Any, ...]]:
    return (response_row(answer) for answer in scored_answers(data))


def write_answers(data: CycleExport, responses: Table, gaps: Table, progress: Progress | None
                   ) -> tuple[list[tuple[ReturnInfo, Tally]], MatrixData]:
    """Responses and Gaps, row by row; the counts for the Summary and the labels for the Matrix on the way."""
    tallies: list[tuple[ReturnInfo, Tally]] = []  # not the returns: they hold every answer
    matrix = MatrixData()
    current: StoredReturn | None = None
    tally = Tally()
    cells_by_question: dict[str, array[int]] | None = None
    column = 0
    planned: dict[tuple[int | None, str], ActionInfo] = {}  # a gap's action: the first due, if several
    for action in data.actions:
        if action.question_id:
            planned.setdefault((action.return_id, action.question_id), action)

    def close_return() -> None:
        if current is not None:
            tallies.append((current.info, tally))
            if progress is not None and (len(tallies) % PROGRESS_EVERY == 0 or len(tallies) == data.return_count):
                progress(len(tallies), data.return_count)

    for answer in scored_answers(data):
        if answer.stored is not current:
            close_return()
            current, tally = answer.stored, Tally()
            info = current.info
            cells_by_question = None
            if info.respondent_type == "department" and data.definitions[info.snapshot_id].kind == "departmental":
                column = len(matrix.columns)
                matrix.columns.append(info.respondent)
                cells_by_question = matrix.cells[info.snapshot_id]
        checks = answer.stored.checks
        tally.add(answer.outcome, answer.score, answer.is_gap, bool(checks) and answer.question.id in checks)
        responses.write_row(response_row(answer))
        if answer.is_gap:
            info = answer.stored.info
            action = planned.get((info.assignment_id, answer.question.id))
            gaps.write_row((info.assignment_id, answer.detail(6, None), info.respondent, info.department_code,
                            *answer.fixed[3:9], answer.question.id, answer.question.text,
                            answer.label if answer.outcome != UNANSWERED else "Not answered",
                            answer.stored_value, answer.score, answer.target, answer.detail(2), info.status,
                            action.action_id if action else None, action.status if action else "",
                            action.due_date if action else None))
        if cells_by_question is not None:
            matrix.add(cells_by_question, answer.question.id, column, answer.label if answer.outcome != HIDDEN else "")
    close_return()
    return tallies, matrix
