"""A question block made from its form (app/respond/block_form.py) is the macros' HTML, byte for byte.

The section page got fast (benchmarks/questionnaire.py) by filling in each
question's HTML-with-holes instead of calling the GOV.UK macros per request. These
tests render every question of every shipped definition, the benchmark's and one
that uses every type and option, with values chosen to break a careless filler
(markup, quotes, line breaks of every kind, spaces at the ends, unknown options),
both ways, and compare.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.questionnaires.answers import date_fields, not_applicable_field, question_field_names, value_field
from app.questionnaires.definition import NOT_APPLICABLE
from app.questionnaires.rendering import question_view
from app.questionnaires.validation import build_definition, load_directory
from app.respond import block_form, question_html
from benchmarks.questionnaire import sixty_question_definition

ROOT = Path(__file__).resolve().parents[2]

EVERYTHING = {
    "id": "every-type", "version": 1, "title": "Every type", "kind": "departmental",
    "sections": [{"id": "all", "title": "All of them", "questions": [
        {"id": "yn", "type": "yes_no", "text": "Yes or no <b>bold</b>?", "hint": "A hint & more",
         "evidence": {"required_for": ["yes"], "shown_for": ["yes"]}, "action": {"shown_for": ["no"]}},
        {"id": "yn-na", "type": "yes_no", "text": "Yes, no or not applicable?", "allow_not_applicable": True,
         "show_if": {"question": "yn", "equals": "yes"}},
        {"id": "one", "type": "single_choice", "text": "One of these", "required": False, "options": [
            {"value": "a", "label": "A", "hint": "The first"}, {"value": "b", "label": "B"}],
         "evidence": "required"},
        {"id": "level", "type": "scale", "text": "How far?", "allow_not_applicable": True, "options": [
            {"value": "none", "label": "Not at all", "score": 0}, {"value": "full", "label": "Fully", "score": 1}],
         "evidence": {"label": "Where is it written down?", "hint": "A link", "shown_for": ["full"]}},
        {"id": "many", "type": "multiple_choice", "text": "Any of these", "allow_not_applicable": True,
         "options": [{"value": v, "label": v.title()} for v in ("x", "y", "z")], "action": "optional"},
        {"id": "words", "type": "text", "text": "A few words", "allow_not_applicable": True},
        {"id": "essay", "type": "long_text", "text": "Tell us more", "evidence": "optional"},
        {"id": "count", "type": "number", "text": "How many?", "unit": "people", "integer": True,
         "allow_not_applicable": True, "action": "required"},
        {"id": "share", "type": "percentage", "text": "What share?"},
        {"id": "when", "type": "date", "text": "When?", "allow_not_applicable": True, "evidence": "optional"},
    ]}],
}

# Texts a filler could get wrong: markup to escape, quotes, line breaks Jinja's indent splits on, edge spaces.
NASTY = ["", "x", "0", "<script>alert('x')</script>", 'say "hi" & \'bye\'', "two\nlines", "\r\nafter",
         "sep\u2028arated", "  padded  ", "tab\there", "{{ not a template }}", "&amp;", "\ue000private"]


def _definitions():
    shipped = [loaded.definition for loaded in load_directory(ROOT / "surveys").values()]
    return [*shipped, build_definition(sixty_question_definition()), build_definition(EVERYTHING)]


DEFINITIONS = _definitions()
QUESTIONS = [(d, s, number, q) for d in DEFINITIONS for s in d.sections for number, q in enumerate(s.questions, 1)]


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                     instance_path=str(tmp_path_factory.mktemp("instance")))
    with app.test_request_context():
        question_html.clear()
        yield
        question_html.clear()


def _both_ways(definition, section, number, question, raw, errors=None):
    errors = errors or {}
    on_page = frozenset(q.id for q in section.questions)
    question_html._cache.clear()  # the finished blocks, not the forms: the filled-in form is what is compared
    made = str(question_html.question_html(f"{definition.id}-{definition.version}", definition, question, number,
                                           raw, errors, on_page))
    rendered = question_html._render(question_view(definition, question, number, raw, errors, on_page))
    return made, rendered


def _raws(question):
    """Empty, each option alone, every option, and each text field with each nasty text."""
    yield {}
    name = value_field(question)
    values = [o.value for o in question.choices]
    if values:
        for value in [*values, NOT_APPLICABLE, "not-an-option"]:
            yield {name: [value] if question.type == "multiple_choice" else value}
        yield {name: [*values, NOT_APPLICABLE]}
    yield {not_applicable_field(question): "1"}
    yield {not_applicable_field(question): "on"}
    texts = sorted(question_field_names(question) - ({name} if values else set()) - {not_applicable_field(question)})
    for field in texts:
        for text in NASTY:
            yield {field: text}
    yield {field: NASTY[index % len(NASTY)] for index, field in enumerate(texts)}


@pytest.mark.parametrize(("definition", "section", "number", "question"), QUESTIONS,
                         ids=[f"{d.id}:{q.id}" for d, _s, _n, q in QUESTIONS])
def test_every_question_made_from_its_form_is_the_macros_html(context, definition, section, number, question):
    for raw in _raws(question):
        made, rendered = _both_ways(definition, section, number, question, raw)
        assert made == rendered, raw


def test_every_question_has_a_form(context):
    """No question falls back to the macros on every request (the page would be slow again, silently)."""
    missing = []
    for definition, section, number, question in QUESTIONS:
        on_page = frozenset(q.id for q in section.questions)
        condition_on_page = bool(question.show_if and set(question.show_if.question_ids()) & on_page)
        if question_html._form(("test", definition.id, question.id, number, condition_on_page), definition,
                               question, number, on_page) is None:
            missing.append(f"{definition.id}:{question.id}")
    assert missing == []


def test_date_values_with_line_breaks_go_to_the_macros(context):
    """The date inputs sit in an indented fieldset: a line break in one is re-indented, which only the macros do."""
    definition = build_definition(EVERYTHING)
    section = definition.sections[0]
    question = definition.question("when")
    day = date_fields(question)[0]
    number = [q.id for q in section.questions].index("when") + 1
    made, rendered = _both_ways(definition, section, number, question, {day: "1\n2"})
    assert made == rendered
    assert "1\n" in rendered and "1\n2" not in rendered  # indented: the filler could not have put it in as it is


def test_errors_are_rendered_by_the_macros(context):
    definition = build_definition(EVERYTHING)
    section = definition.sections[0]
    question = definition.question("count")
    number = [q.id for q in section.questions].index("count") + 1
    errors = {value_field(question): "Enter a whole number", f"{value_field(question)}-action": "Say what"}
    made, rendered = _both_ways(definition, section, number, question, {value_field(question): "x"}, errors)
    assert made == rendered
    assert "Enter a whole number" in made


def test_a_view_the_form_was_not_made_for_is_refused(context):
    definition = build_definition(EVERYTHING)
    section = definition.sections[0]
    question = definition.question("one")
    on_page = frozenset(q.id for q in section.questions)
    form = question_html._form(("test-refused", question.id, 3, False), definition, question, 3, on_page)
    assert form is not None
    view = question_view(definition, question, 3, {}, {value_field(question): "Choose one"}, on_page)
    assert form.fill(view) is None  # an error message is not a hole
    view = question_view(definition, question, 4, {}, {}, on_page)
    assert form.fill(view) is None  # another number: another legend


def test_the_insertion_finder_wants_exactly_one_insertion():
    assert block_form._insertion('<input value="">', '<input value="abc">') == (14, "abc")
    assert block_form._insertion("<a>", "<a>") is None
    assert block_form._insertion("<a><b>", "<a>x<b>y") is None


def _nasty_raw(question):
    fields = sorted(question_field_names(question))
    texts = st.sampled_from(NASTY) | st.text(max_size=12)
    values = [o.value for o in question.choices]
    strategy = st.fixed_dictionaries({}, optional={field: texts for field in fields})
    if values:
        chosen = st.lists(st.sampled_from([*values, NOT_APPLICABLE, "other"]), max_size=len(values) + 1)
        value = chosen if question.type == "multiple_choice" else st.sampled_from([*values, NOT_APPLICABLE, "", "x"])
        strategy = st.tuples(strategy, value).map(lambda pair: {**pair[0], value_field(question): pair[1]})
    return strategy


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_values_made_from_the_form_are_the_macros_html(context, data):
    definition, section, number, question = data.draw(st.sampled_from(QUESTIONS[-10:] + QUESTIONS[:40]))
    raw = data.draw(_nasty_raw(question))
    made, rendered = _both_ways(definition, section, number, question, raw)
    assert made == rendered
