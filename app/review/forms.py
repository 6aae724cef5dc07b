"""The return-with-a-reason form."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms_common import AppForm, VersionField
from app.review.services import REASON_MAX_LENGTH


class ReturnForm(AppForm):
    names_in_messages = {"reason": "Reason"}

    reason = TextAreaField(
        "What needs to change?", widget=GovCharacterCount(),
        description="The lead officer sees this on their return. Say which answers to look at and what is missing.",
        validators=[InputRequired(message="Say what needs to change, so the lead officer knows what to do"),
                    Length(max=REASON_MAX_LENGTH, message=f"Reason must be {REASON_MAX_LENGTH:,} characters or fewer")],
    )
    version = VersionField()
    submit = SubmitField("Return for changes", widget=GovSubmitInput())


class AcceptForm(AppForm):
    version = VersionField()
    submit = SubmitField("Accept return", widget=GovSubmitInput())
