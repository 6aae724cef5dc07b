"""Compliance with any partnership checklist, worked out by hand; and how the importer finds an item's hallmark.

The checklists here are small enough to count on one's fingers: a council's own list
with no hallmarks (counted by section), one whose sections are spread over hallmarks,
one half and half, and two checklists in one cycle, which must stay apart.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.analysis.compliance import BY_BOTH, BY_HALLMARK, BY_SECTION, checklist_compliance
from app.analysis.hallmarks import find_hallmark, hallmark_label
from app.questionnaires.definition import build_definition
from app.questionnaires.importing import ImportFailed, checklist_definition, read_sheet
from tests.unit.analysis_fixtures import HALLMARKS, RATING, answer, department_return, frame


def item(item_id: str, *, statutory: bool = False, hallmark: int | None = None) -> dict[str, Any]:
    tags: dict[str, Any] = {"statutory": statutory}
    if hallmark is not None:
        tags["hallmark"] = hallmark
    return {"id": item_id, "type": "single_choice", "text": f"Item {item_id}", "options": RATING, "target": "met",
            "allow_not_applicable": True, "tags": tags}


# A council's own list, as the importer makes it: no hallmark tags, three sections.
OWN_LIST = build_definition({
    "id": "own-list", "version": 1, "title": "Our scrutiny recommendations", "kind": "partnership",
    "sections": [
        {"id": "governance", "title": "Governance", "questions": [
            item("g1", statutory=True), item("g2", statutory=True), item("g3")]},
        {"id": "information", "title": "Information", "questions": [
            item("i1", statutory=True), item("i2"),
            {"id": "i-notes", "type": "long_text", "text": "Anything else?", "required": False}]},  # not scored
        {"id": "communities", "title": "Communities", "questions": [
            item("c1"), item("c2"),
            {**item("c3"), "show_if": {"question": "c2", "equals": "not_met"}}]},  # hidden unless c2 is not met
    ],
})


def partnership(assignment_id: int = 9, snapshot_id: int = 1, status: str = "in_progress") -> dict[str, Any]:
    return {**department_return(assignment_id, None, None, snapshot_id=snapshot_id, status=status),
            "respondent_type": "partnership"}


def own_list_answers(assignment_id: int = 9) -> list[dict[str, Any]]:
    return [
        answer(assignment_id, "g1", "met", evidence="Minutes"), answer(assignment_id, "g2", "not_met",
                                                                        action="Agree by June"),
        answer(assignment_id, "g3", "met", evidence="Plan"),
        answer(assignment_id, "i1", not_applicable=True), answer(assignment_id, "i2", "partly_met"),
        answer(assignment_id, "i-notes", "Nothing to add"),
        answer(assignment_id, "c1", "met", evidence="Survey"),
        # c2 unanswered, so c3 stays hidden and is not an item of this return
    ]


def test_a_checklist_without_hallmarks_is_counted_by_section_with_statutory_and_suggested_apart():
    [checklist] = checklist_compliance(frame([partnership()], own_list_answers(), {1: OWN_LIST}),
                                       {"own-list": "Our scrutiny recommendations"})
    assert checklist.title == "Our scrutiny recommendations" and checklist.status == "in_progress"
    assert checklist.grouped_by == BY_SECTION and not checklist.by_hallmark and not checklist.mentions_hallmarks
    # 7 items (the free-text box and the hidden c3 are not items); i1 is not applicable: 3 of 6 met.
    assert checklist.overall.sentence == "3 of 6 met (50%)"
    assert (checklist.overall.partly_met, checklist.overall.not_met, checklist.overall.unanswered,
            checklist.overall.not_applicable) == (1, 1, 1, 1)
    assert checklist.statutory.sentence == "1 of 2 met (50%)"  # g1 met, g2 not met; i1 not applicable
    assert checklist.suggested.sentence == "2 of 4 met (50%)"  # g3, c1 met; i2 partly met; c2 unanswered
    assert [(g.label, g.hallmark, g.overall.sentence, g.statutory.sentence, g.suggested.sentence)
            for g in checklist.groups] == [
        ("Governance", None, "2 of 3 met (67%)", "1 of 2 met (50%)", "1 of 1 met (100%)"),
        ("Information", None, "0 of 1 met (0%)", "No items apply", "0 of 1 met (0%)"),
        ("Communities", None, "1 of 2 met (50%)", "No items", "1 of 2 met (50%)"),
    ]
    assert list(checklist.not_met["question_id"]) == ["g2", "i2"]
    assert list(checklist.not_met["group"]) == ["Governance", "Information"]
    assert list(checklist.unanswered["question_id"]) == ["c2"]
    assert [c.label for c in checklist.rows] == ["All items", "Governance", "Information", "Communities",
                                                 "Statutory requirements", "Suggested practice"]


def test_items_tagged_with_hallmarks_are_grouped_by_hallmark_whatever_their_sections():
    spread = build_definition({
        "id": "spread", "version": 1, "title": "Spread", "kind": "partnership",
        "sections": [
            {"id": "a", "title": "Our board", "questions": [item("a1", hallmark=1, statutory=True),
                                                            item("a2", hallmark=3)]},
            {"id": "b", "title": "Our data", "questions": [item("b1", hallmark=3), item("b2", hallmark=1)]},
        ],
    })
    [checklist] = checklist_compliance(frame([partnership()], [
        answer(9, "a1", "met"), answer(9, "a2", "met"), answer(9, "b1", "not_met"), answer(9, "b2", "met")],
        {1: spread}))
    assert checklist.grouped_by == BY_HALLMARK and checklist.by_hallmark
    assert [(g.label, g.hallmark, g.overall.sentence) for g in checklist.groups] == [
        ("Hallmark 1: Empowered and effective leadership", 1, "2 of 2 met (100%)"),
        ("Hallmark 3: Intelligence-led business processes", 3, "1 of 2 met (50%)"),
    ]
    assert checklist.groups[0].statutory.sentence == "1 of 1 met (100%)"
    assert list(checklist.not_met["group"]) == ["Hallmark 3: Intelligence-led business processes"]


def test_a_checklist_with_hallmarks_for_some_items_groups_the_rest_by_section():
    mixed = build_definition({
        "id": "mixed", "version": 1, "title": "Mixed", "kind": "partnership",
        "sections": [{"id": "a", "title": "Engagement", "questions": [item("a1", hallmark=5), item("a2")]}],
    })
    [checklist] = checklist_compliance(frame([partnership()], [answer(9, "a1", "met")], {1: mixed}))
    assert checklist.grouped_by == BY_BOTH and checklist.mentions_hallmarks and not checklist.by_hallmark
    assert [g.label for g in checklist.groups] == ["Hallmark 5: Engaged communities", "Engagement"]
    assert checklist.overall.sentence == "1 of 2 met (50%)"


def test_two_checklists_in_one_cycle_are_counted_apart():
    returns = [partnership(9, snapshot_id=1, status="submitted"), partnership(10, snapshot_id=2)]
    answers = [answer(9, "h1a", "met"), answer(9, "h1b", "met"), *own_list_answers(10)]
    hallmarks, own = checklist_compliance(frame(returns, answers, {1: HALLMARKS, 2: OWN_LIST}),
                                          {"marks": "Marks", "own-list": "Ours"})
    assert (hallmarks.title, hallmarks.grouped_by, hallmarks.overall.sentence) == ("Marks", BY_HALLMARK,
                                                                                   "2 of 5 met (40%)")
    assert (own.title, own.grouped_by, own.overall.sentence) == ("Ours", BY_SECTION, "3 of 6 met (50%)")
    assert hallmarks.status == "submitted" and own.status == "in_progress"


def test_a_large_imported_checklist_reads_95_of_115():
    sections = [{"id": f"s{n}", "title": f"Section {n}", "questions": [item(f"s{n}-{i}", statutory=i < 5)
                                                                       for i in range(23)]} for n in range(5)]
    big = build_definition({"id": "big", "version": 1, "title": "Big", "kind": "partnership",
                            "sections": sections})
    ids = [q.id for q in big.questions]
    answers = [answer(9, qid, "met" if index < 95 else "not_met", action="Soon") for index, qid in enumerate(ids)]
    [checklist] = checklist_compliance(frame([partnership()], answers, {1: big}))
    assert checklist.overall.sentence == "95 of 115 met (83%)"
    assert len(checklist.groups) == 5 and checklist.groups[-1].overall.sentence == "3 of 23 met (13%)"


def test_departments_answers_and_a_partnership_questionnaire_with_nothing_scored_are_no_checklist():
    notes = build_definition({"id": "notes", "version": 1, "title": "Notes", "kind": "partnership",
                              "sections": [{"id": "n", "title": "Notes", "questions": [
                                  {"id": "n1", "type": "long_text", "text": "Anything?"}]}]})
    assert checklist_compliance(frame([partnership()], [answer(9, "n1", "Text")], {1: notes})) == []
    assert checklist_compliance(frame([department_return(1, 1, "Alpha", snapshot_id=1)], [], {1: OWN_LIST})) == []


@pytest.mark.parametrize("text,number", [
    ("3", 3), ("3.0", 3), (" 6 ", 6), ("Engaged communities", 5), ("ENGAGED COMMUNITIES", 5),
    ("intelligence led business processes", 3), ("Hallmark 5", 5), ("hallmark 2: Visible and constructive "
                                                                   "accountability", 2),
    ("Hallmark 4 - Effective and responsive delivery structures", 4),
    ("7", None), ("0", None), ("Hallmark 9", None), ("Leadership", None), ("Governance", None), ("", None),
    ("Hallmark 2: Engaged communities", None),  # two different hallmarks
])
def test_find_hallmark_reads_a_number_or_a_name(text, number):
    assert find_hallmark(text) == number


def test_hallmark_labels():
    assert hallmark_label(6) == "Hallmark 6: Appropriate skills and knowledge"
    assert hallmark_label("2") == "Hallmark 2: Visible and constructive accountability"


# --------------------------------------------------------------------------- the importer's hallmark column


def imported(*lines: str):
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return checklist_definition(read_sheet("list.csv", data), definition_id="ours", title="Ours")


def tags_of(document) -> dict[str, Any]:
    return {q["id"]: q["tags"].get("hallmark") for s in document["sections"] for q in s["questions"]}


def test_the_hallmark_column_takes_a_number_or_a_name_and_sections_named_after_hallmarks_map_to_them():
    document, summary = imported(
        "section,id,text,statutory,hallmark",
        "Governance,G1,One,yes,1",
        "Governance,G2,Two,no,visible and constructive ACCOUNTABILITY",
        "Governance,G3,Three,no,",  # blank, in a section that names no hallmark
        "Engaged communities,C1,Four,no,",  # blank: the section's name says hallmark 5
        "Hallmark 6: Appropriate skills and knowledge,K1,Five,no,",
        "Engaged communities,C2,Six,no,Hallmark 3",  # the column wins over the section
    )
    assert tags_of(document) == {"g1": 1, "g2": 2, "g3": None, "c1": 5, "c2": 3, "k1": 6}
    assert summary.with_hallmark == 5 and summary.items == 6


def test_without_a_hallmark_column_only_sections_named_after_hallmarks_give_one():
    document, summary = imported("section,id,text", "Governance,G1,One", "Engaged communities,C1,Two")
    assert tags_of(document) == {"g1": None, "c1": 5}
    assert summary.with_hallmark == 1


def test_an_unknown_hallmark_is_an_error_naming_its_row():
    with pytest.raises(ImportFailed) as caught:
        imported("section,id,text,hallmark", "Governance,G1,One,1", "Governance,G2,Two,7",
                 "Governance,G3,Three,Partnership working")
    assert [str(p) for p in caught.value.problems] == [
        "row 3, column hallmark: '7' is not a hallmark: give a number from 1 to 6 or a hallmark's name, such as "
        "'Engaged communities' (or leave it blank)",
        "row 4, column hallmark: 'Partnership working' is not a hallmark: give a number from 1 to 6 or a "
        "hallmark's name, such as 'Engaged communities' (or leave it blank)",
    ]
