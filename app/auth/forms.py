"""Sign-in and password forms, rendered with the GOV.UK widgets."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from app.forms_common import AppForm


class SignInForm(AppForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"),
                    Length(max=254, message="Email address must be 254 characters or fewer"),
                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                           message="Enter an email address in the correct format, like name@council.gov.uk")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"),
                    Length(max=1024, message="Password must be 1,024 characters or fewer")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(AppForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password"),
                    Length(max=1024, message="Password must be 1,024 characters or fewer")],
    )
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. A few unrelated words make a password that is long and easy to remember.",
        validators=[InputRequired(message="Enter a new password"),
                    Length(max=1024, message="Password must be 1,024 characters or fewer")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgottenPasswordForm(AppForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="The address you sign in with.",
        validators=[InputRequired(message="Enter your email address"),
                    Length(max=254, message="Email address must be 254 characters or fewer"),
                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                           message="Enter an email address in the correct format, like name@council.gov.uk")],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ResetPasswordForm(AppForm):
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. A few unrelated words make a password that is long and easy to remember.",
        validators=[InputRequired(message="Enter a new password"),
                    Length(max=1024, message="Password must be 1,024 characters or fewer")],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class SubmittedMailForm(AppForm):
    submitted_mail = RadioField(
        "When a return is submitted for review", widget=GovRadioInput(),
        choices=[SelectChoice("each", "E-mail me about each one as it is submitted"),
                 SelectChoice("digest", "E-mail me once a day, in the morning, listing the returns submitted")],
        validators=[InputRequired(message="Choose how you want to hear about submitted returns")])
    submit = SubmitField("Save", widget=GovSubmitInput())
