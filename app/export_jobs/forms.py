"""The export form: what to export (the whole cycle or one department's return) and in which format.

One list holds both the whole cycle and the departments, rather than radios with a list
revealed under one of them: it stays one control for a council of 300 departments, and
GOV.UK Frontend's revealing radios carry an ARIA attribute that radios may not have.
A department that this person may not export is not a form error but a 404, decided
after the form is read: nobody learns which departments exist.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, ValidationError

from app.export_jobs.services import CSV, XLSX, ZIP
from app.forms_common import AppForm
from app.models import Department

WHOLE_CYCLE = "cycle"
SCOPE_MESSAGE = "Choose what to export"
KIND_MESSAGE = "Choose a format: Excel workbook, CSV or evidence pack"


class ExportForm(AppForm):
    scope = SelectField("What do you want to export?", widget=GovSelect(), validate_choice=False,
                        validators=[InputRequired(message=SCOPE_MESSAGE)])
    kind = RadioField(
        "Format", widget=GovRadioInput(),
        choices=[SelectChoice(XLSX, "Excel workbook (.xlsx)"), SelectChoice(CSV, "Responses as CSV (.csv)"),
                 SelectChoice(ZIP, "Evidence pack: every attached file, with a manifest of their hashes (.zip)")],
        validate_choice=False,
        validators=[InputRequired(message=KIND_MESSAGE), AnyOf((XLSX, CSV, ZIP), message=KIND_MESSAGE)],
    )
    submit = SubmitField("Make the export", widget=GovSubmitInput())

    def offer(self, whole_cycle: bool, departments: tuple[Department, ...]) -> None:
        first = [SelectChoice(WHOLE_CYCLE, "The whole cycle")] if whole_cycle else [
            SelectChoice("", "Choose a department")]
        self.scope.choices = first + [SelectChoice(str(d.id), d.name) for d in departments]

    def validate_scope(self, field: SelectField) -> None:
        raw = (field.data or "").strip()
        if raw != WHOLE_CYCLE and not (raw.isascii() and raw.isdigit()):  # not "²", which int() refuses
            raise ValidationError("Choose the whole cycle or a department from the list")

    @property
    def department_id(self) -> int | None:
        """The department asked for, or None for the whole cycle (only once the form is valid)."""
        raw = (self.scope.data or "").strip()
        return None if raw == WHOLE_CYCLE else int(raw)
