"""Every form in the app is an AppForm, so every free-text field has app/text_input.py's rule.

The forms are found by importing every module under app/ and walking the subclasses
of WTForms' Form: a new form that forgets the base fails here, wherever it is defined.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, PasswordField, StringField

import app as app_package
from app.forms_common import AppForm, HiddenTextField, TextRule, is_free_text


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def _app_forms() -> list[type]:
    for module in pkgutil.walk_packages(app_package.__path__, prefix="app."):
        importlib.import_module(module.name)
    forms = [cls for cls in _all_subclasses(Form) if cls.__module__.startswith("app.") and cls is not AppForm]
    return sorted(forms, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORMS = _app_forms()


@pytest.fixture
def request_context():
    flask_app = Flask(__name__)
    flask_app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    with flask_app.test_request_context(method="POST"):
        yield


def _name(form_class: type) -> str:
    return f"{form_class.__module__}.{form_class.__qualname__}"


def test_the_forms_are_found():
    names = {cls.__qualname__ for cls in FORMS}
    assert {"DepartmentForm", "UserForm", "OrganisationForm", "PeerForm", "ReturnForm", "ActionForm", "RevokeForm",
            "SignInForm", "CycleForm", "InvitationForm"} <= names
    assert len(FORMS) >= 20


@pytest.mark.parametrize("form_class", FORMS, ids=_name)
def test_every_form_inherits_the_app_form(form_class):
    assert issubclass(form_class, AppForm), (
        f"{_name(form_class)} must inherit app.forms_common.AppForm, so that its text fields get the text rule")


@pytest.mark.parametrize("form_class", FORMS, ids=_name)
def test_every_free_text_field_has_the_rule_first_and_only_once(request_context, form_class):
    form_class()  # a second instance must not add the rule again to shared validators
    form = form_class()
    for field in form:
        rule = getattr(field, "text_rule", None)
        text = isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField))
        if text or isinstance(field, HiddenTextField):
            assert is_free_text(field) and isinstance(rule, TextRule), f"{field.name} has no text rule"
            assert field.validators[0] is rule and sum(isinstance(v, TextRule) for v in field.validators) == 1
            assert field.filters[-1] == rule.filter and len(field.filters) == len(set(field.filters))
            # Messages name the field as a noun, like its other messages: "Reason must not...", not "Why (optional)".
            assert rule.name and not rule.name.endswith("?") and "(" not in rule.name, (
                f"{_name(form_class)}.{field.name}: give a name for messages in names_in_messages")
        else:
            assert rule is None, f"{field.name} is not free text but has the text rule"


@pytest.mark.parametrize("form_class", FORMS, ids=_name)
@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x7f", "\x9b"], ids=["NUL", "BEL", "DEL", "CSI"])
def test_every_free_text_field_refuses_control_characters_by_name(request_context, form_class, bad):
    text_fields = [field.name for field in form_class() if getattr(field, "text_rule", None)]
    form = form_class(formdata=MultiDict({name: f"Hous{bad}ing" for name in text_fields}))
    for name in text_fields:
        field = form[name]
        field.validate(form)  # the field alone: some forms' choices are set by their route
        assert field.errors and field.errors[0] == f"{field.text_rule.name} must not contain control characters"
        assert field.data == "Housing"  # shown back without them: saving again is a choice


def test_an_invisible_only_text_fails_required_with_the_fields_own_message(request_context):
    from app.departments.forms import DepartmentForm

    form = DepartmentForm(formdata=MultiDict({"name": "\u200b\u200b \u2060", "code": "REV",
                                              "description": "\ufeff\u00ad"}))
    assert not form.validate()
    assert form.name.errors == ["Enter the department's name"]
    assert form.description.errors == [] and form.description.data == ""


def test_text_is_nfc_and_one_line_fields_have_single_spaces(request_context):
    from app.departments.forms import DepartmentForm

    form = DepartmentForm(formdata=MultiDict({"name": "  Cafe\u0301\t Services ", "code": "CAFE",
                                              "description": "Line one\r\nLine\ttwo "}))
    assert form.validate(), form.errors
    assert (form.name.data, form.description.data) == ("Caf\u00e9 Services", "Line one\nLine\ttwo")


def test_passwords_are_left_exactly_as_typed(request_context):
    from app.auth.forms import SignInForm

    form = SignInForm(formdata=MultiDict({"email": "a@b.example", "password": " Cafe\u0301 \u200b "}))
    assert form.validate()
    assert form.password.data == " Cafe\u0301 \u200b "


@pytest.mark.parametrize("form_class", FORMS, ids=_name)
def test_every_group_of_choices_or_date_boxes_gets_a_widget_that_names_it(request_context, form_class):
    """govuk-frontend-wtf drops the legend's text when a template passes a fieldset only to size it."""
    from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovDateInput, GovRadioInput

    from app.forms_common import LegendCheckboxesInput, LegendDateInput, LegendRadioInput

    for field in form_class():
        widget = field.widget
        if isinstance(widget, (GovRadioInput, GovCheckboxesInput, GovDateInput)) and not isinstance(
                widget, GovCheckboxInput):
            assert isinstance(widget, (LegendRadioInput, LegendCheckboxesInput, LegendDateInput)), (
                f"{_name(form_class)}.{field.name} would have no legend when its template sizes the fieldset")


def test_a_legend_given_only_a_size_is_named_by_the_label_and_a_given_text_is_kept(request_context):
    from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
    from wtforms import RadioField
    from wtforms.fields.choices import SelectChoice

    from app.forms_common import GovDateField, LegendRadioInput

    class Form(AppForm):
        when = GovDateField("Due date")
        colour = RadioField("Colour", widget=GovRadioInput(), choices=[SelectChoice("r", "Red")])

    form = Form()
    assert isinstance(form.colour.widget, LegendRadioInput)  # the library's widget, swapped when the form is made
    sized = {"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}}
    for field, label in ((form.when, "Due date"), (form.colour, "Colour")):
        params = field.widget.map_gov_params(field, id=field.id, items=[], params=sized)
        assert params["fieldset"]["legend"] == {"text": label, "classes": "govuk-fieldset__legend--s"}
        assert not params.get("hint")  # no empty hint for the fieldset's aria-describedby to point at
        own = field.widget.map_gov_params(field, id=field.id, items=[],
                                          params={"fieldset": {"legend": {"text": "When is it due?"}}})
        assert own["fieldset"]["legend"]["text"] == "When is it due?"
