"""Officer routes: the queue of applications with their clocks, each application, and deciding
it (admit per category and zone, reject, ask a clarification, extend)."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from dps.officer import decision_forms as forms
from dps.officer.routes import bp
from dps.services import decision_queue, decisions, documents
from dps.services.dps_setup import questionnaire_of
from dps.services.notices import long_date, short_date
from dps.state.application import OPEN_STATES, STATUS_LABELS
from dps.state.calendar import REGIMES
from dps.state.machine import TransitionError

YES_NO = {"yes": "Yes", "no": "No"}


def _render(template: str, **context):
    return render_template(
        f"officer/applications/{template}", long_date=long_date, short_date=short_date, **context
    )


def _application_or_404(application_id: int):
    application = decision_queue.get_application(application_id, current_user.organisation_id)
    if application is None:
        abort(404)
    return application


def answer_lines(value) -> list[str]:
    """A stored answer as lines for people: "Yes", then any explanation or text."""
    if value is None or value == "":
        return ["Not answered"]
    if isinstance(value, dict):
        lines = []
        if "answer" in value:
            lines.append(YES_NO.get(str(value["answer"]), str(value["answer"])))
        for key in ("explanation", "text"):
            if value.get(key):
                lines.append(str(value[key]))
        return lines or ["Not answered"]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [YES_NO.get(str(value), str(value))]


def _sections(application) -> list[dict]:
    """The questionnaire as the provider answered it, with each question's evidence."""
    try:
        answers = json.loads(application.answers or "{}")
    except ValueError:
        answers = {}
    evidence: dict[str, list] = {}
    for item in application.evidence:
        evidence.setdefault(item.question_id, []).append(item.document)
    sections, known = [], set()
    for section in questionnaire_of(application.dps).get("sections", []):
        rows = []
        for question in section.get("questions", []):
            known.add(question["id"])
            rows.append(
                {
                    "text": question["text"],
                    "lines": []
                    if question.get("type") == "file"
                    else answer_lines(answers.get(question["id"])),
                    "documents": evidence.get(question["id"], []),
                }
            )
        sections.append({"title": section["title"], "rows": rows})
    others = [doc for qid, docs in evidence.items() if qid not in known for doc in docs]
    if others:
        row = {"text": "Files", "lines": [], "documents": others}
        sections.append({"title": "Other evidence", "rows": [row]})
    return sections


@bp.route("/applications")
def application_queue():
    status = request.args.get("status", "open")
    if status not in decision_queue.STATUS_FILTERS:
        status = "open"
    sort = request.args.get("sort", "due")
    if sort not in decision_queue.SORTS:
        sort = "due"
    dps_choices = decision_queue.dps_choices(current_user.organisation_id)
    dps_id = request.args.get("dps", type=int)
    if dps_id not in {choice for choice, _ in dps_choices}:
        dps_id = None
    rows = decision_queue.queue(
        current_user.organisation_id, dps_id=dps_id, status=status, sort=sort
    )
    return _render(
        "queue.html",
        rows=rows,
        status=status,
        sort=sort,
        dps_id=dps_id,
        dps_choices=dps_choices,
        status_filters=decision_queue.STATUS_FILTERS,
    )


@bp.route("/applications/<int:application_id>")
def application_detail(application_id: int):
    application = _application_or_404(application_id)
    insurance_names = {
        item["code"]: item["name"]
        for item in questionnaire_of(application.dps).get("insurance_types", [])
    }
    return _render(
        "detail.html",
        application=application,
        clock=decision_queue.clock_for(application),
        rules=REGIMES[application.dps.regime],
        is_open=application.status in OPEN_STATES,
        status_label=STATUS_LABELS.get(application.status, application.status),
        extension_unavailable=decision_queue.extension_unavailable(application),
        sections=_sections(application),
        insurance_names=insurance_names,
        answer_lines=answer_lines,
    )


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
def application_document(application_id: int, document_id: int):
    _application_or_404(application_id)
    document = decision_queue.evidence_document(application_id, document_id)
    if document is None:
        abort(404)
    return send_file(**documents.send_args(document))


