"""The HTML of one question block, memoised on everything that determines it.

GOV.UK Frontend's Jinja macros import other macros inside their bodies, so one
60-question page costs about 2,000 macro calls (around 100 ms). A question's
markup depends only on the definition it comes from (identified by the SHA-256
of its snapshot), the question's place on the page, the values shown and the
errors for its fields. We render it with the macros once and reuse the result
while those stay the same. Any change (a new answer, an error, another
definition) is a different key, so a stale block can never be served.
See docs/decisions/009-question-html-cache.md and benchmarks/questionnaire.py.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from flask import current_app
from markupsafe import Markup

from app.questionnaires.answers import question_field_names
from app.questionnaires.definition import Definition, Question
from app.questionnaires.rendering import question_view

MAX_ENTRIES = 4096

_cache: OrderedDict[tuple, Markup] = OrderedDict()
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
    html = Markup(current_app.jinja_env.get_template("respond/_question.html").render(view=view))
    with _lock:
        _cache[key] = html
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return html


def clear() -> None:
    with _lock:
        _cache.clear()
