"""Forms for importing crime figures and adding an offence type."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from app.benchmarking.crime.offences import MAX_LABEL
from app.forms_common import AppForm


class ImportStatisticsForm(AppForm):
    sheet = FileField(
        "File of crime figures", widget=GovFileInput(),
        description="A CSV or Excel (.xlsx) file with a header row, as described above.",
        validators=[FileRequired(message="Choose the file of crime figures to import"),
                    FileAllowed(["csv", "xlsx"], message="The file must be a CSV or Excel (.xlsx) file")],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class SaveStatisticsForm(AppForm):
    """The checked rows travel back signed, and are checked again from scratch before anything is written.

    `added` and `replaced` are what the preview said; if checking again gives other
    numbers (someone imported in between), the new preview is shown instead of saving.
    """

    payload = HiddenField()
    added = HiddenField()
    replaced = HiddenField()
    submit = SubmitField("Save the figures", widget=GovSubmitInput())


class OffenceTypeForm(AppForm):
    label = StringField(
        "Name", widget=GovTextInput(), description="As people will read it, for example Theft of a pedal cycle.",
        validators=[InputRequired(message="Enter a name, for example Theft of a pedal cycle"),
                    Length(max=MAX_LABEL, message=f"The name must be {MAX_LABEL} characters or fewer")],
    )
    key = StringField(
        "Key", widget=GovTextInput(),
        description="What import files put in the offence column. Lower-case letters, digits and underscores, "
                    "starting with a letter, for example cycle_theft. It cannot be changed later.",
        validators=[InputRequired(message="Enter a key, for example cycle_theft"),
                    Length(max=64, message="The key must be 64 characters or fewer")],
    )
    submit = SubmitField("Add offence type", widget=GovSubmitInput())
