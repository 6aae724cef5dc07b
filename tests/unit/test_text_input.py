"""app/text_input.py: the one rule for typed text (controls, NFC, invisible-only), and answers using it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.questionnaires.answers import AnswerValue, parse_question
from app.questionnaires.progress import missing_answers
from app.questionnaires.validation import load_file
from app.text_input import ControlCharacterError, clean_text, is_invisible

REFUSED = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u3164", "\u115f", "\u2800",
             "\u034f", "\ufe0f", "\u200e", "\u202e", "\u2066", "\u00a0", "\u3000", "\u2028", "\t", "\n", " "]


@pytest.mark.parametrize("character", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("multiline", [False, True])
def test_nul_and_every_other_control_character_is_refused_with_where_it_is(character, multiline):
    with pytest.raises(ControlCharacterError) as raised:
        clean_text(f"Hous{character}ing", multiline=multiline)
    assert raised.value.character == character and raised.value.position == 4
    assert raised.value.message_for("Name") == "Name must not contain control characters"


def test_tab_line_feed_and_carriage_return_are_allowed_and_carriage_returns_become_line_feeds():
    assert clean_text("one\r\ntwo\rthree\n\tfour", multiline=True) == "one\ntwo\nthree\n\tfour"
    assert clean_text("  Economic \t Development\r\n", multiline=False) == "Economic Development"


def test_one_line_text_has_single_spaces_and_no_ends():
    assert clean_text("\u00a0 Housing\u3000\u2003 Services \u200b") == "Housing Services"


def test_text_is_stored_as_nfc():
    assert clean_text("Cafe\u0301") == "Caf\u00e9"
    assert clean_text("A\u030angstr\u00f6m", multiline=True) == "\u00c5ngstr\u00f6m"
    assert clean_text("\u212b") == "\u00c5"  # the angstrom sign is the letter in NFC


@pytest.mark.parametrize("character", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_text_of_only_invisible_characters_is_empty(character):
    assert is_invisible(character)
    assert clean_text(character * 3) == ""
    assert clean_text(f" {character}\n{character} ", multiline=True) == ""


def test_zero_width_characters_are_trimmed_from_the_ends_but_kept_inside():
    assert clean_text("\ufeff\u200bHousing\u200d\u00ad") == "Housing"
    assert clean_text("Zero\u200bwidth") == "Zero\u200bwidth"
    assert clean_text("\U0001F469\u200d\U0001F4BB") == "\U0001F469\u200d\U0001F4BB"  # a joined emoji stays whole


def test_bidi_controls_are_kept():
    hebrew = "\u202b\u05e9\u05dc\u05d5\u05dd\u202c"
    assert clean_text(hebrew) == hebrew
    assert clean_text("\u2067\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u2069 council") == (
        "\u2067\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u2069 council")


def test_stripping_instead_of_refusing_keeps_line_breaks_from_word():
    assert clean_text("one\x0btwo\x0cthree\x85four\x00\x07\x1b[31m", multiline=True, strip_controls=True) == (
        "one\ntwo\nthree\nfour[31m")
    assert clean_text("Hous\x00ing\x0bServices", strip_controls=True) == "Housing Services"
    assert clean_text("\x00\x07\u200b", strip_controls=True) == ""


def test_nothing_is_empty():
    assert clean_text(None) == "" and clean_text("") == ""


@given(st.text(), st.booleans())
def test_stripped_text_is_always_storable_and_cleaning_again_changes_nothing(raw, multiline):
    text = clean_text(raw, multiline=multiline, strip_controls=True)
    assert "\x00" not in text and "\r" not in text
    assert not any(c in text for c in REFUSED)
    assert clean_text(text, multiline=multiline) == text
    assert text == "" or not all(is_invisible(c) for c in text)


# --------------------------------------------------------------------------- answers use the same rule

DEFINITION = load_file(Path(__file__).resolve().parents[1] / "fixtures" / "surveys" / "small-departmental.yaml"
                       ).definition


def _parse(question, **fields: str) -> tuple[AnswerValue, list[str]]:
    answer, problems = parse_question(question, MultiDict(fields))
    return answer, [p.message for p in problems]


def test_an_answer_of_only_zero_width_characters_is_not_an_answer_and_is_listed_as_missing():
    question = replace(DEFINITION.question("lead-name"), required=True)
    definition = replace(DEFINITION, sections=tuple(
        replace(s, questions=tuple(question if q.id == question.id else q for q in s.questions))
        for s in DEFINITION.sections))
    answer, problems = _parse(question, **{"q-lead-name": "\u200b\u200c\u200d\u2060\ufeff"})
    assert problems == [] and answer == AnswerValue() and not answer.answered
    assert "lead-name" in [m.question.id for m in missing_answers(definition, {"lead-name": answer})]
    stored_before_this_rule = AnswerValue("\u200b\u200b")
    assert not stored_before_this_rule.answered
    assert "lead-name" in [m.question.id for m in missing_answers(definition, {"lead-name": stored_before_this_rule})]


def test_evidence_of_only_zero_width_characters_is_missing_evidence():
    question = DEFINITION.question("plan-mentions-duty")
    answer, problems = _parse(question, **{"q-plan-mentions-duty": "yes",
                                           "q-plan-mentions-duty-evidence": "\u200b \u200d\n\u00ad"})
    assert problems == [] and answer.value == "yes" and answer.evidence == ""
    assert [m.field for m in missing_answers(DEFINITION, {"plan-mentions-duty": answer})
            if m.question.id == "plan-mentions-duty"] == ["q-plan-mentions-duty-evidence"]


def test_answers_are_nfc_and_lose_control_characters_without_losing_the_text():
    long_text = DEFINITION.question("plan-notes")
    answer, problems = _parse(long_text, **{"q-plan-notes": "Cafe\u0301 scheme\x0bsee page 4\x00\x07\r\nDone"})
    assert problems == [] and answer.value == "Caf\u00e9 scheme\nsee page 4\nDone"
    one_line = DEFINITION.question("lead-name")
    assert _parse(one_line, **{"q-lead-name": " Jo\x00 Bloggs\x1f "})[0].value == "Jo Bloggs"
