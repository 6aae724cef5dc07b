"""Forms for raising an action and recording its progress."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.actions.services import TEXT_MAX, TITLE_MAX
from app.analysis.actions import ACTION_STATUS_LABELS
from app.forms_common import AppForm, GovDateField, VersionField


class ActionForm(AppForm):
    names_in_messages = {"title": "Title"}

    title = StringField(
        "What will be done", widget=GovTextInput(),
        description="A short title, for example: Add a crime and disorder section to the committee report template.",
        validators=[InputRequired(message="Enter a title for the action"),
                    Length(max=TITLE_MAX, message=f"Title must be {TITLE_MAX} characters or fewer")],
    )
    done_looks_like = TextAreaField(
        "What ‘done’ looks like", widget=GovCharacterCount(),
        description="How you will know the action is complete, and what evidence will show it.",
        validators=[InputRequired(message="Say what ‘done’ looks like, so everyone knows when to close it"),
                    Length(max=TEXT_MAX, message=f"This must be {TEXT_MAX:,} characters or fewer")],
    )
    owner = SelectField("Owner", widget=GovSelect(), coerce=int, validate_choice=False,
                        description="The person who makes sure it happens.")
    due_date = GovDateField("Due date", description="For example, 31 3 2027.",
                            validators=[InputRequired(message="Enter the date the action is due")])
    version = VersionField()
    submit = SubmitField("Save action", widget=GovSubmitInput())


class ProgressForm(AppForm):
    names_in_messages = {"dropped_reason": "Reason"}

    status = RadioField(
        "Status", widget=GovRadioInput(),
        choices=[SelectChoice(key.value, label) for key, label in ACTION_STATUS_LABELS.items()],
        validators=[InputRequired(message="Choose the action's status")],
    )
    dropped_reason = TextAreaField(
        "Why is it being dropped?", widget=GovTextArea(),
        description="Needed only if you drop the action. The reason stays on the record.",
        validators=[Optional(), Length(max=TEXT_MAX, message=f"Reason must be {TEXT_MAX:,} characters or fewer")],
    )
    note = TextAreaField(
        "Progress note", widget=GovCharacterCount(),
        description="What has happened since the last note. It is dated and kept with your name.",
        validators=[Length(max=TEXT_MAX, message=f"Note must be {TEXT_MAX:,} characters or fewer")],
    )
    version = VersionField()
    submit = SubmitField("Save progress", widget=GovSubmitInput())
