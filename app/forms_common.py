"""Form pieces shared by several areas, and AppForm: the base of every form in the app."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovRadioInput
from wtforms import DateField, Field, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from app.ids import parse_id
from app.text_input import ControlCharacterError, clean_text


def is_free_text(field: Field) -> bool:
    """Whether a field holds text a person types: the text rule applies to it.

    Every StringField (TextAreaField, EmailField, SearchField... are StringFields) except
    passwords, which are hashed exactly as typed and never stored or shown, and hidden
    fields, which carry values the app made (a version, a signed payload, a YAML text)
    that their own route checks. A field class can decide for itself with a `free_text`
    attribute (see HiddenTextField).
    """
    decided = getattr(field, "free_text", None)
    if decided is not None:
        return bool(decided)
    return isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField))


class HiddenTextField(HiddenField):
    """A hidden field whose value is text from a person, not from the app (an uploaded file's name)."""

    free_text = True


class VersionField(HiddenField):
    """The version of a record the page was built from, as a number.

    A posted value that is not a version (tampered with, or cut short) becomes -1,
    which no record has: the service then says the record changed, as it does for
    any out-of-date page, instead of failing on int().
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        version = parse_id(valuelist[0]) if valuelist else None
        self.data = version if version is not None else -1


class TextRule:
    """app/text_input.py's rule on one bound field: a filter that cleans, then the first validator.

    The filter cleans what was posted. Text with a control character is shown back
    with them removed (they are invisible, so nobody could find them to delete them),
    and the validator refuses it, naming the field, so that saving again is a choice.
    Text made only of invisible characters becomes "", and the validator empties
    raw_data to match, so that InputRequired and Optional see that nothing was typed.
    """

    def __init__(self, name: str, *, multiline: bool) -> None:
        self.name = name
        self.multiline = multiline
        self.problem: str | None = None

    def filter(self, data: Any) -> Any:
        self.problem = None
        if not isinstance(data, str):
            return data
        try:
            return clean_text(data, multiline=self.multiline)
        except ControlCharacterError as error:
            self.problem = error.message_for(self.name)
            return clean_text(data, multiline=self.multiline, strip_controls=True)

    def __call__(self, form: Any, field: Field) -> None:
        if self.problem:
            raise StopValidation(self.problem)
        if field.data == "" and field.raw_data and field.raw_data[0]:
            field.raw_data = [""]


def apply_text_rule(field: Field, name: str) -> None:
    multiline = bool(getattr(field, "multiline", isinstance(field, TextAreaField)))
    rule = TextRule(name, multiline=multiline)
    # New sequences: the field's own are shared by every instance of the form class.
    field.filters = (*field.filters, rule.filter)
    field.validators = [rule, *field.validators]
    field.text_rule = rule


class _LegendFromLabel:
    """A fieldset's legend is the field's label unless the template gives its own text.

    govuk-frontend-wtf puts the label in the legend only when the template passes no
    `fieldset` at all: a template that only sizes the legend ({"legend": {"classes": ...}})
    got a fieldset with an empty legend, so the dates, radios and checkboxes had no name
    (WCAG 1.3.1 and 3.3.2). Here the label fills in whatever the template left out.
    The library also gives every radio and checkbox group a hint, empty when the field
    has no description, that the fieldset's aria-describedby points at: an empty hint is dropped.
    """

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        hint = params.get("hint")
        if isinstance(hint, dict) and not (hint.get("text") or hint.get("html")):
            params.pop("hint")
        # New dicts: the merge may have put the template's own (reused) dicts into params.
        fieldset = dict(params.get("fieldset") or {})
        legend = dict(fieldset.get("legend") or {})
        if not (legend.get("text") or legend.get("html")):
            legend["text"] = field.label.text
        params["fieldset"] = {**fieldset, "legend": legend}
        return params


class LegendRadioInput(_LegendFromLabel, GovRadioInput):
    """Radios in a fieldset whose legend names the question."""


class LegendCheckboxesInput(_LegendFromLabel, GovCheckboxesInput):
    """Checkboxes in a fieldset whose legend names the question."""


class LegendDateInput(_LegendFromLabel, GovDateInput):
    """Day, month and year boxes in a fieldset whose legend names the date."""


# The library's group widgets, and ours that always name the group. GovCheckboxInput (one
# checkbox, a subclass of GovCheckboxesInput) has no fieldset, so it is matched by exact type only.
_NAMED_GROUP_WIDGETS: dict[type, type] = {
    GovRadioInput: LegendRadioInput,
    GovCheckboxesInput: LegendCheckboxesInput,
    GovDateInput: LegendDateInput,
}


def name_the_group(field: Field) -> None:
    """Give a group of radios, checkboxes or date boxes a widget whose legend is never empty."""
    named = _NAMED_GROUP_WIDGETS.get(type(field.widget))
    if named is not None:
        field.widget = named()


def _label_as_name(field: Field) -> str:
    text = field.label.text
    return text.removesuffix(" (optional)").strip() or field.short_name.replace("_", " ").capitalize()


class AppForm(FlaskForm):
    """The base of every form: app/text_input.py's rule on every free-text field (tests/unit/test_forms.py checks).

    Messages name a field by its label; a form whose label is a question or a sentence
    gives the name to use instead in `names_in_messages`, e.g. {"reason": "Reason"},
    the name its other messages use. Every group of radios, checkboxes or date boxes
    gets a legend that names it (see _LegendFromLabel), whatever the template passes.
    """

    names_in_messages: ClassVar[dict[str, str]] = {}

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)
            name_the_group(field)
            if is_free_text(field):
                apply_text_rule(field, type(form).names_in_messages.get(field.short_name) or _label_as_name(field))
            return field


class GovDateField(DateField):
    """A date as day, month and year boxes, with GOV.UK error messages instead of WTForms' defaults."""

    widget = LegendDateInput()

    def __init__(self, label: str = "", validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        # Always three boxes: the widget shows raw_data back as day, month and year, and a form
        # posted without them (or with more) would otherwise fail to render instead of saying why.
        parts = [part.strip() for part in valuelist[:3]] + [""] * (3 - len(valuelist[:3]))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            self.data = None
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        try:
            if len(parts[2]) != 4:
                raise ValueError
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, for example 31 3 2027") from None
