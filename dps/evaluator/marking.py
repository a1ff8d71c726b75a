"""Marking pages for evaluators and officers: the answers to one question in the marker's own
order, and one answer with the scale, a mark and a rationale (save, or submit for good)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from dps.evaluator.forms import MarkForm
from dps.evaluator.routes import bp, declaration_url
from dps.services import marking


def _refused(error: marking.MarkingError):
    """Not declared yet: to the declaration page; anything else this marker may not see: 404."""
    if isinstance(error, marking.DeclarationNeeded):
        target = declaration_url(error.tender_id)
        if target:
            flash(error.message)
            return redirect(target)
    abort(404)


def display_name(label: str, bidder_name: str | None) -> str:
    """ "Care Provider B Ltd (Bidder B, lot 2)" under named marking, else just the label."""
    return f"{bidder_name} ({label})" if bidder_name else label


@bp.route("/tenders/<int:tender_id>/questions/<int:question_id>")
def question(tender_id: int, question_id: int):
    try:
        answers = marking.answers_for(current_user.id, tender_id, question_id)
    except marking.MarkingError as error:
        return _refused(error)
    overview = next(
        (t for t in marking.marker_overview(current_user.id) if t.tender_id == tender_id), None
    )
    if overview is None:
        abort(404)
    progress = next(q for q in overview.questions if q.question_id == question_id)
    return render_template(
        "evaluator/question.html",
        tender=overview,
        question=progress,
        answers=answers,
        display_name=display_name,
    )


def multiline(text: str) -> Markup:
    """Escaped text keeping its line breaks (rationales are written in paragraphs)."""
    return Markup('<span style="white-space: pre-line">{}</span>').format(text)


def _mark_page(
    view: marking.AnswerView, form: MarkForm, status: int = 200, page_error: str | None = None
):
    labels = {step["mark"]: step["label"] for step in view.scale}

    def mark_text(value) -> str:
        """ "4 — Good" (marks are whole numbers on the scale)."""
        if value is None:
            return "No mark"
        whole = int(value)
        return f"{whole} — {labels[whole]}" if whole in labels else str(whole)

    return render_template(
        "evaluator/mark.html",
        view=view,
        form=form,
        heading=display_name(view.label, view.bidder_name),
        mark_text=mark_text,
        multiline=multiline,
        page_error=page_error,
    ), status


@bp.route(
    "/tenders/<int:tender_id>/questions/<int:question_id>/bids/<int:bid_id>",
    methods=["GET", "POST"],
)
def mark(tender_id: int, question_id: int, bid_id: int):
    try:
        view = marking.answer_view(current_user.id, tender_id, question_id, bid_id)
    except marking.MarkingError as error:
        return _refused(error)
    if request.method == "GET":
        own = view.own
        form = MarkForm(
            data={
                "mark": str(int(own.mark)) if own and own.mark is not None else None,
                "rationale": own.rationale if own else "",
            }
        )
        form.set_scale(view.scale)
        return _mark_page(view, form)
    form = MarkForm()
    form.set_scale(view.scale)
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return _mark_page(view, form, 400)
    submitting = bool(form.submit_mark.data)
    try:
        marking.save_mark(
            current_user.id,
            tender_id,
            question_id,
            bid_id,
            form.mark.data,
            form.rationale.data or "",
            submit=submitting,
        )
    except marking.MarkingNotFound:
        abort(404)
    except marking.MarkingError as error:
        if error.field is None:  # e.g. already submitted: no field to point at
            if view.own is not None and view.own.submitted_at is not None:
                form = MarkForm(formdata=None)
                form.set_scale(view.scale)
            return _mark_page(view, form, 400, page_error=error.message)
        target = getattr(form, error.field)
        target.errors = [*target.errors, error.message]
        return _mark_page(view, form, 400)
    if submitting:
        flash("Your mark has been submitted. You can now see the other markers' marks.")
        return redirect(
            url_for("evaluator.mark", tender_id=tender_id, question_id=question_id, bid_id=bid_id)
        )
    flash(f"Your mark for {view.label} has been saved. You can come back to it later.")
    return redirect(url_for("evaluator.question", tender_id=tender_id, question_id=question_id))
