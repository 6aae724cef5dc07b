"""Forms for raising an action and recording its progress."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.actions.services import ORIGIN_DETAIL_MAX, TEXT_MAX, TITLE_MAX
from app.analysis.actions import ACTION_STATUS_LABELS
from app.forms_common import AppForm, GovDateField, VersionField
from app.models.action import ORIGIN_LABELS, ActionOrigin


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


class ChoiceRadioField(RadioField):
    """Radios whose posted value, if not one of the choices, gets the field's own message, not "Not a valid choice"."""

    def pre_validate(self, form: Any) -> None:
        if self.data not in {choice[0] for choice in self.iter_choices()}:
            required = next((v for v in self.validators if isinstance(v, InputRequired)), None)
            raise ValidationError(required.message if required and required.message else "Choose one of the options")


ORIGIN_DETAIL_HINT = ("For example: Overview and scrutiny committee, 12 March 2026, recommendation 4; "
                      "or the 2025 to 2026 plan's action to train licensing staff.")


class OriginActionForm(ActionForm):
    """An action that does not come from a gap: it says where it does come from."""

    names_in_messages = {**ActionForm.names_in_messages, "origin_detail": "Where it comes from"}

    FIRST: ClassVar[tuple[str, ...]] = ("origin", "origin_detail", "department")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Where the action comes from is asked first: the error summary follows the page's order.
        self._fields = {**{name: self._fields[name] for name in self.FIRST if name in self._fields}, **self._fields}

    origin = ChoiceRadioField(
        "Where does the action come from?", widget=GovRadioInput(),
        choices=[SelectChoice(origin.value, ORIGIN_LABELS[origin]) for origin in ActionOrigin
                 if origin is not ActionOrigin.GAP],
        validators=[InputRequired(message="Choose where the action comes from")],
    )
    origin_detail = TextAreaField(
        "Which recommendation, plan or decision is it?", widget=GovTextArea(), description=ORIGIN_DETAIL_HINT,
        validators=[InputRequired(message="Say which recommendation, plan or decision the action comes from"),
                    Length(max=ORIGIN_DETAIL_MAX,
                           message=f"Where it comes from must be {ORIGIN_DETAIL_MAX:,} characters or fewer")],
    )


class NewOriginActionForm(OriginActionForm):
    """A new action not from a gap: also for which department, or for the partnership as a whole."""

    department = SelectField(
        "Who is it for?", widget=GovSelect(), validate_choice=False,
        validators=[InputRequired(message="Choose who the action is for")],
    )


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
    files = MultipleFileField(
        "Attach files (optional)", widget=GovFileInput(multiple=True),
        description="Minutes, a report, a photograph: PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text.",
    )
    version = VersionField()
    submit = SubmitField("Save progress", widget=GovSubmitInput())
