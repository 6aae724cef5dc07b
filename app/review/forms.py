"""The review page's forms: the decision, and the comments and checks on single answers."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms_common import AppForm, VersionField
from app.review.comments import COMMENT_MAX_LENGTH
from app.review.services import REASON_MAX_LENGTH


class ReturnForm(AppForm):
    names_in_messages = {"reason": "Reason"}

    reason = TextAreaField(
        "What needs to change?", widget=GovCharacterCount(),
        description="The lead officer sees this on their return, with your comments beside each question.",
        validators=[InputRequired(message="Say what needs to change, so the lead officer knows what to do"),
                    Length(max=REASON_MAX_LENGTH, message=f"Reason must be {REASON_MAX_LENGTH:,} characters or fewer")],
    )
    version = VersionField()
    submit = SubmitField("Return for changes", widget=GovSubmitInput())


class AcceptForm(AppForm):
    version = VersionField()
    # shown only while comments are open: accepting then is a choice the reviewer confirms
    open_comments_seen = BooleanField("Accept the return with these comments still open",
                                      widget=GovCheckboxInput())
    submit = SubmitField("Accept return", widget=GovSubmitInput())


class CommentForm(AppForm):
    names_in_messages = {"body": "Comment"}

    question = HiddenField()
    body = TextAreaField(
        "Your comment on this answer", widget=GovCharacterCount(),
        description="The lead officers see it beside this question once you have made your decision.",
        validators=[InputRequired(message="Enter your comment"),
                    Length(max=COMMENT_MAX_LENGTH,
                           message=f"Comment must be {COMMENT_MAX_LENGTH:,} characters or fewer")],
    )
    submit = SubmitField("Add comment", widget=GovSubmitInput())


class ReplyForm(AppForm):
    names_in_messages = {"body": "Reply"}

    body = TextAreaField(
        "Your reply", widget=GovCharacterCount(),
        description="Say why the answer stands as it is, or where the evidence is. "
                    "If the answer needs to change, change it on the section page instead.",
        validators=[InputRequired(message="Enter your reply"),
                    Length(max=COMMENT_MAX_LENGTH, message=f"Reply must be {COMMENT_MAX_LENGTH:,} characters or fewer")],
    )
    submit = SubmitField("Send reply", widget=GovSubmitInput())


class ButtonForm(AppForm):
    """A button that changes one thing (mark checked, resolve, delete): only the CSRF token to check."""
