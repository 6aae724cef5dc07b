"""Small hand-made definitions and returns whose scores are worked out by hand in the tests."""

from __future__ import annotations

from typing import Any

import pandas as pd

from app.analysis.frame import ANSWER_COLUMNS, RETURN_COLUMNS, score_returns
from app.questionnaires.definition import Definition, build_definition

DEPARTMENTAL = build_definition({
    "id": "mini", "version": 1, "title": "Mini", "kind": "departmental",
    "sections": [
        {"id": "s1", "title": "Theme one", "tags": {"theme": "t1"}, "questions": [
            {"id": "q1", "type": "yes_no", "text": "Q1?", "target": "yes", "tags": {"matter": "crime-and-disorder"}},
            {"id": "q2", "type": "single_choice", "text": "Q2?", "allow_not_applicable": True,
             "options": [{"value": "a", "label": "Always", "score": 1}, {"value": "b", "label": "Sometimes",
                                                                          "score": 0.5},
                         {"value": "c", "label": "Never", "score": 0}],
             "target": {"min_score": 1}, "tags": {"matter": ["substance-misuse", "crime-and-disorder"],
                                                  "statutory": True}},
            {"id": "q3", "type": "long_text", "text": "Tell us more."},
        ]},
        {"id": "s2", "title": "Theme two", "tags": {"theme": "t2"}, "questions": [
            {"id": "q4", "type": "yes_no", "text": "Q4?", "target": "yes"},
            {"id": "q5", "type": "yes_no", "text": "Q5?", "target": "yes",
             "show_if": {"question": "q4", "equals": "no"}},
        ]},
    ],
})

RATING = [{"value": "met", "label": "Met", "score": 1}, {"value": "partly_met", "label": "Partly met", "score": 0.5},
          {"value": "not_met", "label": "Not met", "score": 0}]


def _item(item_id: str, statutory: bool) -> dict[str, Any]:
    return {"id": item_id, "type": "single_choice", "text": f"Item {item_id}", "options": RATING, "target": "met",
            "allow_not_applicable": True, "tags": {"statutory": statutory}}


HALLMARKS = build_definition({
    "id": "marks", "version": 1, "title": "Marks", "kind": "partnership",
    "sections": [
        {"id": "h1", "title": "Hallmark 1", "tags": {"hallmark": 1}, "questions": [
            _item("h1a", True), _item("h1b", False)]},
        {"id": "h2", "title": "Hallmark 2", "tags": {"hallmark": 2}, "questions": [
            _item("h2a", True), _item("h2b", False), _item("h2c", False)]},
    ],
})

APPROACH_OPTIONS = [{"value": "in_place", "label": "In place"}, {"value": "planned", "label": "Planned"},
                    {"value": "not_done", "label": "Not done"}]
PEER = build_definition({
    "id": "peer", "version": 1, "title": "Peer", "kind": "peer",
    "sections": [{"id": "p", "title": "Approaches", "questions": [
        {"id": "approach-x", "type": "single_choice", "text": "Approach X", "options": APPROACH_OPTIONS,
         "required": False, "tags": {"approach": "x"}},
        {"id": "approach-y", "type": "single_choice", "text": "Approach Y", "options": APPROACH_OPTIONS,
         "required": False, "tags": {"approach": "y"}},
    ]}],
})


def department_return(assignment_id: int, department_id: int, name: str, *, snapshot_id: int = 1,
                      status: str = "submitted") -> dict[str, Any]:
    return {"assignment_id": assignment_id, "snapshot_id": snapshot_id, "respondent_type": "department",
            "department_id": department_id, "department": name, "peer_partnership_id": None, "peer": None,
            "is_own": False, "status": status}


def answer(assignment_id: int, question_id: str, value: Any = None, *, not_applicable: bool = False,
           evidence: str = "", action: str = "") -> dict[str, Any]:
    return {"assignment_id": assignment_id, "question_id": question_id, "value": value,
            "not_applicable": not_applicable, "evidence": evidence, "action": action,
            "updated_at": None, "updated_by": None}


def frame(returns: list[dict[str, Any]], answers: list[dict[str, Any]], definitions: dict[int, Definition],
          **kwargs: Any) -> pd.DataFrame:
    return score_returns(pd.DataFrame(returns, columns=RETURN_COLUMNS), pd.DataFrame(answers, columns=ANSWER_COLUMNS),
                         definitions, **kwargs)


def council() -> pd.DataFrame:
    """Three departments: Alpha strong, Beta weak, Cobalt not answered."""
    return frame(
        [department_return(1, 1, "Alpha"), department_return(2, 2, "Beta"),
         department_return(3, 3, "Cobalt", status="not_started")],
        [answer(1, "q1", "yes"), answer(1, "q2", "b", evidence="Minutes of March"), answer(1, "q4", "yes"),
         answer(1, "q5", "no"),  # hidden: q4 is yes, so this stale answer is ignored
         answer(2, "q1", "no"), answer(2, "q2", not_applicable=True), answer(2, "q4", "no")],
        {1: DEPARTMENTAL},
    )
