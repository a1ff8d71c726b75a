"""Forms for setting up a DPS: its details, categories, zones and partners."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, StopValidation

from dps.forms import BaseForm, submit
from dps.services.dps_setup import MAX_DECISION_TARGET_DAYS, MAX_TERM_YEARS, REFERENCE_PATTERN
from dps.state.calendar import REGIMES
from dps.state.clock import now, to_london


class UpperCaseField(StringField):
    """Text kept in capitals without spaces (BaseForm replaces a field's own filters)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.upper().replace(" ", "")


class ChoiceMessage:
    """Radios, selects and checkboxes that say what to do, not "Not a valid choice"."""

    def __init__(self, *args, invalid_message: str = "Choose from the list", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValueError:
            raise StopValidation(self.invalid_message) from None


class ChoiceRadioField(ChoiceMessage, RadioField):
    pass


class ChoiceSelectField(ChoiceMessage, SelectField):
    pass


class ChoiceCheckboxesField(ChoiceMessage, SelectMultipleField):
    pass


class WholeNumberField(IntegerField):
    """A whole number typed into a text box, with a message in words when it is not one."""

    def __init__(self, *args, invalid_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if not text.isdigit() or len(text) > 4:
            self.data = None
            raise ValueError(self.invalid_message)
        self.data = int(text)


class GovDateField(Field):
    """A GOV.UK date input (day, month, year, all named after the field) with clear errors."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, *, what: str, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what  # "The start date", used in messages

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        # Always three parts, so the widget can show back what was typed.
        parts = [(value or "").strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if len(valuelist) > 3:
            raise ValueError(f"{self.what} must be a real date")
        day, month, year = parts
        if not any(parts):
            return  # InputRequired says what to do
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise ValueError(f"{self.what} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() for part in parts):
            raise ValueError(f"{self.what} must be a real date, in numbers, like 2 3 2026")
        if len(year) != 4:
            raise ValueError(f"The year must include 4 numbers, like {to_london(now()).year}")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.what} must be a real date") from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def regime_choices() -> list[tuple[str, str]]:
    return [(code, rules.name) for code, rules in REGIMES.items()]


class DpsForm(BaseForm):
    reference = UpperCaseField(
        "Reference",
        description="Capital letters, numbers and hyphens, like NCC-DPS-2026-01. It must be "
        "unique: providers quote it.",
        validators=[
            InputRequired(message="Enter a reference, like NCC-DPS-2026-01"),
            Length(max=40, message="Reference must be 40 characters or fewer"),
            Regexp(
                REFERENCE_PATTERN,
                message="Reference must be capital letters, numbers and hyphens only, "
                "like NCC-DPS-2026-01",
            ),
        ],
        widget=GovTextInput(),
    )
    title = StringField(
        "Title",
        description="For example, Home care in Nottinghamshire",
        validators=[
            InputRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    description = TextAreaField(
        "Description (optional)",
        description="What the DPS buys and for whom. Providers read this on the public pages.",
        validators=[
            Optional(),
            Length(max=5000, message="Description must be 5,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    regime = ChoiceRadioField(
        "Procurement regime",
        choices=regime_choices(),
        validators=[InputRequired(message="Select a procurement regime")],
        invalid_message="Select a procurement regime",
        widget=GovRadioInput(),
    )
    lead_authority_id = ChoiceSelectField(
        "Lead authority",
        description="The council that runs the DPS. Normally your own organisation.",
        coerce=int,
        validators=[InputRequired(message="Select the lead authority")],
        invalid_message="Select the lead authority from the list",
        widget=GovSelect(),
    )
    partner_ids = ChoiceCheckboxesField(
        "Partner authorities (optional)",
        description="Other authorities that will buy care through this DPS. Select all that apply.",
        coerce=int,
        validators=[Optional()],
        invalid_message="Select partner authorities from the list",
        widget=GovCheckboxesInput(),
    )
    starts_on = GovDateField(
        "Start date",
        description="The day it opens for applications, for example 2 3 2026",
        what="The start date",
        validators=[InputRequired(message="Enter the start date")],
    )
    term_years = WholeNumberField(
        "Term in years",
        description=f"Normally {MAX_TERM_YEARS} years. A PCR 2015 DPS ends on 24 February 2029 "
        "at the latest, whatever the term.",
        default=MAX_TERM_YEARS,
        invalid_message=f"Enter the term as a whole number of years, from 1 to {MAX_TERM_YEARS}",
        validators=[
            InputRequired(message="Enter the term in years"),
            NumberRange(
                min=1,
                max=MAX_TERM_YEARS,
                message=f"The term must be between 1 and {MAX_TERM_YEARS} years",
            ),
        ],
        widget=GovTextInput(),
    )
    decision_target_days = WholeNumberField(
        "Target for deciding applications, in working days",
        description="Used for a Procurement Act 2023 dynamic market (and the light-touch "
        "regime). Under PCR 2015 the law fixes it at 10 working days, so this is ignored.",
        default=10,
        invalid_message="Enter the target as a whole number of working days, like 10",
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_DECISION_TARGET_DAYS,
                message=f"The target must be between 1 and {MAX_DECISION_TARGET_DAYS} working days",
            ),
        ],
        widget=GovTextInput(),
    )
    conditions_of_membership = TextAreaField(
        "Conditions of membership (optional)",
        description="Only for a Procurement Act 2023 dynamic market: the conditions a provider "
        "must meet to join. Leave empty for any other regime.",
        validators=[
            Optional(),
            Length(max=5000, message="Conditions must be 5,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    submit = submit("Create DPS")


class CategoryForm(BaseForm):
    name = StringField(
        "Name",
        description="A type of service, for example Night care",
        validators=[
            InputRequired(message="Enter the name of the category"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    description = StringField(
        "Description (optional)",
        validators=[
            Optional(),
            Length(max=500, message="Description must be 500 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    submit = submit("Add category")


FLAG_CHOICES = [("hard_to_serve", "Hard to serve"), ("rural", "Rural")]


def _flags_field() -> ChoiceCheckboxesField:
    return ChoiceCheckboxesField(
        "Flags (optional)",
        description="Select all that apply",
        choices=FLAG_CHOICES,
        validators=[Optional()],
        invalid_message="Select flags from the list",
        widget=GovCheckboxesInput(),
    )


def _zone_name_field() -> StringField:
    return StringField(
        "Name",
        validators=[
            InputRequired(message="Enter the name of the zone"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
        widget=GovTextInput(),
    )


class ZoneForm(BaseForm):
    name = _zone_name_field()
    parent = ChoiceSelectField(
        "Where is it?",
        description="A district, or a locality inside a district",
        coerce=int,
        validators=[InputRequired(message="Select where the zone is")],
        invalid_message="Select where the zone is from the list",
        widget=GovSelect(),
    )
    flags = _flags_field()
    submit = submit("Add zone")


class ZoneEditForm(BaseForm):
    name = _zone_name_field()
    flags = _flags_field()
    submit = submit("Save zone")


class ZoneFlagsForm(BaseForm):
    flags = _flags_field()
    submit = submit("Save flags")


class PartnersForm(BaseForm):
    partner_ids = ChoiceCheckboxesField(
        "Partner authorities",
        description="Select all that apply",
        coerce=int,
        validators=[Optional()],
        invalid_message="Select partner authorities from the list",
        widget=GovCheckboxesInput(),
    )
    submit = submit("Save partners")


class ConfirmForm(BaseForm):
    """A button that only carries the CSRF token (publish, remove)."""

    submit = submit("Confirm")
