"""Forms for the peer register and invitation links."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms_common import AppForm, GovDateField, HiddenTextField
from app.text_input import ungrouped_number


class WholeNumberField(IntegerField):
    """A whole number, typed with or without thousands separators, with a message that says what to type instead
    of WTForms' own."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        digits = ungrouped_number(text)  # "94,600" and "94 600" as people copy them from reports
        if digits is None or not (digits.isascii() and digits.isdigit()):  # ASCII digits only: int() refuses "²"
            self.data = None
            raise ValueError(f"{self.label.text} must be a whole number, like 94,600")
        self.data = int(digits)


class PeerForm(AppForm):
    """A partnership in the register. Its family group is chosen from those the register knows, or named once as new:
    benchmarking compares groups exactly, so typing one again could split it in two."""

    names_in_messages = {"family_group": "Family group"}

    name = StringField("Name", widget=GovTextInput(), description="As the partnership is usually known, e.g. Amber Valley.",
                       validators=[InputRequired(message="Enter the partnership's name"),
                                   Length(max=150, message="Name must be 150 characters or fewer")])
    area = StringField("Area", widget=GovTextInput(), description="Optional. For example, the county it is in.",
                       validators=[Length(max=150, message="Area must be 150 characters or fewer")])
    population = WholeNumberField(
        "Population", widget=GovTextInput(), description="Optional. The population of its area, a whole number.",
        validators=[Optional(), NumberRange(min=1, max=100_000_000,
                                            message="Population must be a whole number of people above 0")])
    family_group_choice = RadioField(
        "Family group", widget=GovRadioInput(),
        description="The group of similar partnerships it is compared with. Crime figures are compared "
                    "within our own partnership's group.",
        validate_choice=False)  # app/benchmarking/register.py chosen_family_group says what is wrong
    family_group = StringField(
        "Name of the new family group", widget=GovTextInput(),
        description="For example, Family group 12, as your crime figures name it.",
        validators=[Length(max=100, message="Family group must be 100 characters or fewer")])
    is_own = BooleanField("This is our own partnership", widget=GovCheckboxInput())
    submit = SubmitField("Save", widget=GovSubmitInput())


class RegisterImportForm(AppForm):
    sheet = FileField(
        "Spreadsheet", widget=GovFileInput(),
        description="A CSV or Excel (.xlsx) file. The first row names the columns: name, area, population, "
                    "family_group, own.",
        validators=[FileRequired(message="Choose the spreadsheet to import"),
                    FileAllowed(["csv", "xlsx"], message="The spreadsheet must be a CSV or Excel (.xlsx) file")])
    submit = SubmitField("Check the spreadsheet", widget=GovSubmitInput())


class SaveRegisterImportForm(AppForm):
    """The checked sheet travels back to be saved, and is checked again before anything is written."""

    checked_sheet = HiddenField()  # not "sheet": the upload's own field would fill it on the preview
    source = HiddenTextField()  # the uploaded file's name, recorded in the audit log
    submit = SubmitField("Import the partnerships", widget=GovSubmitInput())


class InvitationForm(AppForm):
    names_in_messages = {"contact_name": "Name", "contact_email": "Email address"}

    cycle = SelectField("Audit cycle", widget=GovSelect(), coerce=str,
                        validators=[InputRequired(message="Choose the audit cycle")])
    contact_name = StringField("Name of the person you are inviting", widget=GovTextInput(),
                               validators=[InputRequired(message="Enter the name of the person you are inviting"),
                                           Length(max=150, message="Name must be 150 characters or fewer")])
    contact_email = StringField("Their email address", widget=GovTextInput(),
                                description="The link is e-mailed here if you choose below, and reminders go here "
                                            "before it expires.",
                                validators=[InputRequired(message="Enter their email address"),
                                            Length(max=254, message="Email address must be 254 characters or fewer")])
    expires_on = GovDateField("Last day the link works", description="For example, 31 3 2027.",
                              validators=[InputRequired(message="Enter the last day the link works")])
    send_by_email = RadioField(
        "How will they get the link?", widget=GovRadioInput(), default="email",
        choices=[SelectChoice("email", "The service e-mails it to them, and reminds them before it expires"),
                 SelectChoice("myself", "I will send it myself")],
        validators=[InputRequired(message="Choose how they will get the link")])
    submit = SubmitField("Make the link", widget=GovSubmitInput())


class RevokeForm(AppForm):
    names_in_messages = {"reason": "Reason"}

    reason = TextAreaField("Why (optional)", widget=GovTextArea(),
                           description="For example: sent to the wrong person.",
                           validators=[Length(max=500, message="Reason must be 500 characters or fewer")])
    submit = SubmitField("Revoke the link", widget=GovSubmitInput())


class NewLinkForm(AppForm):
    expires_on = GovDateField("Last day the new link works", description="For example, 31 3 2027.",
                              validators=[InputRequired(message="Enter the last day the new link works")])
    submit = SubmitField("Make a new link", widget=GovSubmitInput())
