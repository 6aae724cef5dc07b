"""The cycle form."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms_common import AppForm, GovDateField


class CycleForm(AppForm):
    name = StringField(
        "Name", widget=GovTextInput(), description="For example, Section 17 audit 2026 to 2027.",
        validators=[InputRequired(message="Enter a name for the cycle"),
                    Length(max=120, message="Name must be 120 characters or fewer")],
    )
    period_start = GovDateField("Start of the period audited",
                                validators=[InputRequired(message="Enter the start of the period")])
    period_end = GovDateField("End of the period audited",
                              validators=[InputRequired(message="Enter the end of the period")])
    deadline = GovDateField("Deadline for returns", description="Returns not submitted by then show as overdue.",
                            validators=[InputRequired(message="Enter the deadline for returns")])
    questionnaires = SelectMultipleField("Questionnaires", widget=GovCheckboxesInput(), validate_choice=False)
    department_scope = RadioField(
        "Which departments answer the departmental questionnaire?", widget=GovRadioInput(),
        choices=[SelectChoice("all", "Every active department"), SelectChoice("some", "Only the departments I choose")],
        default="all",
        validators=[InputRequired(message="Choose which departments answer")],
    )
    departments = SelectMultipleField("Departments", widget=GovCheckboxesInput(), coerce=int, validate_choice=False)
    submit = SubmitField("Save", widget=GovSubmitInput())
