"""Provider routes: confirming the self-declaration still holds, when the DPS asks members to."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField
from wtforms.validators import DataRequired

from dps.forms import BaseForm, submit
from dps.provider.routes import bp
from dps.services import membership
from dps.services.notices import long_date


class ReconfirmForm(BaseForm):
    confirm = BooleanField(
        "I confirm that our answers to the selection questionnaire are still true, and that no "
        "exclusion ground has arisen since we gave them",
        validators=[DataRequired(message="Confirm that your self-declaration is still true")],
        widget=GovCheckboxInput(),
    )
    submit = submit("Confirm")


@bp.route("/reconfirmations/<int:reconfirmation_id>", methods=["GET", "POST"])
def reconfirm(reconfirmation_id: int):
    organisation_id = current_user.organisation_id
    found = membership.reconfirmation_for(reconfirmation_id, organisation_id)
    if found is None:
        abort(404)
    response = membership.response_of(found.id, organisation_id)
    form = ReconfirmForm()
    if response is None and form.validate_on_submit():
        try:
            membership.confirm(found.id, organisation_id, current_user)
        except membership.ReconfirmationError:
            abort(404)
        flash("Thank you. Your confirmation is recorded.")
        return redirect(url_for("provider.reconfirm", reconfirmation_id=found.id))
    status = 400 if request.method == "POST" and response is None else 200
    return render_template(
        "provider/reconfirm/confirm.html",
        reconfirmation=found,
        dps=membership.dps_of(found),
        response=response,
        form=form,
        long_date=long_date,
    ), status
