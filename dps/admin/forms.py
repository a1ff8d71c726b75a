"""Administrator forms."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from dps.auth.forms import EMAIL
from dps.forms import BaseForm, submit
from dps.models.organisation import ROLE_LABELS, STAFF_ROLES


class StaffAccountForm(BaseForm):
    full_name = StringField(
        "Full name",
        validators=[
            InputRequired(message="Enter the person's full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    email = EmailField("E-mail address", validators=EMAIL, widget=GovTextInput())
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
    name = StringField(
        "Name of the partner authority",
        description="For example an NHS integrated care board or a neighbouring council",
        validators=[
            InputRequired(message="Enter the partner's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    contact_email = EmailField("Contact e-mail address", validators=EMAIL, widget=GovTextInput())
    submit = submit("Add partner authority")


class EnableForm(BaseForm):
    submit = submit("Change")
