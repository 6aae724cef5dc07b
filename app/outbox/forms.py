"""The chase form: which returns, and an optional note from the sender."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms_common import AppForm
from app.mail.chase import MAX_NOTE


class ChaseForm(AppForm):
    returns = SelectMultipleField("Returns to chase", widget=GovCheckboxesInput(), coerce=int,
                                  validate_choice=False)
    note = TextAreaField(
        "Add a note to the message (optional)", widget=GovTextArea(),
        description="It appears in every message, under your name. For example, the date of the partnership "
                    "meeting that will discuss the results.",
        validators=[Optional(), Length(max=MAX_NOTE, message=f"The note must be {MAX_NOTE:,} characters or fewer")])
    batch = HiddenField()
    submit = SubmitField("Preview the message", widget=GovSubmitInput())
