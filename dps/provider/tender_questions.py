"""Provider routes: a tender's clarification questions and answers (on the provider blueprint)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from dps.forms import BaseForm, submit
from dps.provider.routes import bp
from dps.services import tender_clarifications as clarifications


class AskForm(BaseForm):
    question = TextAreaField(
        "Your question",
        description="Do not include your organisation's name. Answers for everyone are "
        "published without saying who asked.",
        validators=[
            InputRequired(message="Enter your question"),
            Length(
                max=clarifications.MAX_QUESTION,
                message=f"Your question must be {clarifications.MAX_QUESTION:,} characters "
                "or fewer",
            ),
        ],
        widget=GovTextArea(),
    )
    submit = submit("Send your question")


@bp.route("/tenders/<int:tender_id>/questions", methods=["GET", "POST"], endpoint="clarifications")
def clarifications_page(tender_id: int):
    tender = clarifications.provider_tender(tender_id, current_user.organisation_id)
    if tender is None:
        abort(404)
    form = AskForm()
    if form.validate_on_submit():
        try:
            asked = clarifications.ask(
                tender.id, current_user.organisation_id, current_user, form.question.data
            )
        except clarifications.ClarificationError as error:
            form.question.errors = [*form.question.errors, str(error)]
        else:
            flash(
                f"Your question has been sent (reference Q{asked.id}). The council's answer "
                "will come to your inbox and appear on this page."
            )
            return redirect(url_for("provider.clarifications", tender_id=tender.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/tender_questions/questions.html",
        tender=tender,
        entries=clarifications.qa_log(tender.id, current_user.organisation_id),
        pending=clarifications.own_pending(tender.id, current_user.organisation_id),
        deadline=clarifications.question_deadline(tender),
        questions_open=clarifications.questions_open(tender),
        form=form,
    ), status