def _decided_already(application):
    flash(f"{application.reference} has already been decided: nothing was changed.")
    return redirect(url_for("officer.application_detail", application_id=application.id))


def _decision_page(template: str, application, form, status: int = 200, **context):
    return _render(
        template,
        application=application,
        form=form,
        clock=decision_queue.clock_for(application),
        rules=REGIMES[application.dps.regime],
        **context,
    ), status


def _done(application, message: str):
    flash(message)
    return redirect(url_for("officer.application_detail", application_id=application.id))


@bp.route("/applications/<int:application_id>/admit", methods=["GET", "POST"])
def application_admit(application_id: int):
    application = _application_or_404(application_id)
    form = forms.AdmitForm()
    form.scope_ids.choices = [
        (scope.id, f"{scope.category.name} in {scope.zone.label}") for scope in application.scopes
    ]
    if request.method == "GET" and application.status not in OPEN_STATES:
        return _decided_already(application)
    if form.validate_on_submit():
        try:
            decisions.admit(application.id, current_user, form.scope_ids.data, form.reason.data)
        except TransitionError as error:
            form.scope_ids.errors = [str(error)]
        except decisions.DecisionError as error:
            getattr(form, error.field or "scope_ids").errors = [str(error)]
        else:
            admitted = len(form.scope_ids.data)
            return _done(
                application,
                f"{application.reference}: {application.organisation.name} is admitted for "
                f"{admitted} of {len(application.scopes)} services and zones. "
                "We have told the provider.",
            )
    return _decision_page("admit.html", application, form, 400 if request.method == "POST" else 200)


def _reason_decision(application_id: int, template: str, form_class, action, message: str):
    """The pages that take one reason: reject, clarification (extend adds its own check)."""
    application = _application_or_404(application_id)
    form = form_class()
    if request.method == "GET" and application.status not in OPEN_STATES:
        return _decided_already(application)
    if form.validate_on_submit():
        try:
            action(application.id, current_user, form.reason.data)
        except (TransitionError, decisions.DecisionError) as error:
            form.reason.errors = [str(error)]
        else:
            return _done(application, message.format(reference=application.reference))
    return _decision_page(template, application, form, 400 if request.method == "POST" else 200)


@bp.route("/applications/<int:application_id>/reject", methods=["GET", "POST"])
def application_reject(application_id: int):
    return _reason_decision(
        application_id,
        "reject.html",
        forms.RejectForm,
        decisions.reject,
        "{reference} is rejected. We have told the provider why.",
    )


@bp.route("/applications/<int:application_id>/clarification", methods=["GET", "POST"])
def application_clarification(application_id: int):
    return _reason_decision(
        application_id,
        "clarification.html",
        forms.ClarificationForm,
        decisions.request_clarification,
        "Your question about {reference} has been sent to the provider.",
    )


@bp.route("/applications/<int:application_id>/extend", methods=["GET", "POST"])
def application_extend(application_id: int):
    application = _application_or_404(application_id)
    form = forms.ExtendForm()
    unavailable = decision_queue.extension_unavailable(application)
    if request.method == "POST" and unavailable:
        form.validate()  # keeps what was typed; the refusal is the message that matters
        form.reason.errors = [unavailable]
        return _decision_page("extend.html", application, form, 400, unavailable=unavailable)
    if form.validate_on_submit():
        try:
            decisions.extend(application.id, current_user, form.reason.data)
        except (TransitionError, decisions.DecisionError) as error:
            form.reason.errors = [str(error)]
        else:
            return _done(
                application,
                f"The decision on {application.reference} is now due by "
                f"{long_date(application.decision_due_on)}. We have told the provider.",
            )
    return _decision_page(
        "extend.html",
        application,
        form,
        400 if request.method == "POST" else 200,
        unavailable=unavailable,
        extended_due=decision_queue.extended_due_on(application),
    )
