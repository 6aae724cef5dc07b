"""Search across cycles: answers, evidence files and the words inside them, comments, actions and notes.

Who sees what is decided in the query, before the limit, by the same rules as the
pages: community safety officers and auditors everything (reviewers' draft comments
too); a lead officer only their own departments' returns, only comments shared with
them, and only actions they may read. Results are grouped by return (actions by
their department's action plan), best first, each hit with the words around it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, Select, String, cast, func, literal, or_, select

from app.extensions import db
from app.models import Action, ActionNote, Answer, AnswerComment, Assignment, Cycle, Department, EvidenceFile, User
from app.questionnaires.registry import definition_from_snapshot
from app.search.engine import backend, words_of
from app.security.access import Permission, can

PER_KIND = 60  # rows of each kind considered, best first
GROUPS_SHOWN = 50


@dataclass(frozen=True)
class Scope:
    cycle_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class Hit:
    kind: str  # answer | file | comment | action | note
    label: str
    snippet: str
    link: str
    rank: float


@dataclass
class Group:
    key: tuple[str, int]
    title: str
    cycle: str
    link: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(hit.rank for hit in self.hits)


@dataclass
class Results:
    query: str
    words: list[str]
    groups: list[Group]

    @property
    def hit_count(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def _sees_everything(user: Any) -> bool:
    return can(user, Permission.VIEW_ALL_RETURNS)


def _own_departments(user: Any) -> list[int]:
    return [d.id for d in getattr(user, "departments", [])]


def _return_filter(statement: Select, user: Any, scope: Scope) -> Select:
    if scope.cycle_id is not None:
        statement = statement.where(Assignment.cycle_id == scope.cycle_id)
    if scope.department_id is not None:
        statement = statement.where(Assignment.department_id == scope.department_id)
    if not _sees_everything(user):
        statement = statement.where(Assignment.respondent_type == "department",
                                    Assignment.department_id.in_(_own_departments(user) or [-1]))
    return statement


def _action_filter(statement: Select, user: Any, scope: Scope) -> Select:
    if scope.cycle_id is not None:
        statement = statement.where(Action.cycle_id == scope.cycle_id)
    if scope.department_id is not None:
        statement = statement.where(Action.department_id == scope.department_id)
    if not _sees_everything(user):
        statement = statement.where(or_(Action.department_id.in_(_own_departments(user) or [-1]),
                                        Action.owner_id == getattr(user, "id", -1)))
    return statement


@dataclass(frozen=True)
class Kind:
    """One searchable table: its text, how its rows reach a return or an action, and who may see them."""

    name: str
    model: Any
    text: Callable[[str], ColumnElement]  # given the dialect
    select_extra: Callable[[], list]  # columns the page needs
    join: Callable[[Select], Select]
    scope: Callable[[Select, Any, Scope], Select]
    extra_filter: Callable[[Select, Any], Select] = lambda statement, user: statement


def _value_text(dialect: str) -> ColumnElement:
    return func.coalesce(cast(Answer.value, String), "") if dialect == "postgresql" else func.coalesce(Answer.value, "")


KINDS = [
    Kind("answer", Answer,
         lambda d: func.coalesce(Answer.evidence, "") + " " + func.coalesce(Answer.action, "") + " " + _value_text(d),
         lambda: [Answer.question_id, Assignment.id, Assignment.snapshot_id],
         lambda s: s.join(Assignment, Assignment.id == Answer.assignment_id), _return_filter),
    Kind("file", EvidenceFile,
         lambda d: EvidenceFile.file_name + " " + func.coalesce(EvidenceFile.text, ""),
         lambda: [EvidenceFile.question_id, EvidenceFile.file_name, Assignment.id, Assignment.snapshot_id],
         lambda s: s.join(Assignment, Assignment.id == EvidenceFile.assignment_id), _return_filter,
         # Said outright, not left to the join: the database then ranks only the answers' files.
         lambda s, user: s.where(EvidenceFile.assignment_id.is_not(None))),
    Kind("comment", AnswerComment, lambda d: AnswerComment.body,
         lambda: [AnswerComment.question_id, AnswerComment.author_role, Assignment.id, Assignment.snapshot_id],
         lambda s: s.join(Assignment, Assignment.id == AnswerComment.assignment_id), _return_filter,
         lambda s, user: s if _sees_everything(user) else s.where(AnswerComment.shared_at.is_not(None))),
    Kind("action", Action, lambda d: Action.title + " " + func.coalesce(Action.done_looks_like, ""),
         lambda: [Action.id, Action.title, literal(None).label("note_id")],
         lambda s: s, _action_filter),
    Kind("note", ActionNote, lambda d: ActionNote.text,
         lambda: [Action.id, Action.title, ActionNote.id],
         lambda s: s.join(Action, Action.id == ActionNote.action_id), _action_filter),
    Kind("note-file", EvidenceFile,
         lambda d: EvidenceFile.file_name + " " + func.coalesce(EvidenceFile.text, ""),
         lambda: [Action.id, Action.title, EvidenceFile.file_name],
         lambda s: s.join(ActionNote, ActionNote.id == EvidenceFile.action_note_id)
         .join(Action, Action.id == ActionNote.action_id), _action_filter,
         lambda s, user: s.where(EvidenceFile.action_note_id.is_not(None))),  # never ranks the answers' files
]


def _rows(kind: Kind, user: Any, query: str, scope: Scope) -> list[Any]:
    engine = backend(db.engine.dialect.name)
    source = kind.model.__table__
    rank = engine.rank(source, query).label("rank")
    statement = (select(source.c.id, rank, *kind.select_extra()).select_from(engine.base(source))
                 .where(engine.condition(source, query)))
    statement = kind.extra_filter(kind.scope(kind.join(statement), user, scope), user)
    return list(db.session.execute(statement.order_by(rank).limit(PER_KIND)))


def _snippets(kind: Kind, query: str, ids: list[int]) -> dict[int, str]:
    engine = backend(db.engine.dialect.name)
    return engine.snippets(db.session, kind.model.__table__, kind.text(engine.name), query, ids)


class _Questions:
    """Question texts by snapshot, read once per search."""

    def __init__(self) -> None:
        self._by_snapshot: dict[int, Any] = {}

    def text(self, snapshot_id: int, question_id: str) -> str:
        if snapshot_id not in self._by_snapshot:
            from app.models import QuestionnaireSnapshot

            self._by_snapshot[snapshot_id] = definition_from_snapshot(db.session.get(QuestionnaireSnapshot,
                                                                                     snapshot_id))
        question = self._by_snapshot[snapshot_id].question(question_id)
        return question.text if question else question_id


def _return_link(user: Any, assignment_id: int, question_id: str | None = None) -> str:
    anchor = f"#answer-{question_id}" if question_id else ""
    if _sees_everything(user):
        return url_for("review.detail", assignment_id=assignment_id) + anchor
    return url_for("respond.task_list", assignment_id=assignment_id)


def search(user: Any, query: str, scope: Scope = Scope()) -> Results:
    """Every group of hits this person may see for these words, best first (at most GROUPS_SHOWN groups)."""
    words = words_of(query)
    if not words:
        return Results(query, [], [])
    groups: dict[tuple[str, int], Group] = {}
    questions = _Questions()
    returns: dict[int, tuple[str, str]] = {}
    actions: dict[int, tuple[str, str, int | None]] = {}
    for kind in KINDS:
        rows = _rows(kind, user, query, scope)
        snippets = _snippets(kind, query, [row[0] for row in rows])
        for row in rows:
            object_id, rank = row[0], float(row[1] or 0)
            snippet = snippets.get(object_id, "")
            if kind.name in ("answer", "file", "comment"):
                question_id, assignment_id, snapshot_id = row[2], row[-2], row[-1]
                question = questions.text(snapshot_id, question_id) if question_id else ""
                label = {"answer": f"Answer to \u2018{question}\u2019",
                         "file": f"File {row[3]}, evidence for \u2018{question}\u2019",
                         "comment": f"{'Reviewer' if row[3] == 'reviewer' else 'Lead officer'}\u2019s comment on "
                                    f"\u2018{question}\u2019"}[kind.name]
                link = (url_for("evidence.download", file_id=object_id) if kind.name == "file"
                        else _return_link(user, assignment_id, question_id))
                key = ("return", assignment_id)
                if key not in groups:
                    returns.setdefault(assignment_id, ("", ""))
                    groups[key] = Group(key, "", "", _return_link(user, assignment_id))
            else:
                action_id, title = row[2], row[3]
                label = {"action": f"Action \u2018{title}\u2019", "note": f"Progress note on \u2018{title}\u2019",
                         "note-file": f"File {row[4]}, on a progress note of \u2018{title}\u2019"}[kind.name]
                link = (url_for("evidence.download", file_id=object_id) if kind.name == "note-file"
                        else url_for("actions.detail", action_id=action_id))
                key = ("action", action_id)
                if key not in groups:
                    actions.setdefault(action_id, ("", "", None))
                    groups[key] = Group(key, "", "", url_for("actions.detail", action_id=action_id))
            groups[key].hits.append(Hit(kind.name, label, snippet, link, rank))
    _name_groups(groups, returns, actions)
    ordered = sorted(groups.values(), key=lambda g: (g.best, g.title))
    for group in ordered:
        group.hits.sort(key=lambda h: h.rank)
    return Results(query, words, ordered[:GROUPS_SHOWN])


def _name_groups(groups: dict[tuple[str, int], Group], returns: dict, actions: dict) -> None:
    """Who each group is about and in which cycle, in two queries."""
    if returns:
        for assignment in db.session.scalars(select(Assignment).where(Assignment.id.in_(list(returns)))):
            group = groups[("return", assignment.id)]
            group.title, group.cycle = assignment.respondent_name, assignment.cycle.name
    if actions:
        rows = db.session.execute(select(Action.id, Department.name, Cycle.name).join(Cycle, Cycle.id == Action.cycle_id)
                                  .outerjoin(Department, Department.id == Action.department_id)
                                  .where(Action.id.in_(list(actions))))
        for action_id, department, cycle in rows:
            group = groups[("action", action_id)]
            group.title, group.cycle = f"Action plan: {department or 'the partnership'}", cycle


def search_choices(user: User) -> tuple[list[Cycle], list[Department]]:
    """The cycles and departments the filters offer this person."""
    cycles = list(db.session.scalars(select(Cycle).where(Cycle.status != "draft").order_by(Cycle.created_at.desc())))
    if _sees_everything(user):
        departments = list(db.session.scalars(select(Department).order_by(Department.name)))
    else:
        departments = sorted(getattr(user, "departments", []), key=lambda d: d.name)
    return cycles, departments
