"""Administrator forms."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired

from dps.fields import email_field, full_name_field, text_field
from dps.forms import BaseForm, submit
from dps.models.organisation import ROLE_LABELS, STAFF_ROLES


class StaffAccountForm(BaseForm):
    full_name = full_name_field(required="Enter the person's full name")
    email = email_field()
    role = RadioField(
        "Role",
        choices=[(role.value, ROLE_LABELS[role]) for role in STAFF_ROLES],
        validators=[InputRequired(message="Select a role")],
        widget=GovRadioInput(),
    )
    organisation_id = SelectField(
        "Organisation",
        coerce=int,
        validators=[InputRequired(message="Select an organisation")],
        widget=GovSelect(),
    )
    submit = submit("Create account and send invitation")


class PartnerForm(BaseForm):
    name = text_field(
        "Name of the partner authority",
        description="For example an NHS integrated care board or a neighbouring council",
        required="Enter the partner's name",
        max_length=200,
        too_long="Name must be 200 characters or fewer",
    )
    contact_email = email_field("Contact e-mail address")
    submit = submit("Add partner authority")


class EnableForm(BaseForm):
    submit = submit("Change")
