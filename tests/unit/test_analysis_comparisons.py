"""Hallmark compliance, peer approaches, cycle comparison and action progress, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from app.analysis.actions import ActionFacts, action_progress, is_overdue
from app.analysis.approaches import approach_matrix
from app.analysis.comparison import change_counts, gap_changes, score_changes
from app.analysis.compliance import checklist_compliance
from app.analysis.rules import RagBands
from tests.unit.analysis_fixtures import DEPARTMENTAL, HALLMARKS, PEER, answer, department_return, frame


def checklist(*answers):
    partnership = {**department_return(9, None, None), "respondent_type": "partnership"}
    return frame([partnership], list(answers), {1: HALLMARKS})


def test_hallmark_compliance_counts_unanswered_as_not_met_and_leaves_out_not_applicable():
    [summary] = checklist_compliance(checklist(
        answer(9, "h1a", "met", evidence="Terms of reference"), answer(9, "h1b", "partly_met"),
        answer(9, "h2a", "not_met", action="Agree a protocol by June"), answer(9, "h2b", not_applicable=True),
    ))
    assert summary.overall.sentence == "1 of 4 met (25%)"
    assert (summary.overall.partly_met, summary.overall.not_met, summary.overall.unanswered) == (1, 1, 1)
    assert summary.statutory.sentence == "1 of 2 met (50%)"
    assert summary.suggested.sentence == "0 of 2 met (0%)"  # h1b partly met, h2c unanswered; h2b n/a
    assert [(c.label, c.met, c.applicable) for c in summary.by_group] == [
        ("Hallmark 1: Empowered and effective leadership", 1, 2),
        ("Hallmark 2: Visible and constructive accountability", 0, 2)]
    assert list(summary.not_met["question_id"]) == ["h1b", "h2a"]
    assert summary.not_met.set_index("question_id").at["h2a", "action"] == "Agree a protocol by June"
    assert list(summary.unanswered["question_id"]) == ["h2c"]


def test_hallmark_compliance_when_nothing_applies():
    [summary] = checklist_compliance(checklist(*(answer(9, q, not_applicable=True)
                                                 for q in ("h1a", "h1b", "h2a", "h2b", "h2c"))))
    assert summary.overall.sentence == "No items apply"
    assert summary.overall.percent is None


def peer_return(assignment_id, name, *, own=False):
    return {"assignment_id": assignment_id, "snapshot_id": 1, "respondent_type": "peer", "department_id": None,
            "department": None, "peer_partnership_id": assignment_id, "peer": name, "is_own": own,
            "status": "submitted"}


def test_approach_matrix_and_what_most_peers_do_that_we_do_not():
    matrix = approach_matrix(frame(
        [peer_return(1, "Peterby"), peer_return(2, "Ashford"), peer_return(3, "Calder"),
         peer_return(4, "Ourtown", own=True)],
        [answer(1, "approach-x", "in_place"), answer(1, "approach-y", "planned"), answer(2, "approach-x", "in_place"),
         answer(4, "approach-x", "not_done"), answer(4, "approach-y", "in_place")],
        {1: PEER},
    ))
    assert matrix.peers == ["Ashford", "Calder", "Peterby"]
    assert matrix.own == "Ourtown"
    x, y = matrix.rows
    assert (x.approach, x.ours, x.peers_in_place, x.peers, x.most_peers) == ("x", "not_done", 2, 3, True)
    assert x.by_peer == {"Ashford": "in_place", "Calder": "", "Peterby": "in_place"}
    assert (y.ours, y.peers_in_place, y.most_peers) == ("in_place", 0, False)
    assert [r.approach for r in matrix.used_by_peers_not_us()] == ["x"]


def test_approach_matrix_without_our_own_return():
    matrix = approach_matrix(frame([peer_return(1, "Peterby")], [answer(1, "approach-y", "in_place")], {1: PEER}))
    assert matrix.own is None
    assert [r.approach for r in matrix.used_by_peers_not_us()] == ["y"]
    assert matrix.rows[1].most_peers  # 1 of 1


def two_cycles(**kwargs):
    departments = [department_return(1, 1, "Alpha"), department_return(2, 2, "Beta"),
                   department_return(3, 3, "Cobalt")]
    earlier = frame(departments, [
        answer(1, "q1", "no"), answer(1, "q2", "a"), answer(1, "q4", "yes"),
        answer(2, "q1", "no"), answer(2, "q2", "b"), answer(2, "q4", "no"), answer(2, "q5", "yes"),
        answer(3, "q1", "no"),
    ], {1: DEPARTMENTAL}, **kwargs)
    later = frame(departments[:2], [
        answer(1, "q1", "yes"), answer(1, "q2", "b"), answer(1, "q4", "yes"),
        answer(2, "q1", "no"), answer(2, "q2", "c"), answer(2, "q4", "no"),
    ], {1: DEPARTMENTAL}, **kwargs)
    return earlier, later


def test_each_gap_is_new_closed_persisting_or_worse():
    changes = gap_changes(*two_cycles())
    got = {(row.department, row.question_id): row.change for row in changes.itertuples()}
    assert got == {
        ("Alpha", "q1"): "closed",
        ("Alpha", "q2"): "new",
        ("Beta", "q1"): "persisting",
        ("Beta", "q2"): "worse",  # Sometimes (0.5) to Never (0)
        ("Beta", "q4"): "persisting",
        ("Beta", "q5"): "new",  # was met, now unanswered
    }  # Cobalt left: its gaps are neither closed nor counted
    assert change_counts(changes) == {"new": 2, "closed": 1, "persisting": 2, "worse": 1}
    beta_q2 = changes[(changes["department"] == "Beta") & (changes["question_id"] == "q2")].iloc[0]
    assert (beta_q2["answer_before"], beta_q2["answer_after"]) == ("Sometimes", "Never")


def test_score_change_by_department_and_theme():
    earlier, later = two_cycles()
    departments = score_changes(earlier, later, "department", RagBands()).set_index("department")
    assert departments.at["Alpha", "score_before"] == pytest.approx(2 / 3)
    assert departments.at["Alpha", "score_after"] == pytest.approx(2.5 / 3)
    assert departments.at["Alpha", "points"] == pytest.approx(100 / 6)
    assert departments.at["Beta", "points"] == pytest.approx((0 - 1.5 / 4) * 100)
    assert departments.at["Cobalt", "score_before"] == 0 and departments["score_after"].isna()["Cobalt"]
    themes = score_changes(earlier, later, "theme", RagBands()).set_index("theme")
    assert themes.at["t2", "score_before"] == pytest.approx(2 / 3)  # Alpha q4 yes, Beta q4 no, Beta q5 yes
    assert themes.at["t2", "score_after"] == pytest.approx(0.5)


def test_action_progress_overall_by_department_and_overdue():
    today = date(2026, 11, 23)
    actions = [
        ActionFacts("done", date(2026, 10, 1), "Housing"),
        ActionFacts("in_progress", date(2026, 11, 22), "Housing"),  # overdue
        ActionFacts("not_started", date(2026, 11, 23), "Planning"),  # due today: not overdue
        ActionFacts("dropped", date(2026, 1, 1), "Planning"),  # dropped: never overdue, not counted in %
        ActionFacts("done", date(2026, 12, 1), None),
    ]
    total, by_department = action_progress(actions, today)
    assert total.sentence == "5 actions, 2 done (50%)"
    assert total.overdue == 1
    assert [(p.label, p.total, p.done, p.overdue) for p in by_department] == [
        ("Housing", 2, 1, 1), ("Planning", 2, 0, 0), ("The partnership", 1, 1, 0)]
    assert by_department[1].sentence == "2 actions, 0 done (0%)"
    assert not is_overdue("done", date(2020, 1, 1), today)
    assert action_progress([], today)[0].sentence == "0 actions, none still wanted"


def test_answers_changed_between_cycles_per_department():
    from app.analysis.comparison import answer_changes

    earlier, later = two_cycles()
    got = answer_changes(earlier, later).set_index("department")
    assert list(got.index) == ["Alpha", "Beta"]  # Cobalt answered only the earlier cycle
    assert (got.at["Alpha", "same"], got.at["Alpha", "changed"]) == (1, 2)  # q1 no to yes, q2 a to b; q4 the same
    assert (got.at["Beta", "same"], got.at["Beta", "changed"]) == (2, 2)  # q2 b to c, q5 yes to no answer
    assert (got["new_questions"] == 0).all()


def test_answers_changed_with_nothing_to_compare_is_empty():
    from app.analysis.comparison import answer_changes

    earlier, later = two_cycles()
    assert answer_changes(earlier.iloc[0:0], later).empty


def test_one_departments_changed_answers_show_both_answers_in_order_and_leave_out_the_same():
    from app.analysis.comparison import department_answer_changes

    earlier, later = two_cycles(all_labels=True)  # met answers carry their words too
    beta = department_answer_changes(earlier, later, 2)
    assert list(beta["question_id"]) == ["q2", "q5"]  # q1 and q4 were answered the same
    assert list(zip(beta["answer_before"], beta["answer_after"], strict=True)) == [("Sometimes", "Never"),
                                                                                  ("Yes", "Not answered")]
    assert not beta["new_questions"].any()
    assert department_answer_changes(earlier, later, 3).empty  # Cobalt was not asked in the later cycle
    assert department_answer_changes(earlier.iloc[0:0], later, 2).empty
