"""Provider routes: applying to join a DPS (registered on the provider blueprint).

The list, starting or resuming, the task list, check your answers, the declaration, the
confirmation, clarifications and evidence downloads. The section pages are in
application_sections.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from dps.provider import application_forms as forms
from dps.provider.routes import bp
from dps.services import applications, documents, dps_setup
from dps.services.application_review import review
from dps.services.uploads import ACCEPT, UploadRefused
from dps.state.application import STATUS_LABELS
from dps.state.machine import TransitionError

READ_ONLY = "This application has been sent, so it can no longer be changed."


def overview_url(application_id: int) -> str:
    return url_for("provider.application_overview", application_id=application_id)


def own_application(application_id: int):
    """The signed-in organisation's application, or 404."""
    application = applications.for_organisation(application_id, current_user.organisation_id)
    if application is None:
        abort(404)
    return application


def draft_page(view):
    """Pass the view the organisation's draft; a sent application is shown read-only instead."""

    @wraps(view)
    def wrapper(application_id: int, **kwargs):
        application = own_application(application_id)
        if application.status != "draft":
            flash(READ_ONLY)
            return redirect(overview_url(application_id))
        try:
            return view(application, **kwargs)
        except applications.ApplicationNotFound:
            abort(404)

    return wrapper


def section_links(application) -> list[dict]:
    """Each section with its status and the page to fill it in."""
    rows = []
    for section in applications.sections_of(application):
        if section.key == "questions":
            href = url_for(
                "provider.application_questions",
                application_id=application.id,
                section_id=section.questionnaire_id,
            )
        else:
            href = url_for(f"provider.application_{section.key}", application_id=application.id)
        rows.append(
            {
                "section": section,
                "status": applications.section_status(application, section),
                "href": href,
            }
        )
    return rows


@bp.route("/applications")
def applications_list():
    organisation_id = current_user.organisation_id
    return render_template(
        "provider/applications/list.html",
        applications=applications.for_organisation_list(organisation_id),
        choices=applications.dps_choices(organisation_id, dps_setup.published()),
        status_labels=STATUS_LABELS,
        action_form=forms.ActionForm(),
    )


@bp.route("/dps/<int:dps_id>/apply", methods=["POST"])
def apply(dps_id: int):
    return _start(applications.start_or_resume, dps_id)


@bp.route("/dps/<int:dps_id>/vary", methods=["POST"])
def vary(dps_id: int):
    return _start(applications.start_variation, dps_id)


def _start(start, dps_id: int):
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        application = start(dps_id, current_user.organisation_id, current_user)
    except applications.ApplicationError as error:
        flash(error.message)
        return redirect(url_for("provider.applications_list"))
    return redirect(overview_url(application.id))


@bp.route("/applications/<int:application_id>")
def application_overview(application_id: int):
    application = own_application(application_id)
    return render_template(
        "provider/applications/overview.html",
        application=application,
        sections=section_links(application),
        missing=applications.missing_sections(application),
        review=review(application),
        decision_due=applications.decision_due_text(application),
        status_label=STATUS_LABELS[application.status],
    )


@bp.route("/applications/<int:application_id>/check")
@draft_page
def application_check(application):
    return render_template(
        "provider/applications/check.html",
        application=application,
        sections=section_links(application),
        missing=applications.missing_sections(application),
        review=review(application),
    )


@bp.route("/applications/<int:application_id>/declaration", methods=["GET", "POST"])
@draft_page
def application_declaration(application):
    form = forms.DeclarationForm()
    problems = []
    if form.validate_on_submit():
        try:
            applications.submit(application.id, current_user, form.declaration_name.data)
        except TransitionError as error:
            problems = [
                {"text": f"Finish this section: {row['section'].title}", "href": row["href"]}
                for row in section_links(application)
                if row["status"] != "completed"
            ] or [{"text": str(error), "href": "#declaration_name"}]
        else:
            return redirect(
                url_for("provider.application_confirmation", application_id=application.id)
            )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/applications/declaration.html",
        application=application,
        form=form,
        problems=problems,
        incomplete=[row for row in section_links(application) if row["status"] != "completed"],
        conditions=application.dps.conditions_of_membership,
    ), status


@bp.route("/applications/<int:application_id>/confirmation")
def application_confirmation(application_id: int):
    application = own_application(application_id)
    if application.status == "draft":
        return redirect(overview_url(application_id))
    return render_template(
        "provider/applications/confirmation.html",
        application=application,
        decision_due=applications.decision_due_text(application),
        email=current_user.email,
    )


@bp.route(
    "/applications/<int:application_id>/clarifications/<int:clarification_id>",
    methods=["GET", "POST"],
)
def application_clarification(application_id: int, clarification_id: int):
    clarification = applications.clarification_for(
        application_id, clarification_id, current_user.organisation_id
    )
    if clarification is None:
        abort(404)
    if clarification.answered_at is not None:
        flash("You have already answered this question.")
        return redirect(overview_url(application_id))
    form = forms.ClarificationAnswerForm()
    if form.validate_on_submit():
        try:
            applications.answer_clarification(
                clarification.id,
                current_user.organisation_id,
                current_user,
                form.answer.data,
                form.document.data,
            )
        except UploadRefused as refused:
            forms.show_refused(form, refused.message)
        except applications.ApplicationError as error:
            forms.show_error(form, error)
        else:
            flash("Your answer has been sent. We will let you know our decision.")
            return redirect(overview_url(application_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/applications/clarification.html",
        application=clarification.application,
        clarification=clarification,
        form=form,
        accept=ACCEPT,
    ), status


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
def application_document(application_id: int, document_id: int):
    document = applications.document_for(application_id, current_user.organisation_id, document_id)
    if document is None:
        abort(404)
    return send_file(**documents.send_args(document))


# The section pages register on the same blueprint.
from dps.provider import application_sections  # noqa: E402, F401
