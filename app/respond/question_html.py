"""The HTML of one question block, memoised on everything that determines it.

GOV.UK Frontend's Jinja macros import other macros inside their bodies, so one
60-question page costs about 2,000 macro calls (50-70 ms). A question's markup
depends only on the definition it comes from (identified by the SHA-256 of its
snapshot), the question's place on the page, the values shown and the errors for
its fields. Two caches, per process:

- forms: for each question and place, the block's HTML with holes for the
  answers, worked out once from the macros (app/respond/block_form.py). A block
  without errors is its form filled in with the values shown: tens of
  microseconds instead of a millisecond, for any answers, seen before or not.
- blocks: the finished HTML by the values shown and errors, so a page viewed
  again unchanged costs a dictionary look-up per question. A block with errors
  (only after a rejected save) is rendered with the macros and kept here too.

Any change (a new answer, an error, another definition) is a different key, so a
stale block can never be served. See docs/decisions/009-question-html-cache.md
and benchmarks/questionnaire.py.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from flask import current_app
from markupsafe import Markup

from app.questionnaires.answers import not_applicable_field, question_field_names, value_field
from app.questionnaires.definition import NOT_APPLICABLE, Definition, Question
from app.questionnaires.rendering import QuestionView, question_view
from app.respond import block_form

MAX_ENTRIES = 4096
MAX_FORMS = 4096
_MISSING = object()  # a form that could not be made: always render with the macros

_cache: OrderedDict[tuple, Markup] = OrderedDict()
_forms: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def question_html(definition_sha256: str, definition: Definition, question: Question, number: int,
                  raw: Mapping[str, Any], errors: Mapping[str, str], page_question_ids: frozenset[str]) -> Markup:
    own_errors = tuple(sorted((f, m) for f, m in errors.items() if f in question_field_names(question)))
    condition_on_page = bool(question.show_if and set(question.show_if.question_ids()) & page_question_ids)
    key = (definition_sha256, question.id, number, json.dumps(raw, sort_keys=True, default=str), own_errors,
           condition_on_page)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    view = question_view(definition, question, number, raw, errors, page_question_ids)
    html = None
    if not own_errors:
        form = _form((definition_sha256, question.id, number, condition_on_page), definition, question, number,
                     page_question_ids)
        html = form.fill(view) if form is not None else None
    html = Markup(html if html is not None else _render(view))
    _remember(_cache, key, html, MAX_ENTRIES)
    return html


def _render(view: QuestionView) -> str:
    return current_app.jinja_env.get_template("respond/_question.html").render(view=view)


def _form(key: tuple, definition: Definition, question: Question, number: int,
          page_question_ids: frozenset[str]) -> block_form.BlockForm | None:
    with _lock:
        form = _forms.get(key)
    if form is None:
        empty = question_view(definition, question, number, {}, {}, page_question_ids)
        probe = question_view(definition, question, number, _probe_raw(question), {}, page_question_ids)
        form = block_form.build(_render, empty, probe) or _MISSING
        _remember(_forms, key, form, MAX_FORMS)
    return None if form is _MISSING else form


def _probe_raw(question: Question) -> dict[str, Any]:
    """Values for every field of the question, and every option chosen: where they show is where the holes are."""
    raw: dict[str, Any] = {name: "probe" for name in question_field_names(question)}
    raw[not_applicable_field(question)] = "1"
    if question.choices:
        raw[value_field(question)] = [option.value for option in question.choices] + [NOT_APPLICABLE]
    return raw


def _remember(cache: OrderedDict, key: tuple, value: Any, limit: int) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > limit:
            cache.popitem(last=False)


def clear(*, forms: bool = True) -> None:
    """Forget every block (and, unless forms=False, every form: as a new process starts)."""
    with _lock:
        _cache.clear()
        if forms:
            _forms.clear()
