"""Forms for deciding applications and managing members: each asks for one decision."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
)
from wtforms import Field, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from dps.forms import BaseForm, clean_text, submit
from dps.services.membership import CQC_RATINGS

REASON_MAX = 5000


class _ChoiceMessage:
    """Checkboxes, radios and selects that say what to do instead of "Not a valid choice"."""

    def __init__(self, *args, invalid_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        try:
            super().pre_validate(form)
        except ValueError:
            raise StopValidation(self.invalid_message) from None


class CheckboxesField(_ChoiceMessage, SelectMultipleField):
    pass


class ChoiceRadioField(_ChoiceMessage, RadioField):
    pass


class ChoiceSelectField(_ChoiceMessage, SelectField):
    pass


class DateField(Field):
    """A GOV.UK date input (three boxes sharing the field's name) with messages in words."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, *, what: str, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        parts = [clean_text(value) or "" for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # always three, so the widget shows back what was typed
        self.data = None
        if len(valuelist) > 3:
            raise ValueError(f"{self.what} must be a real date")
        if not any(parts):
            return
        names = ("day", "month", "year")
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{self.what} must include a {' and a '.join(missing)}")
        day, month, year = parts
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise ValueError(f"{self.what} must be a real date, in numbers, like 27 3 2026")
        if len(year) != 4:
            raise ValueError("The year must include 4 numbers, like 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.what} must be a real date") from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def reason_field(label: str, hint: str, message: str, required: bool = True) -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        validators=[
            DataRequired(message=message) if required else Optional(),
            Length(max=REASON_MAX, message=f"Must be {REASON_MAX:,} characters or fewer"),
        ],
        widget=GovTextArea(),
    )


class AdmitForm(BaseForm):
    scope_ids = CheckboxesField(
        "Which services and zones do you admit the provider to?",
        description="Select all that apply. The provider is told it is not admitted to the rest.",
        coerce=int,
        validators=[InputRequired(message="Select at least one service and zone to admit")],
        invalid_message="Select services and zones from the list",
        widget=GovCheckboxesInput(),
    )
    reason = reason_field(
        "Reasons (needed if you do not admit to every service and zone)",
        "The provider reads this in the decision.",
        "",
        required=False,
    )
    submit = submit("Admit the provider")


class RejectForm(BaseForm):
    reason = reason_field(
        "Why are you rejecting this application?",
        "The provider reads this. Say which requirement is not met and why.",
        "Enter the reasons for rejecting the application",
    )
    submit = submit("Reject the application")


class ClarificationForm(BaseForm):
    reason = reason_field(
        "What do you need the provider to clarify?",
        "The provider reads this question and answers it on the platform.",
        "Enter your question to the provider",
    )
    submit = submit("Send the question")


class ExtendForm(BaseForm):
    reason = reason_field(
        "Why do you need longer to decide?",
        "The law allows the extension only where it is justified. The provider reads this.",
        "Enter the reason for extending the decision period",
    )
    submit = submit("Extend the decision period")


STATUS_LABELS = {
    "suspend": ("Why are you suspending this member?", "Suspend the member"),
    "reinstate": ("Why are you reinstating this member?", "Reinstate the member"),
    "remove": ("Why are you removing this member?", "Remove the member"),
}


class StatusChangeForm(BaseForm):
    reason = reason_field(
        "Reason",
        "The provider reads this.",
        "Enter the reason",
    )
    submit = submit("Confirm")


class DismissProposalForm(BaseForm):
    reason = reason_field(
        "Why are you not suspending this member?",
        "This is kept in the audit log.",
        "Enter the reason for not suspending",
    )
    submit = submit("Do not suspend")


class CqcRatingForm(BaseForm):
    rating = ChoiceRadioField(
        "What is the new CQC rating?",
        choices=[(rating, rating) for rating in CQC_RATINGS],
        validators=[InputRequired(message="Select the CQC rating")],
        invalid_message="Select the CQC rating",
        widget=GovRadioInput(),
    )
    rated_on = DateField(
        "When did CQC publish it?",
        description="For example, 27 3 2026",
        what="The date of the rating",
        validators=[InputRequired(message="Enter the date CQC published the rating")],
    )
    submit = submit("Record the rating")


class ReconfirmationForm(BaseForm):
    dps_id = ChoiceSelectField(
        "Which DPS?",
        coerce=int,
        validators=[InputRequired(message="Select the DPS")],
        invalid_message="Select the DPS from the list",
        widget=GovSelect(),
    )
    due_on = DateField(
        "Reply by",
        description="For example, 27 3 2026",
        what="The reply-by date",
        validators=[InputRequired(message="Enter the date members must reply by")],
    )
    message = reason_field(
        "Message to members",
        "Say what has changed, if anything, and what members should check.",
        "Enter a message to the members",
    )
    submit = submit("Send the request")
