"""What a printed return holds, and the PDF of it.

One HTML page serves both the browser's own print and the PDF: the same template and
the same stylesheet (`app/static/print/print.css`), so the two cannot drift apart.
WeasyPrint reads the stylesheet from the static folder directly (it never fetches a
URL), and no other file: the base URL it is given lets it reach nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from app.evidence.services import files_by_question
from app.export_jobs.services import slug
from app.extensions import db
from app.models import Assignment, Organisation
from app.models.types import utcnow
from app.review.comments import comments_for
from app.review.page import build_review_page
from app.security.access import Permission, can

STYLESHEET = Path("print") / "print.css"


@dataclass(frozen=True)
class PrintedReturn:
    html: str
    file_name: str


def _file_name(assignment: Assignment) -> str:
    who = assignment.department.code if assignment.department else assignment.respondent_type
    cycle = slug(assignment.cycle.name).removeprefix("section-17-") or "cycle"
    return f"section17-{cycle}-{slug(who)}-return.pdf"


def printed_return(user: Any, assignment: Assignment, *, for_pdf: bool) -> PrintedReturn:
    """The print page of a return as this person may see it (drafts of comments only for reviewers)."""
    reviewer = can(user, Permission.VIEW_ALL_RETURNS)
    page = build_review_page(assignment, for_reviewers=reviewer)
    html = render_template("printing/return.html", page=page, assignment=assignment, definition=page.definition,
                           comments=comments_for(assignment, for_reviewers=reviewer),
                           files=files_by_question(assignment), for_pdf=for_pdf,
                           organisation=_organisation_name(), printed_at=utcnow())
    return PrintedReturn(html, _file_name(assignment))


def _organisation_name() -> str:
    organisation = db.session.scalar(select(Organisation).limit(1))
    return organisation.council_name if organisation else ""


def pdf_of(printed: PrintedReturn) -> bytes:
    from weasyprint import CSS, HTML

    static = Path(current_app.static_folder or "")
    stylesheet = CSS(filename=str(static / STYLESHEET))

    def no_fetching(url: str, *args: Any, **kwargs: Any) -> dict:
        raise ValueError(f"the PDF of a return loads nothing from outside: {url}")

    return HTML(string=printed.html, base_url=str(static), url_fetcher=no_fetching).write_pdf(
        stylesheets=[stylesheet])
