"""Officer routes: the moderation grid and agreeing the consensus mark for one answer."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import Length

from dps.fields import ChoiceRadioField
from dps.forms import BaseForm, submit
from dps.officer.routes import bp
from dps.services import moderation as service
from evaluation.money import plain


class ConsensusForm(BaseForm):
    mark = ChoiceRadioField(
        "Consensus mark",
        choices=[],
        required="Choose the consensus mark",
        invalid_message="Choose the consensus mark from the scale",
    )
    reason = TextAreaField(
        "Reason",
        description="Required when the consensus differs from every marker's mark. "
        "It is kept with the mark and in the audit log.",
        validators=[
            Length(
                max=service.MAX_REASON,
                message=f"The reason must be {service.MAX_REASON:,} characters or fewer",
            )
        ],
        widget=GovTextArea(),
    )
    submit = submit("Agree the consensus mark")


def _choices(detail: service.AnswerDetail) -> list[tuple[str, str]]:
    return [
        (
            plain(mark),
            f"{plain(mark)} — {item.get('label') or plain(mark)}"
            + (f": {item['descriptor']}" if item.get("descriptor") else ""),
        )
        for mark, item in zip(detail.scale_marks, detail.scale, strict=True)
    ]


def _back_to_hub(tender_id: int) -> str:
    """The evaluation hub if it is there, else the tender's own page."""
    if "officer.evaluation" in current_app.view_functions:
        return url_for("officer.evaluation", tender_id=tender_id)
    return f"/officer/tenders/{tender_id}"


@bp.route("/tenders/<int:tender_id>/evaluation/moderation")
def moderation(tender_id: int):
    try:
        grid = service.moderation_grid(tender_id, current_user, request.args.get("show", "all"))
    except service.ModerationNotFound:
        abort(404)
    return render_template(
        "officer/moderation/grid.html",
        grid=grid,
        tender=grid.tender,
        back_href=_back_to_hub(tender_id),
    )


@bp.route(
    "/tenders/<int:tender_id>/evaluation/moderation/<int:bid_id>/<int:question_id>",
    methods=["GET", "POST"],
)
def moderate_answer(tender_id: int, bid_id: int, question_id: int):
    try:
        detail = service.answer_detail(tender_id, bid_id, question_id, current_user)
    except service.ModerationNotFound:
        abort(404)
    agreed = detail.row.consensus
    form = ConsensusForm(
        data={"mark": agreed.shown, "reason": agreed.reason} if agreed else None,
    )
    form.mark.choices = _choices(detail)
    if form.validate_on_submit():
        try:
            service.agree(
                tender_id, bid_id, question_id, form.mark.data, form.reason.data, current_user
            )
        except service.ModerationNotFound:
            abort(404)
        except service.ModerationError as error:
            target = getattr(form, error.field or "mark")
            target.errors = [*target.errors, error.message]
        else:
            flash(
                f"Consensus mark {form.mark.data} agreed for {detail.row.bidder}, "
                f"lot {detail.row.lot_number}, question {detail.question.number}."
            )
            return redirect(
                url_for("officer.moderation", tender_id=tender_id)
                + f"#question-{detail.question.number}"
            )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "officer/moderation/answer.html",
        detail=detail,
        tender=detail.tender,
        row=detail.row,
        question=detail.question,
        form=form,
    ), status
