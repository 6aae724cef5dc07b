"""Forms for managing accounts and organisation settings."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms_common import AppForm
from app.models import Department, Role
from app.models.user import ROLE_LABELS


class UserForm(AppForm):
    name = StringField(
        "Full name", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's full name"),
                    Length(max=120, message="Full name must be 120 characters or fewer")],
    )
    email = StringField(
        "Email address", widget=GovTextInput(),
        validators=[InputRequired(message="Enter an email address"),
                    Length(max=254, message="Email address must be 254 characters or fewer")],
    )
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired(message="Choose a role")])
    departments = SelectMultipleField(
        "Departments", widget=GovCheckboxesInput(), coerce=int,
        description="Lead officers answer for these departments. Leave empty for other roles.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def set_choices(self, roles: list[Role], departments: list[Department]) -> None:
        self.role.choices = [SelectChoice(role.value, ROLE_LABELS[role]) for role in roles]
        self.departments.choices = [SelectChoice(d.id, f"{d.name} ({d.code})" + ("" if d.active else ", retired"))
                                    for d in departments]


class OrganisationForm(AppForm):
    names_in_messages = {"partnership_name": "Partnership name"}

    council_name = StringField(
        "Council name", widget=GovTextInput(),
        description="Shown in the header of every page.",
        validators=[InputRequired(message="Enter the council's name"),
                    Length(max=150, message="Council name must be 150 characters or fewer")],
    )
    partnership_name = StringField(
        "Community safety partnership name", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the partnership's name"),
                    Length(max=150, message="Partnership name must be 150 characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ConfirmForm(AppForm):
    """A form with only a CSRF token and a button, for actions confirmed on a page of their own."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
