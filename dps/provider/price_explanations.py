"""Provider routes: explaining an abnormally low price when the authority asks, before a deadline.

Only the bidding organisation sees a request (anyone else gets 404); after the answer or the
deadline the page is read-only.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovTextArea
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from dps.forms import BaseForm, submit
from dps.provider.routes import bp
from dps.services import documents
from dps.services import price_review as service
from dps.services.uploads import ACCEPT, ALLOWED, AllowedUpload
from dps.state.clock import now
from dps.state.price_review import STATUS_LABELS

MAX_TEXT = 10000
FILE_HINT = (
    "Optional. A "
    + ", ".join(kind.label for kind in ALLOWED[:-1])
    + f" or {ALLOWED[-1].label} file, for example your costings or pay records"
)


def _file_field(label: str) -> FileField:
    return FileField(
        label,
        description=FILE_HINT,
        validators=[AllowedUpload(required=False)],
        widget=GovFileInput(),
    )


class ExplanationForm(BaseForm):
    explanation = TextAreaField(
        "Your explanation",
        description="Explain how your price covers care workers' pay, travel time and your "
        "running costs.",
        validators=[
            InputRequired(message="Enter your explanation"),
            Length(
                max=MAX_TEXT, message=f"Your explanation must be {MAX_TEXT:,} characters or fewer"
            ),
        ],
        widget=GovTextArea(),
    )
    document_1 = _file_field("Supporting document")
    document_2 = _file_field("Another supporting document")
    submit = submit("Send your explanation")


@bp.route("/price-explanations")
def price_explanations():
    return render_template(
        "provider/price_explanations/list.html",
        requests=service.open_requests(current_user.organisation_id),
    )


@bp.route("/price-explanations/<int:review_id>", methods=["GET", "POST"])
def price_explanation(review_id: int):
    review = service.provider_review(current_user.organisation_id, review_id)
    if review is None:
        abort(404)
    can_answer = review.status == "explanation_requested" and now() < review.response_due_at
    form = ExplanationForm() if can_answer else None
    error = None
    if request.method == "POST":
        if form is None:
            error = "You can no longer answer this request."
        elif form.validate_on_submit():
            try:
                service.answer(
                    current_user,
                    review.id,
                    form.explanation.data,
                    [form.document_1.data, form.document_2.data],
                )
            except service.PriceReviewError as problem:
                form.explanation.errors = [*form.explanation.errors, str(problem)]
            else:
                flash("Your explanation has been sent to the council.")
                return redirect(url_for("provider.price_explanation", review_id=review_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/price_explanations/explanation.html",
        review=review,
        tender=review.tender,
        bid=review.bid,
        error=error,
        accept=ACCEPT,
        status_label=STATUS_LABELS[review.status],
        **({"form": form} if form is not None else {}),
    ), status


@bp.route("/price-explanations/<int:review_id>/documents/<int:document_id>")
def price_explanation_document(review_id: int, document_id: int):
    review = service.provider_review(current_user.organisation_id, review_id)
    if review is None:
        abort(404)
    for document in review.attachments:
        if document.id == document_id:
            return send_file(**documents.send_args(document))
    abort(404)
