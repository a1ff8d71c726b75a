"""Provider routes: the pages that write each part of a bid (answers, cost breakdown,
call-length rates, capacity, subcontractors). Each reads the sealed draft for the bidder, hands
what was typed to the bid service and shows its messages beside the fields."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dps.provider.bid_forms import (
    AnswerForm,
    CallRatesForm,
    CapacityForm,
    ConfirmForm,
    PartnerForm,
    cost_form_class,
)
from dps.provider.bids import BID, load_bid, org_id, page_context, show_errors, to_overview
from dps.provider.routes import bp
from dps.services import bids
from dps.services.bid_content import CALL_LENGTHS, ROLES, BidError, engine_to_typed


@bp.route(BID + "/questions/<int:question_id>", methods=["GET", "POST"])
def answer(tender_id: int, lot_id: int, question_id: int):
    view = load_bid(tender_id, lot_id)
    question = next((q for q in view.tender.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    form = AnswerForm()
    problems: list[str] = []
    if request.method == "GET":
        form.answer.data = view.content["answers"].get(str(question.id), "")
    elif form.validate_on_submit():
        values = {"question_id": question.id, "text": form.answer.data or ""}
        try:
            result = bids.update_draft(view.bid.id, org_id(), current_user, "answer", values)
        except BidError as error:
            problems = show_errors(form, error, lambda key: "answer")
        else:
            for warning in result.warnings:
                flash(warning)
            later = [q for q in view.tender.questions if q.number > question.number]
            if later:
                return redirect(
                    url_for(
                        "provider.answer",
                        tender_id=tender_id,
                        lot_id=lot_id,
                        question_id=later[0].id,
                    )
                )
            return to_overview(view)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/bids/answer.html",
        form=form,
        question=question,
        problems=problems,
        scale=_scale(question.scale),
        weight_share=_share(question.weight, [q.weight for q in view.tender.questions]),
        **page_context(view),
    ), status


def _share(weight: Decimal, weights: list[Decimal]) -> str:
    """A question's share of the quality marks, as the engine weighs it: 30 of 100 -> '30'."""
    total = sum(weights, Decimal(0))
    share = (weight / total * 100) if total else Decimal(0)
    return format(share.quantize(Decimal("0.1")).normalize(), "f")


def _scale(scale_json: str) -> list[dict]:
    try:
        scale = json.loads(scale_json or "[]")
    except ValueError:
        return []
    return scale if isinstance(scale, list) else []


@bp.route(BID + "/costs", methods=["GET", "POST"])
def costs(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id)
    fields = view.facts.cost_fields
    form = cost_form_class(fields)()
    problems: list[str] = []
    if request.method == "GET":
        defaults = {f.name: str(f.default) for f in fields if f.default is not None}
        typed = engine_to_typed({**defaults, **view.content["cost_inputs"]}, view.facts)
        for field in fields:
            form[f"cost_{field.name}"].data = typed.get(field.name, "")
    elif form.validate_on_submit():
        values = {f.name: form[f"cost_{f.name}"].data for f in fields}
        try:
            bids.update_draft(view.bid.id, org_id(), current_user, "costs", values)
        except BidError as error:
            problems = show_errors(form, error, lambda key: "cost_" + key.partition(".")[2])
        else:
            flash("Your cost breakdown is saved and calculated below.")
            return redirect(url_for("provider.costs", tender_id=tender_id, lot_id=lot_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/bids/costs.html",
        form=form,
        fields=fields,
        problems=problems,
        assessment=view.assessment,
        entered=bool(view.content["cost_inputs"]),
        **page_context(view),
    ), status


@bp.route(BID + "/call-rates", methods=["GET", "POST"])
def call_rates(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id)
    if not view.tender.ask_call_length_rates:
        abort(404)
    form = CallRatesForm()
    problems: list[str] = []
    if request.method == "GET":
        for minutes in CALL_LENGTHS:
            form[f"rate_{minutes}"].data = view.content["call_rates"].get(str(minutes), "")
    elif form.validate_on_submit():
        values = {str(m): form[f"rate_{m}"].data for m in CALL_LENGTHS}
        try:
            bids.update_draft(view.bid.id, org_id(), current_user, "call_rates", values)
        except BidError as error:
            problems = show_errors(form, error, lambda key: "rate_" + key.partition(".")[2])
        else:
            return to_overview(view)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/bids/call_rates.html",
        form=form,
        problems=problems,
        lengths=CALL_LENGTHS,
        pro_rata={r.minutes: r.rounded for r in view.assessment.pro_rata},
        **page_context(view),
    ), status


@bp.route(BID + "/capacity", methods=["GET", "POST"])
def capacity(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id)
    form = CapacityForm()
    problems: list[str] = []
    if request.method == "GET":
        form.capacity_hours.data = view.content["capacity_hours"] or ""
    elif form.validate_on_submit():
        values = {"capacity_hours": form.capacity_hours.data}
        try:
            bids.update_draft(view.bid.id, org_id(), current_user, "capacity", values)
        except BidError as error:
            problems = show_errors(form, error, lambda key: key)
        else:
            return to_overview(view)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/bids/capacity.html", form=form, problems=problems, **page_context(view)
    ), status


@bp.route(BID + "/partners", methods=["GET", "POST"])
def partners(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id)
    form = PartnerForm()
    form.zones.choices = list(view.facts.zones)
    problems: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        values = {
            "name": form.name.data,
            "role": form.role.data,
            "zones": form.zones.data or [],
            "share": form.share.data,
        }
        try:
            bids.update_draft(view.bid.id, org_id(), current_user, "add_partner", values)
        except BidError as error:
            problems = show_errors(form, error, lambda key: key.rpartition(".")[2])
        else:
            flash("The subcontractor or partner is added.")
            return redirect(url_for("provider.partners", tender_id=tender_id, lot_id=lot_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/bids/partners.html",
        form=form,
        button=ConfirmForm(),
        problems=problems,
        roles=ROLES,
        zone_names=dict(view.facts.zones),
        **page_context(view),
    ), status


@bp.route(BID + "/partners/<int:index>/remove", methods=["POST"])
def remove_partner(tender_id: int, lot_id: int, index: int):
    view = load_bid(tender_id, lot_id)
    if ConfirmForm().validate_on_submit():
        try:
            bids.update_draft(
                view.bid.id, org_id(), current_user, "remove_partner", {"index": index}
            )
        except BidError as error:
            flash(error.message)
    return redirect(url_for("provider.partners", tender_id=tender_id, lot_id=lot_id))


@bp.route(BID + "/partners/done", methods=["POST"])
def partners_done(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id)
    if ConfirmForm().validate_on_submit():
        try:
            bids.update_draft(view.bid.id, org_id(), current_user, "partners_done", {})
        except BidError as error:
            flash(error.message)
    return to_overview(view)
