"""Views for questionnaires: the list, reading one, importing a checklist."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.questionnaire_library import bp
from app.questionnaire_library.forms import ImportForm, SaveImportForm
from app.questionnaire_library.services import SaveProblem, definitions, get_definition, save_imported
from app.questionnaires.importing import SHEET_LIMITS, ImportFailed, checklist_definition, definition_yaml, read_sheet
from app.questionnaires.rendering import TYPE_LABELS, describe_condition, describe_target
from app.questionnaires.validation import load_text
from app.security.access import Permission, allow

READERS = (Permission.VIEW_ALL_RETURNS, Permission.MANAGE_QUESTIONNAIRES)
MAX_PROBLEMS_SHOWN = 100


@bp.route("/")
@allow(*READERS)
def index() -> str:
    return render_template("questionnaire_library/index.html", definitions=definitions())


@bp.route("/<definition_id>")
@allow(*READERS)
def detail(definition_id: str) -> str:
    loaded = get_definition(definition_id)
    if loaded is None:
        abort(404)
    return render_template("questionnaire_library/detail.html", loaded=loaded, definition=loaded.definition)


@bp.app_context_processor
def _outline_helpers() -> dict:
    return {"describe_condition": describe_condition, "describe_target": describe_target, "type_labels": TYPE_LABELS}


@bp.route("/import", methods=["GET", "POST"])
@allow(Permission.MANAGE_QUESTIONNAIRES)
def import_checklist() -> str:
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.sheet.data
        try:
            sheet = read_sheet(upload.filename or "", upload.read(), SHEET_LIMITS)
            document, summary = checklist_definition(sheet, definition_id=form.definition_id.data,
                                                     title=form.title.data, kind=form.kind.data)
        except ImportFailed as failure:
            problems = [str(p) for p in failure.problems]
        else:
            if get_definition(document["id"]) is not None:
                form.definition_id.errors = [f"There is already a questionnaire with the id {document['id']}"]
            else:
                yaml_text = definition_yaml(document, upload.filename or "the spreadsheet")
                preview = load_text(yaml_text, f"{document['id']}.yaml")
                return render_template("questionnaire_library/import_preview.html", loaded=preview, summary=summary,
                                       source=upload.filename,
                                       form=SaveImportForm(data={"definition": yaml_text, "source": upload.filename}))
    return render_template("questionnaire_library/import.html", form=form, problems=problems[:MAX_PROBLEMS_SHOWN],
                           more_problems=max(0, len(problems) - MAX_PROBLEMS_SHOWN))


@bp.route("/import/save", methods=["POST"])
@allow(Permission.MANAGE_QUESTIONNAIRES)
def save_import() -> Response | str:
    form = SaveImportForm()
    if not form.validate_on_submit() or not form.definition.data:
        abort(400)
    try:
        loaded = save_imported(current_user._get_current_object(), form.definition.data, form.source.data or "")
    except SaveProblem as problem:
        return render_template("questionnaire_library/import.html", form=ImportForm(), problems=[problem.message], more_problems=0)
    flash(f"{loaded.definition.title} has been saved. You can now choose it when you set up a cycle.", "success")
    return redirect(url_for("questionnaire_library.detail", definition_id=loaded.definition.id))
