"""Officer routes: the price checks of opened bids and the abnormally-low explanation procedure."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from dps.fields import DateField, TimeField
from dps.forms import BaseForm, submit
from dps.officer.routes import bp
from dps.services import documents
from dps.services import price_review as service
from dps.state.clock import LONDON, now
from dps.state.price_review import SETTLED, STATUS_LABELS

MAX_TEXT = 5000
EXCLUDED = "The price has been rejected: the bid is excluded."
TAG_CLASSES = {
    "checked": "govuk-tag--green",
    "accepted": "govuk-tag--green",
    "rejected": "govuk-tag--red",
    "low": "govuk-tag--orange",
    "explanation_requested": "govuk-tag--blue",
    "explanation_received": "govuk-tag--purple",
}
SEVERITY_LABELS = {"fail": "Breaks the law", "flag": "Look at this", "info": "Passed"}
SEVERITY_CLASSES = {
    "fail": "govuk-tag--red",
    "flag": "govuk-tag--orange",
    "info": "govuk-tag--grey",
}


class RequestForm(BaseForm):
    request_text = TextAreaField(
        "What should the bidder explain?",
        description="For example, how the price pays care workers at least the National Living "
        "Wage for contact and travel time, and covers its running costs.",
        validators=[
            InputRequired(message="Enter what you want the bidder to explain"),
            Length(max=MAX_TEXT, message=f"The request must be {MAX_TEXT:,} characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    due_date = DateField(
        "Date the explanation is due",
        what="The date the explanation is due",
        required="Enter the date the explanation is due",
    )
    due_time = TimeField("Time the explanation is due (UK time)", what="time it is due")
    submit = submit("Send the request")

    def due_at(self) -> datetime:
        local = datetime.combine(self.due_date.data, self.due_time.time, tzinfo=LONDON)
        return local.astimezone(UTC)


def _reason_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        description="The bidder may be told this reason; it is kept in the audit log.",
        validators=[
            InputRequired(message="Give the reason for your decision"),
            Length(max=MAX_TEXT, message=f"The reason must be {MAX_TEXT:,} characters or fewer"),
        ],
        widget=GovTextArea(),
    )


class DecisionForm(BaseForm):
    decision = RadioField(
        "Do you accept the explanation?",
        choices=[
            ("accept", "Accept: the price is explained and stays in the evaluation"),
            ("reject", "Reject: the price is not explained and the bid is excluded"),
        ],
        validators=[InputRequired(message="Select whether you accept the explanation")],
        widget=GovRadioInput(),
    )
    reason = _reason_field("Reason for your decision")
    submit = submit("Record the decision")


class NoAnswerForm(BaseForm):
    reason = _reason_field("Reason for rejecting the price")
    submit = submit("Reject the price")


def _form_for(review):
    """The one form the review's state allows, or None when there is nothing to do."""
    if review.status == "low":
        return RequestForm
    if review.status == "explanation_received":
        return DecisionForm
    if review.status == "explanation_requested" and review.response_due_at <= now():
        return NoAnswerForm
    return None


def _evaluation_link(tender_id: int) -> tuple[str, str]:
    if "officer.evaluation" in current_app.view_functions:
        return "Back to the evaluation", url_for("officer.evaluation", tender_id=tender_id)
    return "Back to the bids", url_for("officer.tender_opening", tender_id=tender_id)


def _labels() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "tag_classes": TAG_CLASSES,
        "severity_labels": SEVERITY_LABELS,
        "severity_classes": SEVERITY_CLASSES,
    }


@bp.route("/tenders/<int:tender_id>/evaluation/prices")
def price_checks(tender_id: int):
    try:
        tender, lots = service.reviews_by_lot(current_user, tender_id)
    except service.PriceReviewError:
        abort(404)
    back_text, back_href = _evaluation_link(tender.id)
    return render_template(
        "officer/price_checks/list.html",
        tender=tender,
        lots=lots,
        open_count=service.open_count(lots),
        back_text=back_text,
        back_href=back_href,
        settled=SETTLED,
        **_labels(),
    )


@bp.route("/tenders/<int:tender_id>/evaluation/prices/<int:bid_id>", methods=["GET", "POST"])
def price_check(tender_id: int, bid_id: int):
    try:
        detail = service.review_detail(current_user, tender_id, bid_id)
    except service.PriceReviewError:
        abort(404)
    review = detail.row.review
    form_class = _form_for(review)
    form = form_class() if form_class else None
    error = None
    if request.method == "POST":
        if form is None:
            error = "There is nothing to decide on this price now."
        elif form.validate_on_submit():
            try:
                _act(form, tender_id, bid_id)
            except service.PriceReviewError as problem:
                _show_error(form, str(problem))
            else:
                return redirect(url_for("officer.price_check", tender_id=tender_id, bid_id=bid_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "officer/price_checks/check.html",
        detail=detail,
        tender=detail.tender,
        review=review,
        row=detail.row,
        error=error,
        now=now(),
        list_href=url_for("officer.price_checks", tender_id=tender_id),
        **({"form": form} if form is not None else {}),
        **_labels(),
    ), status


def _act(form, tender_id: int, bid_id: int) -> None:
    if isinstance(form, RequestForm):
        service.request_explanation(
            current_user, tender_id, bid_id, form.request_text.data, form.due_at()
        )
        flash("The request has been sent to the bidder's inbox and by e-mail.")
    elif isinstance(form, DecisionForm):
        service.decide(current_user, tender_id, bid_id, form.decision.data, form.reason.data)
        accepted = form.decision.data == "accept"
        flash("The explanation has been accepted." if accepted else EXCLUDED)
    else:
        service.decide(current_user, tender_id, bid_id, "reject", form.reason.data)
        flash(EXCLUDED)


def _show_error(form, message: str) -> None:
    """Put the service's sentence beside the field it is about."""
    if isinstance(form, RequestForm):
        field = form.due_date if "due" in message or "deadline" in message else form.request_text
    else:
        field = form.reason
    field.errors = [*field.errors, message]


@bp.route("/tenders/<int:tender_id>/evaluation/prices/<int:bid_id>/documents/<int:document_id>")
def price_check_document(tender_id: int, bid_id: int, document_id: int):
    try:
        document = service.officer_attachment(current_user, tender_id, bid_id, document_id)
    except service.PriceReviewError:
        abort(404)
    return send_file(**documents.send_args(document))
