"""YAML bombs in questionnaire definitions: refused in one `file: where: problem` line, quickly, in little memory.

A definition may share a block with an anchor and aliases (the hallmark checklist does), but not multiply it
("billion laughs"), nest deeper than MAX_DEPTH, be larger than MAX_DEFINITION_BYTES, or hold values Python
cannot read. None of these may end in a traceback.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
import yaml

from app.questionnaires import yaml_reading
from app.questionnaires.validation import DefinitionError, load_file, load_text

VALID_HEAD = "id: bomb\nversion: 1\nkind: departmental\n"
SECTIONS = ("sections:\n  - id: s1\n    title: One\n    questions:\n"
            '      - {id: q1, type: yes_no, text: "Is it so?"}\n')


def laughs(levels: int) -> str:
    """A definition whose title is 9 ** (levels + 1) laughs once its aliases are expanded."""
    anchors = ['  - &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    anchors += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "x-anchors:\n" + "\n".join(anchors) + f"\n{VALID_HEAD}title: *a{levels}\n{SECTIONS}"


def problems_of(text: str, source: str = "bomb.yaml") -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(text, source)
    return caught.value.problems


def test_a_billion_laughs_is_refused_in_one_line_quickly_and_in_little_memory():
    text = laughs(7)  # 9 ** 8 = 43 million laughs from 400 bytes; the CLI test uses 9 ** 10
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = problems_of(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 5 * 1024 * 1024
    assert problems == ["bomb.yaml: line 7, column 25: aliases (*name) here would make the file more than 250,000 "
                        "values once each repeats its anchored block; use an anchor and aliases to share a block, "
                        "not to multiply it"]


def test_anchors_and_aliases_that_share_a_block_still_load():
    """Guard: the limit counts expanded values, so the hallmark checklist's way of sharing options stays valid."""
    question = "      - {{id: q{n}, type: single_choice, text: Item {n}, options: *rating}}\n"
    text = (f"{VALID_HEAD}title: Shared options\nsections:\n  - id: s1\n    title: One\n    questions:\n"
            "      - id: q0\n        type: single_choice\n        text: Item 0\n"
            "        options: &rating [{value: met, label: Met, score: 1}, {value: not_met, label: Not met, score: 0}]\n"
            + "".join(question.format(n=n) for n in range(1, 400)))
    assert len(load_text(text, "shared.yaml").definition.questions) == 400


def test_too_many_values_without_aliases_are_refused_too(monkeypatch):
    monkeypatch.setattr(yaml_reading, "MAX_VALUES", 1_000)
    problems = problems_of(f"{VALID_HEAD}title: Many\nextra: [{', '.join(['1'] * 1_000)}]\n{SECTIONS}", "many.yaml")
    assert len(problems) == 1 and problems[0].startswith("many.yaml: line 5, column ")
    assert problems[0].endswith("the file holds more than 1,000 values; a definition needs far fewer")


@pytest.mark.parametrize("opening,closing", [("[", "]"), ("{a: ", "}"), ("- ", "")])
def test_twenty_thousand_levels_of_nesting_are_refused_without_a_traceback(opening, closing):
    text = opening * 20_000 + "1" + closing * 20_000 + "\n"
    started = time.perf_counter()
    problems = problems_of(text, "deep.yaml")
    assert time.perf_counter() - started < 5
    assert len(problems) == 1
    assert problems[0].startswith("deep.yaml: line 1, column ")
    assert problems[0].endswith("lists and mappings are nested more than 50 levels deep here; "
                                "a definition needs fewer than 10")


def test_an_alias_inside_its_own_block_is_refused():
    problems = problems_of(f"{VALID_HEAD}title: Loop\nsections: &loop [*loop]\n", "loop.yaml")
    assert problems == ["loop.yaml: line 5, column 18: the alias *loop is inside the block its anchor &loop "
                        "names, so the block would contain itself without end"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(monkeypatch, tmp_path):
    monkeypatch.setattr(yaml_reading, "MAX_DEFINITION_BYTES", 2 * 1024 * 1024)
    big = tmp_path / "big.yaml"
    big.write_text(VALID_HEAD + "title: Big\n" + "# padding\n" * 250_000 + SECTIONS)
    with pytest.raises(DefinitionError) as caught:
        load_file(big)
    assert caught.value.problems == ["big.yaml: (whole file): is 2.4 MB; a definition may be at most 2 MB"]
    assert problems_of(big.read_text(), "posted.yaml") == [
        "posted.yaml: (whole file): is 2.4 MB; a definition may be at most 2 MB"]


@pytest.mark.parametrize("line,expected", [
    ("version: " + "9" * 5000, "test.yaml: line 2, column 10: '99999999999999999999999999"),
    ("version: 2001-02-31", "test.yaml: line 2, column 10: '2001-02-31' cannot be read: day is out of range"),
    ("? [a, b]\n: c", "test.yaml: line 2, column 3: a key must be a name, not a list or mapping"),
])
def test_values_python_cannot_read_are_reported_at_their_line(line, expected):
    problems = problems_of(f"id: x\n{line}\n", "test.yaml")
    assert len(problems) == 1 and problems[0].startswith(expected)
    assert "set_int_max_str_digits" not in problems[0]


def test_a_huge_wrong_value_is_cut_short_in_its_problem_line():
    text = yaml.safe_dump({"id": "big", "version": 1, "kind": "departmental", "title": list(range(5_000)),
                           "sections": [{"id": "s1", "title": "One",
                                         "questions": [{"id": "q1", "type": "yes_no", "text": "Is it?"}]}]})
    problems = problems_of(text, "big.yaml")
    assert problems == ["big.yaml: title: must be text (found [0, 1, 2, 3, 4, 5, ...])"]
