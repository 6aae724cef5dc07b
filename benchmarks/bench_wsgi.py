"""The app as benchmarks serve it under gunicorn, plus a plain Jinja page to compare against.

The plain page lists the same questions as the benchmark's section page, as bare
HTML inputs from one Jinja template: no database, no GOV.UK macros. It runs
through the same app, hooks and server, so the ratio isolates what the
questionnaire engine costs.
"""

from __future__ import annotations

import os

import yaml
from flask import render_template_string

from app import create_app
from app.questionnaires.validation import build_definition
from app.security.access import public

app = create_app()

_definition = build_definition(yaml.safe_load(open(os.environ["BENCH_DEFINITION"], encoding="utf-8")))
_questions = _definition.sections[0].questions

PLAIN = """<!doctype html><html lang="en"><head><title>Plain page</title></head><body><main>
<h1>{{ title }}</h1><form method="post">
{% for q in questions %}<fieldset><legend>{{ loop.index }}. {{ q.text }}</legend>
{% if q.choices %}{% for o in q.choices %}<label><input type="radio" name="q-{{ q.id }}" value="{{ o.value }}"> {{ o.label }}</label>
{% endfor %}{% else %}<input name="q-{{ q.id }}" value="">{% endif %}</fieldset>
{% endfor %}<button>Save</button></form></main></body></html>"""


@public
def plain_page() -> str:
    return render_template_string(PLAIN, title=_definition.sections[0].title, questions=_questions)


app.add_url_rule("/bench/plain", "bench_plain", plain_page)
