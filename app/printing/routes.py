"""The print view of a return and its PDF, for anyone who may read the return."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from app.audit.services import record_event
from app.printing import bp
from app.printing.services import pdf_of, printed_return
from app.respond.services import get_return_for_reader
from app.security.access import Permission, allow

READERS = (Permission.VIEW_ALL_RETURNS, Permission.RESPOND_FOR_DEPARTMENT, Permission.RESPOND_FOR_PARTNERSHIP)


@bp.route("/returns/<int:assignment_id>/print")
@allow(*READERS)
def return_print(assignment_id: int) -> str:
    user = current_user._get_current_object()
    return printed_return(user, get_return_for_reader(user, assignment_id), for_pdf=False).html


@bp.route("/returns/<int:assignment_id>/print.pdf")
@allow(*READERS)
def return_pdf(assignment_id: int) -> Response:
    user = current_user._get_current_object()
    assignment = get_return_for_reader(user, assignment_id)
    printed = printed_return(user, assignment, for_pdf=True)
    response = Response(pdf_of(printed), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename={printed.file_name}"
    record_event("assignment.printed", object_type="assignment", object_id=assignment.id, actor=user,
                 summary=f"Downloaded the return for {assignment.respondent_name} as a PDF",
                 after={"file": printed.file_name}, commit=True)
    return response
