"""Forms for signing in, registering and choosing passwords."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovTextInput
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, Regexp

from dps.forms import BaseForm, PasswordStrength, submit
from dps.models.organisation import SIZE_LABELS

EMAIL = [
    InputRequired(message="Enter your e-mail address"),
    Length(max=254, message="E-mail address must be 254 characters or fewer"),
    Email(
        message="Enter an e-mail address in the correct format, like name@example.com",
        check_deliverability=False,
    ),
]
COMPANIES_HOUSE = Regexp(
    r"^(?:\d{8}|[A-Z]{2}\d{6})$",
    message="Enter a Companies House number of 8 characters, like 01234567 or SC123456",
)
CQC_PROVIDER = Regexp(r"^1-\d{8,11}$", message="Enter a CQC provider ID in the format 1-101234567")


def upper(value):
    return value.upper().replace(" ", "") if isinstance(value, str) else value


class SignInForm(BaseForm):
    email = EmailField("E-mail address", validators=EMAIL, widget=GovTextInput())
    password = PasswordField(
        "Password",
        validators=[InputRequired(message="Enter your password"), Length(max=200)],
        widget=GovPasswordInput(),
    )
    submit = submit("Sign in")


class RegisterForm(BaseForm):
    organisation_name = StringField(
        "Organisation name",
        description="The legal name of your care provider",
        validators=[
            InputRequired(message="Enter your organisation's name"),
            Length(max=200, message="Organisation name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    companies_house_number = StringField(
        "Companies House number (optional)",
        description="8 characters, like 01234567. Leave blank if you are not a company.",
        filters=[upper],
        validators=[
            Optional(),
            Length(max=8, message="Companies House number is 8 characters"),
            COMPANIES_HOUSE,
        ],
        widget=GovTextInput(),
    )
    cqc_provider_id = StringField(
        "CQC provider ID (optional)",
        description="Like 1-101234567",
        filters=[upper],
        validators=[
            Optional(),
            Length(max=20, message="CQC provider ID is too long"),
            CQC_PROVIDER,
        ],
        widget=GovTextInput(),
    )
    size = RadioField(
        "How many people work for your organisation?",
        choices=[(key.value, label) for key, label in SIZE_LABELS.items()],
        validators=[InputRequired(message="Select the size of your organisation")],
        widget=GovRadioInput(),
    )
    full_name = StringField(
        "Your full name",
        validators=[
            InputRequired(message="Enter your full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    email = EmailField("Your e-mail address", validators=EMAIL, widget=GovTextInput())
    password = PasswordField(
        "Choose a password",
        description="At least 10 characters, mixing letters with numbers or symbols",
        validators=[InputRequired(message="Choose a password"), PasswordStrength()],
        widget=GovPasswordInput(),
    )
    submit = submit("Create account")


class ForgottenPasswordForm(BaseForm):
    email = EmailField("E-mail address", validators=EMAIL, widget=GovTextInput())
    submit = submit("Send me a link")


class NewPasswordForm(BaseForm):
    password = PasswordField(
        "New password",
        description="At least 10 characters, mixing letters with numbers or symbols",
        validators=[InputRequired(message="Enter a new password"), PasswordStrength()],
        widget=GovPasswordInput(),
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            InputRequired(message="Confirm your new password"),
            EqualTo("password", message="The passwords do not match"),
        ],
        widget=GovPasswordInput(),
    )
    submit = submit("Save password")
