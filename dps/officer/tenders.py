"""Officer routes: building and publishing tenders (registered on the officer blueprint).

Thin views: a form checks what was typed, a service in `dps.services.tenders` applies the
rules and saves; a refusal is shown beside its field with a 400.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from dps.officer import tender_forms as forms
from dps.officer import tender_tasks
from dps.officer.routes import bp
from dps.services import documents, tenders
from dps.services.tender_rules import TenderError, plain_number
from dps.state.machine import TransitionError
from dps.state.tender import TENDER_LABELS


def _tender(tender_id: int):
    tender = tenders.for_officer(current_user, tender_id)
    if tender is None:
        abort(404)
    return tender


def _render(template: str, form, tender=None, status: int | None = None, **context):
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, tender=tender, **context), status


def _published_redirect(tender):
    """A task page of a published tender: back to the overview with why."""
    flash("This tender has been published, so it can no longer be changed here.")
    return redirect(url_for("officer.tender", tender_id=tender.id))


@bp.route("/tenders")
def tender_list():
    return render_template(
        "officer/tenders/list.html", tenders=tenders.tenders_for(current_user), labels=TENDER_LABELS
    )


@bp.route("/tenders/new", methods=["GET", "POST"])
def tender_new():
    form = forms.NewTenderForm()
    pairs = tenders.open_dps_categories(current_user)
    form.set_choices(pairs)
    if form.validate_on_submit():
        dps_id, category_id = form.ids
        try:
            tender = tenders.create_tender(
                current_user,
                dps_id,
                category_id,
                reference=form.reference.data or None,
                title=form.title.data,
            )
        except TenderError as error:
            forms.add_error(form, error)
        else:
            flash(f"Tender {tender.reference} created. Work through the tasks below.")
            return redirect(url_for("officer.tender", tender_id=tender.id))
    return _render("officer/tenders/new.html", form, has_choices=bool(pairs))


@bp.route("/tenders/<int:tender_id>")
def tender(tender_id: int):
    tender = _tender(tender_id)
    return render_template(
        "officer/tenders/overview.html",
        tender=tender,
        tasks=tender_tasks.tasks(tender),
        labels=TENDER_LABELS,
        copy_form=forms.ConfirmForm(),
    )


@bp.route("/tenders/<int:tender_id>/copy", methods=["POST"])
def tender_copy(tender_id: int):
    tender = _tender(tender_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        copy = tenders.copy_tender(current_user, tender.id)
    except TenderError as error:
        flash(error.message)
        return redirect(url_for("officer.tender", tender_id=tender.id))
    flash(
        f"{copy.reference} is a copy of {tender.reference}. Set its timetable before you publish."
    )
    return redirect(url_for("officer.tender", tender_id=copy.id))


@bp.route("/tenders/<int:tender_id>/details", methods=["GET", "POST"])
def tender_details(tender_id: int):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return _published_redirect(tender)
    form = forms.DetailsForm(obj=tender)
    if form.validate_on_submit():
        try:
            tenders.update_details(
                current_user, tender.id, title=form.title.data, description=form.description.data
            )
        except TenderError as error:
            forms.add_error(form, error)
        else:
            flash("Details saved.")
            return redirect(url_for("officer.tender", tender_id=tender.id))
    return _render("officer/tenders/details.html", form, tender)


# ---------------------------------------------------------------------------------------------
# Lots


@bp.route("/tenders/<int:tender_id>/lots")
def tender_lots(tender_id: int):
    return render_template(
        "officer/tenders/lots.html", tender=_tender(tender_id), number=plain_number
    )


@bp.route("/tenders/<int:tender_id>/lots/new", methods=["GET", "POST"])
@bp.route("/tenders/<int:tender_id>/lots/<int:lot_id>", methods=["GET", "POST"])
def tender_lot(tender_id: int, lot_id: int | None = None):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return _published_redirect(tender)
    lot = next((item for item in tender.lots if item.id == lot_id), None)
    if lot_id is not None and lot is None:
        abort(404)
    form = forms.LotForm(obj=lot)
    form.zone_ids.choices = [(zone.id, zone.label) for zone in tender.dps.zones]
    if request.method == "GET" and lot is not None:
        form.zone_ids.data = [zone.id for zone in lot.zones]
        form.hours_per_week.data = plain_number(lot.hours_per_week)
    if form.validate_on_submit():
        try:
            if lot is None:
                saved = tenders.add_lot(current_user, tender.id, **form.values())
            else:
                saved = tenders.update_lot(current_user, tender.id, lot.id, **form.values())
        except TenderError as error:
            forms.add_error(form, error)
        else:
            flash(f"Lot {saved.number} saved.")
            return redirect(url_for("officer.tender_lots", tender_id=tender.id))
    return _render("officer/tenders/lot.html", form, tender, lot=lot)


@bp.route("/tenders/<int:tender_id>/lots/<int:lot_id>/remove", methods=["GET", "POST"])
def tender_lot_remove(tender_id: int, lot_id: int):
    tender = _tender(tender_id)
    lot = next((item for item in tender.lots if item.id == lot_id), None)
    if lot is None:
        abort(404)
    return _remove(
        tender,
        f"Lot {lot.number}: {lot.title}",
        lambda: tenders.remove_lot(current_user, tender.id, lot.id),
        url_for("officer.tender_lots", tender_id=tender.id),
    )


def _remove(tender, what: str, action, back: str):
    """Confirm, then remove a part of a draft tender."""
    if tender.status != "draft":
        return _published_redirect(tender)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            action()
        except TenderError as error:
            flash(error.message)
        else:
            flash(f"Removed {what}.")
        return redirect(back)
    return _render("officer/tenders/remove.html", form, tender, what=what, back=back)


# ---------------------------------------------------------------------------------------------
# Quality questions


@bp.route("/tenders/<int:tender_id>/questions")
def tender_questions(tender_id: int):
    return render_template(
        "officer/tenders/questions.html",
        tender=_tender(tender_id),
        marked_by=forms.MARKED_BY,
        number=plain_number,
    )


def _question_or_404(tender, question_id: int | None):
    question = next((item for item in tender.questions if item.id == question_id), None)
    if question_id is not None and question is None:
        abort(404)
    return question


@bp.route("/tenders/<int:tender_id>/questions/new", methods=["GET", "POST"])
@bp.route("/tenders/<int:tender_id>/questions/<int:question_id>", methods=["GET", "POST"])
def tender_question(tender_id: int, question_id: int | None = None):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return _published_redirect(tender)
    question = _question_or_404(tender, question_id)
    form = forms.QuestionForm(obj=question)
    if request.method == "GET" and question is not None:
        form.weight.data = plain_number(question.weight)
    if form.validate_on_submit():
        try:
            if question is None:
                saved = tenders.add_question(current_user, tender.id, **form.values())
            else:
                saved = tenders.update_question(
                    current_user, tender.id, question.id, **form.values()
                )
        except TenderError as error:
            forms.add_error(form, error)
        else:
            flash(f"Question {saved.number} saved.")
            return redirect(url_for("officer.tender_questions", tender_id=tender.id))
    return _render("officer/tenders/question.html", form, tender, question=question)


@bp.route("/tenders/<int:tender_id>/questions/<int:question_id>/scale", methods=["GET", "POST"])
def tender_question_scale(tender_id: int, question_id: int):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return _published_redirect(tender)
    question = _question_or_404(tender, question_id)
    form_class = forms.scale_form(question.max_mark)
    scale = tenders.scale_of(question)
    defaults = {}
    for entry in scale:
        defaults[f"mark_{entry['mark']}_label"] = entry["label"]
        defaults[f"mark_{entry['mark']}_descriptor"] = entry["descriptor"]
    form = form_class(data=defaults) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        entries = [
            (form[f"mark_{mark}_label"].data, form[f"mark_{mark}_descriptor"].data)
            for mark in range(question.max_mark + 1)
        ]
        try:
            tenders.set_scale(current_user, tender.id, question.id, entries)
        except TenderError as error:
            forms.add_error(form, error)
        else:
            flash(f"Marking scale for question {question.number} saved.")
            return redirect(url_for("officer.tender_questions", tender_id=tender.id))
    return _render("officer/tenders/scale.html", form, tender, question=question)


@bp.route("/tenders/<int:tender_id>/questions/<int:question_id>/remove", methods=["GET", "POST"])
def tender_question_remove(tender_id: int, question_id: int):
    tender = _tender(tender_id)
    question = _question_or_404(tender, question_id)
    return _remove(
        tender,
        f"question {question.number}",
        lambda: tenders.remove_question(current_user, tender.id, question.id),
        url_for("officer.tender_questions", tender_id=tender.id),
    )


# ---------------------------------------------------------------------------------------------
# Price model, weighting and rules, timetable


@bp.route("/tenders/<int:tender_id>/price-model", methods=["GET", "POST"])
def tender_price_model(tender_id: int):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return _published_redirect(tender)
    form = forms.PriceModelForm()
    if request.method == "GET":
        form.template.data = tenders.price_model_code(tender.cost_template)
        form.call_length_rates.data = "yes" if tender.ask_call_length_rates else "no"
        form.benchmark_rate.data = str(tender.benchmark_rate or "")
    if form.validate_on_submit():
        try:
            tenders.set_price_model(
                current_user,
                tender.id,
                form.template.data,
                ask_call_length_rates=form.call_length_rates.data == "yes",
                benchmark_rate=form.benchmark_rate.data,
            )
        except TenderError as error:
            forms.add_error(form, error)
        else:
            flash("Price model saved.")
            return redirect(url_for("officer.tender", tender_id=tender.id))
    return _render("officer/tenders/price_model.html", form, tender, templates=tenders.PRICE_MODELS)


@bp.route("/tenders/<int:tender_id>/rules", methods=["GET", "POST"])
def tender_rules(tender_id: int):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return _published_redirect(tender)
    form = forms.RulesForm()
    if request.method == "GET":
        form.quality_weight.data = plain_number(tender.quality_weight)
        form.price_weight.data = plain_number(tender.price_weight)
        form.max_lots_per_provider.data = tender.max_lots_per_provider
        form.tie_break.data = tender.tie_break
    if form.validate_on_submit():
        try:
            tenders.set_rules(
                current_user,
                tender.id,
                quality_weight=form.quality_weight.data,
                price_weight=form.price_weight.data,
                max_lots_per_provider=form.max_lots_per_provider.data,
                tie_break=form.tie_break.data,
            )
        except TenderError as error:
            forms.add_error(form, error)
        else:
            flash("Weighting and rules saved.")
            return redirect(url_for("officer.tender", tender_id=tender.id))
    return _render("officer/tenders/rules.html", form, tender)


@bp.route("/tenders/<int:tender_id>/timetable", methods=["GET", "POST"])
def tender_timetable(tender_id: int):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return _published_redirect(tender)
    form = forms.TimetableForm()
    if request.method == "GET":
        form.fill(tender)
    if form.validate_on_submit():
        values = form.values()
        if values is not None:
            try:
                tenders.set_timetable(current_user, tender.id, **values)
            except TenderError as error:
                forms.add_error(form, error)
            else:
                flash("Timetable saved.")
                return redirect(url_for("officer.tender", tender_id=tender.id))
    return _render(
        "officer/tenders/timetable.html",
        form,
        tender,
        rule=tender_tasks.period_rule(tender),
    )


# ---------------------------------------------------------------------------------------------
# Documents


@bp.route("/tenders/<int:tender_id>/documents", methods=["GET", "POST"])
def tender_documents(tender_id: int):
    tender = _tender(tender_id)
    form = forms.DocumentForm()
    if request.method == "POST":
        if tender.status != "draft":
            return _published_redirect(tender)
        if form.validate_on_submit():
            try:
                attached = tenders.attach_document(
                    current_user, tender.id, form.file.data, form.title.data
                )
            except TenderError as error:
                forms.add_error(form, error)
            else:
                flash(f"Attached {attached.title}.")
                return redirect(url_for("officer.tender_documents", tender_id=tender.id))
    return _render("officer/tenders/documents.html", form, tender)


@bp.route("/tenders/<int:tender_id>/documents/<int:document_id>")
def tender_document(tender_id: int, document_id: int):
    attached = tenders.document_of(_tender(tender_id), document_id)
    if attached is None:
        abort(404)
    return send_file(**documents.send_args(attached.document))


@bp.route("/tenders/<int:tender_id>/documents/<int:document_id>/remove", methods=["GET", "POST"])
def tender_document_remove(tender_id: int, document_id: int):
    tender = _tender(tender_id)
    attached = tenders.document_of(tender, document_id)
    if attached is None:
        abort(404)
    return _remove(
        tender,
        attached.title,
        lambda: tenders.remove_document(current_user, tender.id, attached.id),
        url_for("officer.tender_documents", tender_id=tender.id),
    )


# ---------------------------------------------------------------------------------------------
# Check and publish


@bp.route("/tenders/<int:tender_id>/publish", methods=["GET", "POST"])
def tender_publish(tender_id: int):
    tender = _tender(tender_id)
    if tender.status != "draft":
        return redirect(url_for("officer.tender", tender_id=tender.id))
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            tenders.publish(current_user, tender.id)
        except TransitionError as error:
            form.form_errors.append(str(error))
        else:
            return redirect(url_for("officer.tender_published", tender_id=tender.id))
    return _render(
        "officer/tenders/publish.html",
        form,
        tender,
        problems=tenders.publication_problems(tender),
        invited=tenders.invitee_names(tender),
        summary=tender_tasks.summary(tender),
    )


@bp.route("/tenders/<int:tender_id>/published")
def tender_published(tender_id: int):
    tender = _tender(tender_id)
    if tender.published_at is None:
        abort(404)
    return render_template(
        "officer/tenders/published.html",
        tender=tender,
        invited=len(tenders.invitations_of(tender.id)),
    )


@bp.route("/tenders/<int:tender_id>/invitations")
def tender_invitations(tender_id: int):
    tender = _tender(tender_id)
    if tender.published_at is None:
        abort(404)
    return render_template(
        "officer/tenders/invitations.html",
        tender=tender,
        rows=tenders.invitations_of(tender.id),
    )
