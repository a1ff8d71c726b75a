"""Provider forms."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField
from wtforms.validators import InputRequired

from dps.fields import email_field, full_name_field
from dps.forms import BaseForm, submit


class InviteColleagueForm(BaseForm):
    full_name = full_name_field(required="Enter your colleague's full name")
    email = email_field()
    is_admin = RadioField(
        "Can they invite other colleagues?",
        choices=[("no", "No"), ("yes", "Yes")],
        default="no",
        validators=[InputRequired(message="Select whether they can invite colleagues")],
        widget=GovRadioInput(),
    )
    submit = submit("Send invitation")
