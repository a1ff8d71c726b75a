"""Provider forms."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from dps.auth.forms import EMAIL
from dps.forms import BaseForm, submit


class InviteColleagueForm(BaseForm):
    full_name = StringField(
        "Full name",
        validators=[
            InputRequired(message="Enter your colleague's full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    email = EmailField("E-mail address", validators=EMAIL, widget=GovTextInput())
    is_admin = RadioField(
        "Can they invite other colleagues?",
        choices=[("no", "No"), ("yes", "Yes")],
        default="no",
        validators=[InputRequired(message="Select whether they can invite colleagues")],
        widget=GovRadioInput(),
    )
    submit = submit("Send invitation")
