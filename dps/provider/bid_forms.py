"""Forms for writing a bid. They carry what was typed; the bid service checks it and says why
anything is refused, so a draft and an API call follow the same rules."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from dps.forms import BaseForm, submit
from dps.services.bid_content import ANSWER_MAX_CHARS, MAX_NAME, ROLES, CostField

NUMBER_TEXT = 40  # longer than any figure; the service says what is wrong with it


class ConfirmForm(BaseForm):
    """A button with a CSRF token: start, submit, withdraw, remove, done."""

    submit = submit("Continue")


class AnswerForm(BaseForm):
    answer = TextAreaField(
        "Your answer",
        validators=[
            Optional(),
            Length(
                max=ANSWER_MAX_CHARS,
                message=f"Your answer must be {ANSWER_MAX_CHARS:,} characters or fewer",
            ),
        ],
        widget=GovCharacterCount(),
    )
    submit = submit("Save and continue")


def _number(label: str, description: str = "") -> StringField:
    return StringField(
        label,
        description=description,
        validators=[Length(max=NUMBER_TEXT, message=f"{label} must be a number")],
        widget=GovTextInput(),
    )


def cost_form_class(fields: tuple[CostField, ...]) -> type[BaseForm]:
    """One text input per parameter of the tender's cost template, named cost_<parameter>."""
    attributes = {f"cost_{field.name}": _number(field.label, field.description) for field in fields}
    attributes["submit"] = submit("Save and calculate")
    return type("CostForm", (BaseForm,), attributes)


class CallRatesForm(BaseForm):
    rate_15 = _number("15-minute visit")
    rate_30 = _number("30-minute visit")
    rate_45 = _number("45-minute visit")
    rate_60 = _number("60-minute visit")
    submit = submit("Save and continue")


class CapacityForm(BaseForm):
    capacity_hours = _number(
        "Hours of care a week you can take on in this lot",
        "Include the hours your subcontractors or partners will deliver.",
    )
    submit = submit("Save and continue")


class PartnerForm(BaseForm):
    name = StringField(
        "Name of the organisation",
        validators=[
            Length(max=MAX_NAME, message=f"The name must be {MAX_NAME} characters or fewer")
        ],
        widget=GovTextInput(),
    )
    role = RadioField(
        "Role",
        choices=list(ROLES.items()),
        validate_choice=False,
        widget=GovRadioInput(),
    )
    zones = SelectMultipleField(
        "Zones it will work in", choices=[], validate_choice=False, widget=GovCheckboxesInput()
    )
    share = _number("Share of the hours it will deliver", "As a percentage, like 25")
    submit = submit("Add")
