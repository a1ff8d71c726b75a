"""Officer routes: the evaluation hub (every step of a tender's evaluation with its status) and
assigning markers to questions, with the coverage that remains after conflicts."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dps.forms import BaseForm
from dps.models.organisation import ROLE_LABELS
from dps.officer.routes import bp
from dps.services import evaluation_assignments as assignments
from dps.services import evaluation_progress
from dps.state.tender import TENDER_LABELS

MARKED_BY_LABELS = {
    "officer": "Marked by officers and evaluators",
    "panel": "Marked by the Experts by Experience panel",
}


class ActionForm(BaseForm):
    """The markers page's small forms: a CSRF token; the fields are read from the request."""


def _tender_or_404(tender_id: int):
    try:
        return assignments.lead_tender(current_user, tender_id)
    except assignments.NotFound:
        abort(404)


def _href(endpoint: str, tender_id: int) -> str | None:
    """A link to another step's page, once that page exists."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, tender_id=tender_id)
    return None


def _status(text: str) -> dict:
    if text == evaluation_progress.COMPLETED:
        return {"text": text}
    colour = "govuk-tag--grey" if text == evaluation_progress.CANNOT_START else "govuk-tag--blue"
    return {"tag": {"text": text, "classes": colour}}


def _steps(state: evaluation_progress.Progress) -> list[dict]:
    tender_id = state.tender.id
    shortfalls = len(state.coverage.shortfalls)
    marker_hint = (
        f"{shortfalls} answer{'' if shortfalls == 1 else 's'} short of markers"
        if shortfalls
        else "Who marks each question, and their conflicts of interest"
    )
    steps = [
        ("Markers and conflicts", "officer.evaluation_markers", marker_hint, state.markers_status),
        (
            "Marking",
            None,
            f"{state.marks_submitted} of {state.marks_needed} marks submitted",
            state.marking_status,
        ),
        (
            "Price checks",
            "officer.price_checks",
            "National Living Wage and abnormally low prices",
            state.price_status,
        ),
        (
            "Moderation",
            "officer.moderation",
            f"{state.consensus} of {state.answers} answers agreed",
            state.moderation_status,
        ),
        (
            "Results",
            "officer.evaluation_results",
            "Scores, ranking and allocation per lot",
            state.results_status,
        ),
        ("Award", "officer.award", "Approval, letters and standstill", state.award_label),
    ]
    items = []
    for title, endpoint, hint, status in steps:
        href = _href(endpoint, tender_id) if endpoint else None
        if endpoint and href is None:
            status = "Not available yet"
        items.append(
            {
                "title": {"text": title},
                "hint": {"text": hint},
                "href": href,
                "status": _status(status),
            }
        )
    return items


@bp.route("/tenders/<int:tender_id>/evaluation")
def evaluation(tender_id: int):
    tender = _tender_or_404(tender_id)
    state = evaluation_progress.progress(tender)
    return render_template(
        "officer/evaluation/hub.html",
        tender=tender,
        state=state,
        steps=_steps(state),
        status_label=TENDER_LABELS[tender.status],
        marked_by_labels=MARKED_BY_LABELS,
    )


# Markers ----------------------------------------------------------------------------------


def _whole(name: str) -> int | None:
    text = (request.form.get(name) or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


class _Refused(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _apply(tender) -> str:
    """Carry out the posted action; the message for the banner, or _Refused."""
    action = request.form.get("action")
    question_id = _whole("question_id")
    question = next((q for q in tender.questions if q.id == question_id), None)
    if action not in ("assign", "remove", "needed") or question is None:
        raise _Refused("Choose a question of this tender and what to change.")
    try:
        if action == "needed":
            needed = _whole("markers_needed")
            if needed is None:
                raise _Refused(
                    f"Enter how many markers each answer needs, as a whole number from "
                    f"{assignments.MIN_MARKERS} to {assignments.MAX_MARKERS}",
                    f"markers_needed-{question.id}",
                )
            assignments.set_markers_needed(current_user, tender.id, question.id, needed)
            return f"Each answer to question {question.number} now needs {needed} marker(s)."
        user_id = _whole("user_id")
        if user_id is None:
            raise _Refused(
                f"Choose who will mark question {question.number}", f"user_id-{question.id}"
            )
        if action == "assign":
            assignment = assignments.assign(current_user, tender.id, question.id, user_id)
            return f"{assignment.user.full_name} will mark question {question.number}."
        assignments.unassign(current_user, tender.id, question.id, user_id)
        return f"The marker has been taken off question {question.number}."
    except assignments.NotFound:
        abort(404)
    except assignments.AssignmentError as error:
        field = f"markers_needed-{question.id}" if action == "needed" else f"user_id-{question.id}"
        raise _Refused(str(error), field if action != "remove" else None) from None


@bp.route("/tenders/<int:tender_id>/evaluation/markers", methods=["GET", "POST"])
def evaluation_markers(tender_id: int):
    tender = _tender_or_404(tender_id)
    action_form = ActionForm()
    error = None
    if request.method == "POST":
        if not action_form.validate_on_submit():
            error = _Refused("Your form had expired. Try again.")
        else:
            try:
                done = _apply(tender)
            except _Refused as refused:
                error = refused
            else:
                flash(done)
                return redirect(url_for("officer.evaluation_markers", tender_id=tender.id))
    return _markers_page(tender, action_form, error), 400 if error else 200


def _markers_page(tender, action_form: ActionForm, error: _Refused | None) -> str:
    by_question = assignments.assignments(tender.id)
    people = assignments.eligible_people(tender)
    choices = {
        question.id: [
            user
            for user in people.get(question.marked_by, [])
            if user.id not in {a.user_id for a in by_question.get(question.id, [])}
        ]
        for question in tender.questions
    }
    declarations = assignments.declarations(tender.id)
    coverage = assignments.coverage(tender.id)
    errors = []
    if error is not None:
        errors.append(
            {"text": str(error), "href": f"#{error.field}"} if error.field else {"text": str(error)}
        )
    return render_template(
        "officer/evaluation/markers.html",
        tender=tender,
        questions=sorted(tender.questions, key=lambda q: q.number),
        by_question=by_question,
        choices=choices,
        declared_ids={d.user_id for d in declarations},
        declarations=declarations,
        coverage=coverage,
        action_form=action_form,
        error=error,
        errors=errors,
        field_errors={error.field: str(error)} if error is not None and error.field else {},
        typed=request.form if error is not None else {},
        can_change=tender.status == assignments.EVALUATION_STATUS,
        role_labels=ROLE_LABELS,
        marked_by_labels=MARKED_BY_LABELS,
        status_label=TENDER_LABELS[tender.status],
    )
