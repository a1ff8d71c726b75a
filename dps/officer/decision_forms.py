"""Forms for deciding applications and managing members: each asks for one decision."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from dps.fields import ChoiceCheckboxesField, ChoiceRadioField, ChoiceSelectField, DateField
from dps.forms import BaseForm, submit
from dps.services.membership import CQC_RATINGS

REASON_MAX = 5000


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
    scope_ids = ChoiceCheckboxesField(
        "Which services and zones do you admit the provider to?",
        description="Select all that apply. The provider is told it is not admitted to the rest.",
        coerce=int,
        required="Select at least one service and zone to admit",
        invalid_message="Select services and zones from the list",
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
        required="Select the CQC rating",
    )
    rated_on = DateField(
        "When did CQC publish it?",
        description="For example, 27 3 2026",
        what="The date of the rating",
        required="Enter the date CQC published the rating",
        join_missing=" and a ",
    )
    submit = submit("Record the rating")


class ReconfirmationForm(BaseForm):
    dps_id = ChoiceSelectField(
        "Which DPS?",
        coerce=int,
        required="Select the DPS",
        invalid_message="Select the DPS from the list",
    )
    due_on = DateField(
        "Reply by",
        description="For example, 27 3 2026",
        what="The reply-by date",
        required="Enter the date members must reply by",
        join_missing=" and a ",
    )
    message = reason_field(
        "Message to members",
        "Say what has changed, if anything, and what members should check.",
        "Enter a message to the members",
    )
    submit = submit("Send the request")
