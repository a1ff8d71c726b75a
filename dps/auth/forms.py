"""Forms for signing in, registering and choosing passwords."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput
from wtforms import PasswordField, RadioField
from wtforms.validators import EqualTo, InputRequired, Length

from dps.fields import (
    companies_house_field,
    cqc_provider_field,
    email_field,
    full_name_field,
    text_field,
)
from dps.forms import BaseForm, PasswordStrength, submit
from dps.models.organisation import SIZE_LABELS


def _new_password(label: str, required: str) -> PasswordField:
    return PasswordField(
        label,
        description="At least 10 characters, mixing letters with numbers or symbols",
        validators=[InputRequired(message=required), PasswordStrength()],
        widget=GovPasswordInput(),
    )


class SignInForm(BaseForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired(message="Enter your password"), Length(max=200)],
        widget=GovPasswordInput(),
    )
    submit = submit("Sign in")


class RegisterForm(BaseForm):
    organisation_name = text_field(
        "Organisation name",
        description="The legal name of your care provider",
        required="Enter your organisation's name",
        max_length=200,
        too_long="Organisation name must be 200 characters or fewer",
    )
    companies_house_number = companies_house_field(
        "Companies House number (optional)",
        "8 characters, like 01234567. Leave blank if you are not a company.",
    )
    cqc_provider_id = cqc_provider_field("CQC provider ID (optional)", "Like 1-101234567")
    size = RadioField(
        "How many people work for your organisation?",
        choices=[(key.value, label) for key, label in SIZE_LABELS.items()],
        validators=[InputRequired(message="Select the size of your organisation")],
        widget=GovRadioInput(),
    )
    full_name = full_name_field("Your full name", required="Enter your full name")
    email = email_field("Your e-mail address")
    password = _new_password("Choose a password", "Choose a password")
    submit = submit("Create account")


class ForgottenPasswordForm(BaseForm):
    email = email_field()
    submit = submit("Send me a link")


class NewPasswordForm(BaseForm):
    password = _new_password("New password", "Enter a new password")
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            InputRequired(message="Confirm your new password"),
            EqualTo("password", message="The passwords do not match"),
        ],
        widget=GovPasswordInput(),
    )
    submit = submit("Save password")
