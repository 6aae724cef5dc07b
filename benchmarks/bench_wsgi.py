"""The production app as benchmarks serve it under gunicorn, plus a plain Jinja page to compare against.

The app is wsgi.py's own (imported, so freeze_startup_objects() runs as in
production). Two things are added for benchmarks/questionnaire.py, and only here:

- /bench/plain lists the same questions as the benchmark's section page, as bare
  HTML inputs from one Jinja template compiled once at start-up, as every
  template of the product is (Jinja caches them): no database, no GOV.UK macros.
  It runs through the same app, hooks and server, so the ratio isolates what the
  questionnaire engine costs.
- A request carrying the header X-Bench-Cold has the question HTML caches
  (app/respond/question_html.py) cleared before it is handled. "X-Bench-Cold:
  blocks" forgets the finished blocks, so every block of the page is made again
  from its question's form (its HTML with holes for the answers, made once per
  question and place): what a return whose answers this worker has not shown
  costs. "X-Bench-Cold: all" forgets the forms too, so every block is rendered
  with the GOV.UK macros and its form worked out again: the first page of a
  definition after a worker starts.
"""

from __future__ import annotations

import os

import yaml
from flask import render_template, request

from app.questionnaires.validation import build_definition
from app.respond import question_html
from app.security.access import public
from wsgi import app

COLD_HEADER = "X-Bench-Cold"

_definition = build_definition(yaml.safe_load(open(os.environ["BENCH_DEFINITION"], encoding="utf-8")))
_questions = _definition.sections[0].questions

PLAIN = app.jinja_env.from_string("""<!doctype html><html lang="en"><head><title>Plain page</title></head><body><main>
<h1>{{ title }}</h1><form method="post">
{% for q in questions %}<fieldset><legend>{{ loop.index }}. {{ q.text }}</legend>
{% if q.choices %}{% for o in q.choices %}<label><input type="radio" name="q-{{ q.id }}" value="{{ o.value }}"> {{ o.label }}</label>
{% endfor %}{% else %}<input name="q-{{ q.id }}" value="">{% endif %}</fieldset>
{% endfor %}<button>Save</button></form></main></body></html>""")


@public
def plain_page() -> str:
    # render_template takes a compiled Template as well as a name, with the same context processors and signals.
    return render_template(PLAIN, title=_definition.sections[0].title, questions=_questions)


def cold_question_cache() -> None:
    cold = request.headers.get(COLD_HEADER)
    if cold:
        question_html.clear(forms=cold == "all")


app.add_url_rule("/bench/plain", "bench_plain", plain_page)
app.before_request(cold_question_cache)
