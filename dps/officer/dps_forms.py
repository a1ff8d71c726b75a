"""Forms for setting up a DPS: its details, categories, zones and partners."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from dps.fields import (
    ChoiceCheckboxesField,
    ChoiceRadioField,
    ChoiceSelectField,
    DateField,
    WholeNumberField,
    text_field,
    upper,
)
from dps.forms import BaseForm, submit
from dps.services.dps_setup import MAX_DECISION_TARGET_DAYS, MAX_TERM_YEARS, REFERENCE_PATTERN
from dps.state.calendar import REGIMES


def regime_choices() -> list[tuple[str, str]]:
    return [(code, rules.name) for code, rules in REGIMES.items()]


class DpsForm(BaseForm):
    reference = StringField(
        "Reference",
        description="Capital letters, numbers and hyphens, like NCC-DPS-2026-01. It must be "
        "unique: providers quote it.",
        filters=[upper],
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
    title = text_field(
        "Title",
        description="For example, Home care in Nottinghamshire",
        required="Enter a title",
        max_length=200,
        too_long="Title must be 200 characters or fewer",
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
        required="Select a procurement regime",
    )
    lead_authority_id = ChoiceSelectField(
        "Lead authority",
        description="The council that runs the DPS. Normally your own organisation.",
        coerce=int,
        required="Select the lead authority",
        invalid_message="Select the lead authority from the list",
    )
    partner_ids = ChoiceCheckboxesField(
        "Partner authorities (optional)",
        description="Other authorities that will buy care through this DPS. Select all that apply.",
        coerce=int,
        invalid_message="Select partner authorities from the list",
    )
    starts_on = DateField(
        "Start date",
        description="The day it opens for applications, for example 2 3 2026",
        what="The start date",
        required="Enter the start date",
        join_missing=" and a ",
    )
    term_years = WholeNumberField(
        "Term in years",
        description=f"Normally {MAX_TERM_YEARS} years. A PCR 2015 DPS ends on 24 February 2029 "
        "at the latest, whatever the term.",
        default=MAX_TERM_YEARS,
        invalid_message=f"Enter the term as a whole number of years, from 1 to {MAX_TERM_YEARS}",
        required="Enter the term in years",
        validators=[
            NumberRange(
                min=1,
                max=MAX_TERM_YEARS,
                message=f"The term must be between 1 and {MAX_TERM_YEARS} years",
            ),
        ],
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
    name = text_field(
        "Name",
        description="A type of service, for example Night care",
        required="Enter the name of the category",
        max_length=120,
        too_long="Name must be 120 characters or fewer",
    )
    description = text_field(
        "Description (optional)",
        required=None,
        max_length=500,
        too_long="Description must be 500 characters or fewer",
    )
    submit = submit("Add category")


FLAG_CHOICES = [("hard_to_serve", "Hard to serve"), ("rural", "Rural")]


def _flags_field() -> ChoiceCheckboxesField:
    return ChoiceCheckboxesField(
        "Flags (optional)",
        description="Select all that apply",
        choices=FLAG_CHOICES,
        invalid_message="Select flags from the list",
    )


def _zone_name_field() -> StringField:
    return text_field(
        "Name",
        required="Enter the name of the zone",
        max_length=120,
        too_long="Name must be 120 characters or fewer",
    )


class ZoneForm(BaseForm):
    name = _zone_name_field()
    parent = ChoiceSelectField(
        "Where is it?",
        description="A district, or a locality inside a district",
        coerce=int,
        required="Select where the zone is",
        invalid_message="Select where the zone is from the list",
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
        invalid_message="Select partner authorities from the list",
    )
    submit = submit("Save partners")


class ConfirmForm(BaseForm):
    """A button that only carries the CSRF token (publish, remove)."""

    submit = submit("Confirm")
