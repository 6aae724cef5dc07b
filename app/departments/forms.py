"""Department form."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms_common import AppForm


class DepartmentForm(AppForm):
    names_in_messages = {"description": "Description"}

    name = StringField(
        "Name", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the department's name"),
                    Length(max=120, message="Name must be 120 characters or fewer")],
    )
    code = StringField(
        "Short code", widget=GovTextInput(),
        description="2 to 16 letters, numbers or hyphens, used in reports and file names. For example, HOUS.",
        validators=[InputRequired(message="Enter a short code"),
                    Length(max=16, message="Short code must be 16 characters or fewer")],
    )
    description = TextAreaField(
        "Where its work touches crime and disorder", widget=GovTextArea(),
        description="For example: licensing, street lighting, tenancy enforcement. The lead officer sees this.",
        validators=[Length(max=2000, message="Description must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
