"""A message from its template file: the subject, the plain text, and the same as simple HTML.

Each message is one file in templates/mail/ (NAME.txt). A council edits the words by
putting its own NAME.txt in MAIL_TEMPLATES_DIR (default instance/mail_templates/);
a file there wins over ours. The file's first line is "Subject: ...", then a blank
line, then the body, in a plain format that reads well as text and converts to
HTML without surprises:

    a paragraph is lines of text; a blank line ends it
    * a line starting with an asterisk and a space is a bullet
    ^ a paragraph starting with a caret and a space is inset (for what must stand out)
    # a line starting with a hash and a space is a heading

Templates are Jinja, in a sandbox (an edited file cannot reach the application), with
every name it uses required (a typo is an error at once, not a blank in a message).
The HTML has no images, scripts, styles from elsewhere or tracking of any kind; a
link becomes a link only if it points into this service (PUBLIC_URL), so text that
someone typed (a reason, a department's name) cannot turn into a link elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from app.templating import TEMPLATES_DIR, format_date, format_datetime

SHIPPED = TEMPLATES_DIR / "mail"
SUBJECT_PREFIX = "Subject:"
MAX_SUBJECT = 300
URL = re.compile(r"https?://[^\s<>\"')]+[^\s<>\"').,;:!?]")


class TemplateProblem(Exception):
    """A mail template cannot be used: the file, and what is wrong with it."""


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def template_dirs(app: Flask) -> list[Path]:
    """Where templates are looked for, the council's own first."""
    configured = app.config.get("MAIL_TEMPLATES_DIR")
    own = Path(configured) if configured else Path("mail_templates")
    if not own.is_absolute():
        own = Path(app.instance_path) / own
    return [own, SHIPPED]


def _environment(app: Flask) -> SandboxedEnvironment:
    cached = app.extensions.get("section17_mail_templates")
    if cached is None:
        cached = SandboxedEnvironment(
            loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(app)]),
            autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
            lstrip_blocks=True)
        cached.filters.update(date=format_date, datetime=format_datetime, possessive=possessive)
        app.extensions["section17_mail_templates"] = cached
    return cached


def possessive(name: str) -> str:
    """ "Housing Services'", "Planning's": how a name owns something in a sentence."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def compose(template: str, context: dict[str, Any], *, public_url: str) -> Composed:
    """Render NAME.txt with `context` (plus the service's and council's names); TemplateProblem if it cannot."""
    from app.organisation.services import current_organisation

    organisation = current_organisation()
    values = {"service_name": "Section 17 Audit", "council_name": organisation.council_name,
              "partnership_name": organisation.partnership_name, "service_url": public_url, **context}
    try:
        rendered = _environment(current_app).get_template(f"{template}.txt").render(values)
    except TemplateNotFound:
        raise TemplateProblem(f"There is no mail template {template}.txt in {', '.join(map(str, template_dirs(current_app)))}") from None
    except TemplateError as error:
        raise TemplateProblem(f"The mail template {template}.txt cannot be used: {error}") from None
    first, _, body = rendered.lstrip("\n").partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise TemplateProblem(f"The mail template {template}.txt must start with a line \"Subject: ...\"")
    subject = " ".join(first[len(SUBJECT_PREFIX):].split())[:MAX_SUBJECT]
    if not subject:
        raise TemplateProblem(f"The mail template {template}.txt has an empty subject line")
    source = _tidy(body)
    return Composed(subject, plain_text(source), html_page(subject, source, public_url, values["council_name"]))


def plain_text(source: str) -> str:
    """The text part people read: the inset and heading markers taken off (the HTML part shows them as such)."""
    lines = []
    for line in source.splitlines():
        if line.startswith("^ ") or line.startswith("# "):
            line = line[2:]
        lines.append(line)
    return "\n".join(lines) + "\n"


def _tidy(body: str) -> str:
    """Lines without trailing spaces, at most one blank line between paragraphs, one final newline."""
    lines = [line.rstrip() for line in body.strip("\n").splitlines()]
    tidied: list[str] = []
    for line in lines:
        if line or (tidied and tidied[-1]):
            tidied.append(line)
    return "\n".join(tidied).strip("\n") + "\n"


def _inline(text: str, public_url: str) -> Markup:
    """Escape a line; link what points into this service, leave every other address as text."""
    pieces: list[Markup] = []
    position = 0
    for match in URL.finditer(text):
        pieces.append(escape(text[position:match.start()]))
        url = match.group(0)
        if public_url and url.startswith(public_url.rstrip("/") + "/") or url == public_url:
            pieces.append(Markup('<a href="{0}" style="color:#1d70b8">{0}</a>').format(url))
        else:
            pieces.append(escape(url))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def body_html(text: str, public_url: str) -> Markup:
    """The body's blocks as HTML: paragraphs, bullets, inset text and headings."""
    html: list[Markup] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if lines == ["---"]:
            html.append(Markup('<hr style="border:0;border-top:1px solid #b1b4b6;margin:30px 0 20px">'))
        elif all(line.startswith("* ") for line in lines):
            items = Markup("").join(Markup('<li style="margin:0 0 5px">{}</li>').format(_inline(line[2:], public_url))
                                    for line in lines)
            html.append(Markup('<ul style="margin:0 0 20px;padding-left:20px">{}</ul>').format(items))
        elif len(lines) == 1 and lines[0].startswith("# "):
            html.append(Markup('<h2 style="font-size:24px;margin:0 0 15px">{}</h2>')
                        .format(_inline(lines[0][2:], public_url)))
        elif lines[0].startswith("^ "):
            inner = Markup("<br>").join(_inline(line, public_url) for line in [lines[0][2:], *lines[1:]])
            html.append(Markup('<p style="margin:0 0 20px;padding:15px;border-left:10px solid #b1b4b6">{}</p>')
                        .format(inner))
        else:
            inner = Markup("<br>").join(_inline(line, public_url) for line in lines)
            html.append(Markup('<p style="margin:0 0 20px">{}</p>').format(inner))
    return Markup("\n").join(html)


def html_page(subject: str, text: str, public_url: str, council_name: str) -> str:
    """A whole HTML message in the GOV.UK e-mail manner: a black band with the service's name, then the text."""
    return str(Markup(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{subject}</title></head>\n'
        '<body style="margin:0;padding:0;font-family:Helvetica,Arial,sans-serif;font-size:19px;line-height:1.32;'
        'color:#0b0c0c;background:#ffffff">\n'
        '<div style="background:#0b0c0c;color:#ffffff;padding:10px 15px;font-size:24px;font-weight:bold">'
        'Section 17 Audit <span style="font-weight:normal;font-size:16px">{council}</span></div>\n'
        '<div style="max-width:580px;padding:20px 15px">\n{body}\n</div>\n</body></html>\n'
    ).format(subject=subject, council=council_name, body=body_html(text, public_url)))
