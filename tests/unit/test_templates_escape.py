"""Autoescaping everywhere, no |safe on user or definition text (security.md item 12)."""

import re
from pathlib import Path

from app import create_app

ROOT = Path(__file__).resolve().parents[2]
UNSAFE = re.compile(r"\|\s*safe\b|Markup\(|autoescape\s+false")
# Reviewed exceptions: the text they mark safe is the output of an autoescaped template, never raw input.
REVIEWED = {
    "app/respond/question_html.py": "caches the HTML rendered by templates/respond/_question.html, or that HTML "
                                    "with each answer filled in escaped by markupsafe (app/respond/block_form.py)",
    "app/results/heatmap_rows.py": "the heatmap's rows: every name, address, theme key and label is escaped by "
                                   "markupsafe (tests/unit/test_heatmap_rows.py tries a hostile name)",
    "app/results/charts.py": "SVG written from the chart's layout; every word, the title and the description are escaped "
                             "by html.escape (tests/unit/test_charts.py tries a hostile label)",
    "app/mail/compose.py": "e-mail HTML built from a message's plain text: every piece of text is escaped by markupsafe "
                           "before it is wrapped (tests/unit/test_mail_compose.py tries hostile text and links)",
    "app/mail/outbox.py": "a link made as the message is sent, put in a fixed anchor by Markup.format, which escapes it",
    "app/search/routes.py": "a search snippet escaped whole by markupsafe, then only its two control-character markers "
                            "turned into <mark> (tests/unit/test_search_words.py tries hostile text)",
}


def test_no_template_or_module_marks_text_as_safe():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("app").rglob("*.py")]
        if str(path.relative_to(ROOT)) not in REVIEWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNSAFE.search(line)
    ]
    assert offenders == []


def test_autoescaping_is_on_for_html_templates(tmp_path):
    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    assert app.select_jinja_autoescape("admin/users.html") is True
    assert app.jinja_env.from_string("{{ v }}").render(v="<script>") == "&lt;script&gt;"


def test_every_page_template_compiles_at_start_up_and_stays_compiled(tmp_path):
    """wsgi.py compiles them before the first request; a template that does not compile stops start-up."""
    from app.templating import compile_page_templates

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    assert len(app.jinja_env.cache) == 0
    count = compile_page_templates(app)
    assert count > 100 and len(app.jinja_env.cache) >= count  # all of them, before any page is drawn
