"""The checklist import form."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from app.forms_common import AppForm, HiddenTextField


class ImportForm(AppForm):
    sheet = FileField(
        "Spreadsheet", widget=GovFileInput(),
        description="A CSV or Excel (.xlsx) file. The first row names the columns: section, id, text, statutory, hint.",
        validators=[FileRequired(message="Choose the spreadsheet to import"),
                    FileAllowed(["csv", "xlsx"], message="The spreadsheet must be a CSV or Excel (.xlsx) file")],
    )
    title = StringField(
        "Title", widget=GovTextInput(), description="As people will see it, for example Our partnership's recommendations.",
        validators=[InputRequired(message="Give the questionnaire a title"),
                    Length(max=200, message="Title must be 200 characters or fewer")],
    )
    definition_id = StringField(
        "Short id", widget=GovTextInput(),
        description="Lower-case letters, digits and hyphens, for example our-recommendations. It cannot be changed later.",
        validators=[InputRequired(message="Give the questionnaire a short id"),
                    Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$",
                           message="Short id must be lower-case letters, digits and hyphens, for example our-recommendations")],
    )
    kind = RadioField(
        "Who answers it?", widget=GovRadioInput(), default="partnership",
        choices=[SelectChoice("partnership", "The partnership, like the hallmark checklist"),
                 SelectChoice("departmental", "Each department")],
        validators=[InputRequired(message="Choose who answers it")],
    )
    submit = SubmitField("Check the spreadsheet", widget=GovSubmitInput())


class SaveImportForm(AppForm):
    """The checked definition travels back to be saved, and is checked again before it is written."""

    definition = HiddenField()
    source = HiddenTextField()  # the uploaded file's name, recorded in the audit log
    submit = SubmitField("Save questionnaire", widget=GovSubmitInput())
