"""Provider routes: one page per section of an application (on the provider blueprint).

Each page saves its section and goes back to the task list. A page with errors is shown again
(400) with everything typed on it; nothing saved before is touched.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dps.provider import application_forms as forms
from dps.provider.applications import READ_ONLY, draft_page, overview_url
from dps.provider.routes import bp
from dps.services import applications
from dps.services.application_sections import field_name, insurance_gaps
from dps.services.uploads import ACCEPT, UploadRefused

BASE = "/applications/<int:application_id>"


def _sections(application) -> set[str]:
    return {section.key for section in applications.sections_of(application)}


def _save(form, application, save, **values):
    """Call a save function; on a problem put it beside its field and return None."""
    try:
        return save(application.id, current_user.organisation_id, current_user, **values)
    except UploadRefused as refused:
        forms.show_refused(form, refused.message)
    except applications.ApplicationNotFound:
        abort(404)
    except applications.ApplicationError as error:
        if error.field == "status":
            flash(READ_ONLY)
            raise _Redirect(overview_url(application.id)) from error
        forms.show_error(form, error)
    return None


class _Redirect(Exception):
    def __init__(self, location: str):
        self.location = location


@bp.errorhandler(_Redirect)
def _follow(redirect_to: _Redirect):
    return redirect(redirect_to.location)


def _page(template: str, application, form, **context):
    status = 400 if request.method == "POST" else 200
    return render_template(
        f"provider/applications/{template}",
        application=application,
        form=form,
        accept=ACCEPT,
        **context,
    ), status


def _saved(application):
    flash("Your answers have been saved.")
    return redirect(overview_url(application.id))


@bp.route(f"{BASE}/organisation", methods=["GET", "POST"])
@draft_page
def application_organisation(application):
    if "organisation" not in _sections(application):
        abort(404)
    organisation = application.organisation
    form = forms.OrganisationForm(
        data=None
        if request.method == "POST"
        else {
            "legal_name": application.legal_name or organisation.legal_name or organisation.name,
            "companies_house_number": application.companies_house_number
            or organisation.companies_house_number,
        }
    )
    if form.validate_on_submit() and _save(
        form,
        application,
        applications.save_organisation,
        legal_name=form.legal_name.data,
        companies_house_number=form.companies_house_number.data,
    ):
        return _saved(application)
    return _page("organisation.html", application, form)


@bp.route(f"{BASE}/cqc", methods=["GET", "POST"])
@draft_page
def application_cqc(application):
    if "cqc" not in _sections(application):
        abort(404)
    form = forms.CqcForm(
        data=None
        if request.method == "POST"
        else {
            "cqc_provider_id": application.cqc_provider_id
            or application.organisation.cqc_provider_id,
            "cqc_location_ids": application.cqc_location_ids,
            "cqc_rating": application.cqc_rating,
            "cqc_rating_date": application.cqc_rating_date,
        }
    )
    if form.validate_on_submit() and _save(
        form,
        application,
        applications.save_cqc,
        provider_id=form.cqc_provider_id.data,
        location_ids=form.location_ids(),
        rating=form.cqc_rating.data,
        rated_on=form.cqc_rating_date.data,
    ):
        return _saved(application)
    return _page("cqc.html", application, form)


@bp.route(f"{BASE}/size", methods=["GET", "POST"])
@draft_page
def application_size(application):
    if "size" not in _sections(application):
        abort(404)
    form = forms.SizeForm(
        data=None
        if request.method == "POST"
        else {"size": application.size or application.organisation.size}
    )
    if form.validate_on_submit() and _save(
        form, application, applications.save_size, size=form.size.data
    ):
        return _saved(application)
    return _page("size.html", application, form)


@bp.route(f"{BASE}/services", methods=["GET", "POST"])
@draft_page
def application_services(application):
    choices = applications.scope_choices(application)
    if not choices:
        return render_template("provider/applications/nothing_to_add.html", application=application)
    selected: dict[str, list[str]] = {}
    for scope in application.scopes:
        selected.setdefault(f"category_{scope.category_id}", []).append(str(scope.zone_id))
    form = forms.scopes_form(choices)(data=None if request.method == "POST" else selected)
    if form.validate_on_submit() and _save(
        form, application, applications.save_scopes, wanted=form.wanted()
    ):
        return _saved(application)
    return _page("services.html", application, form, choices=choices)


@bp.route(f"{BASE}/questions/<section_id>", methods=["GET", "POST"])
@draft_page
def application_questions(application, section_id: str):
    section = applications.questionnaire_section(application, section_id)
    if section is None:
        abort(404)
    answers = applications.answers_of(application)
    defaults = {}
    for question in section.questions:
        answer = answers.get(question["id"]) or {}
        defaults[field_name(question["id"])] = answer.get("answer") or answer.get("text")
        defaults[field_name(question["id"], "explanation")] = answer.get("explanation")
    form = forms.questions_form(section)(data=None if request.method == "POST" else defaults)
    if request.method == "POST":
        valid = form.validate_on_submit()
        if (
            _save(
                form,
                application,
                applications.save_section_page,
                section_id=section_id,
                values=form.answers() if valid else None,
                files=form.files(),
            )
            and valid
        ):
            return _saved(application)
    return _page(
        "questions.html",
        application,
        form,
        section=section,
        evidence={item.question_id: item.document for item in application.evidence},
    )


@bp.route(f"{BASE}/insurance", methods=["GET", "POST"])
@draft_page
def application_insurance(application):
    if "insurance" not in _sections(application):
        abort(404)
    form = forms.InsuranceForm()
    types = applications.insurance_types(application)
    form.insurance_type.choices = [(kind["code"], kind["name"]) for kind in types]
    if form.validate_on_submit() and _save(
        form,
        application,
        applications.add_insurance,
        insurance_type=form.insurance_type.data,
        insurer=form.insurer.data,
        cover=form.cover_amount(),
        expires_on=form.expires_on.data,
        certificate=form.certificate.data,
    ):
        flash("The policy has been added.")
        return redirect(url_for("provider.application_insurance", application_id=application.id))
    return _page(
        "insurance.html",
        application,
        form,
        types=types,
        names={kind["code"]: kind["name"] for kind in types},
        gaps=insurance_gaps(application),
        remove_form=forms.ActionForm(),
    )


@bp.route(f"{BASE}/insurance/<int:policy_id>/remove", methods=["POST"])
@draft_page
def application_insurance_remove(application, policy_id: int):
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        applications.remove_insurance(
            application.id, current_user.organisation_id, current_user, policy_id
        )
    except applications.ApplicationNotFound:
        abort(404)
    flash("The policy has been removed.")
    return redirect(url_for("provider.application_insurance", application_id=application.id))
