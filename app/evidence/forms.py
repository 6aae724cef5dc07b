"""The upload form: one or more files for one answer."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from app.forms_common import AppForm


class UploadForm(AppForm):
    files = MultipleFileField(
        "Upload files", widget=GovFileInput(multiple=True),
        description="PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text. You can choose several at once.",
    )
    submit = SubmitField("Attach files", widget=GovSubmitInput())
