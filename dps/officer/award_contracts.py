"""Officer page after the award: the standstill, a challenge (record and lift) and the contracts,
one per lot and winner, with the lot's dates and the winning price offered as defaults."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from dps.fields import DateField
from dps.forms import BaseForm, submit
from dps.officer.routes import bp
from dps.services import award_after
from dps.services.award_after import AwardAfterError
from dps.state.award import AWARD_LABELS

CHALLENGE_STATES = ("standstill", "standstill_over")


class ChallengeForm(BaseForm):
    details = TextAreaField(
        "Details of the challenge",
        description="Who challenged the award, when, and on what grounds. It is kept in the "
        "audit log. While the challenge is recorded, no contract can be recorded.",
        validators=[
            InputRequired(message="Enter the details of the challenge"),
            Length(max=award_after.MAX_DETAILS, message="The details are too long"),
        ],
        widget=GovTextArea(),
    )
    submit = submit("Record the challenge")


class LiftForm(BaseForm):
    reason = TextAreaField(
        "Why the challenge is lifted",
        description="For example, the challenge was withdrawn or the court lifted the "
        "suspension. It is kept in the audit log.",
        validators=[
            InputRequired(message="Enter why the challenge is lifted"),
            Length(max=award_after.MAX_DETAILS, message="The reason is too long"),
        ],
        widget=GovTextArea(),
    )
    submit = submit("Lift the challenge")


class ContractForm(BaseForm):
    reference = StringField(
        "Contract reference",
        validators=[
            InputRequired(message="Enter the contract reference"),
            Length(max=40, message="The contract reference must be 40 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    start_on = DateField(
        "Start date",
        what="The start date",
        required="Enter the start date",
        description="For example, 1 4 2027",
    )
    end_on = DateField(
        "End date",
        what="The end date",
        required="Enter the end date",
        description="For example, 31 3 2030",
    )
    hourly_rate = StringField(
        "Hourly rate (£)",
        description="The winning bid's hourly price, unless agreed otherwise",
        validators=[InputRequired(message="Enter the hourly rate")],
        widget=GovTextInput(),
    )
    hours_per_week = StringField(
        "Hours of care a week",
        validators=[InputRequired(message="Enter the hours a week")],
        widget=GovTextInput(),
    )
    submit = submit("Record the contract")


def _contract_form(slot, formdata=None) -> ContractForm:
    defaults = {
        "reference": slot.reference,
        "start_on": slot.start_on,
        "end_on": slot.end_on,
        "hourly_rate": f"{slot.hourly_rate:.2f}" if slot.hourly_rate is not None else "",
        "hours_per_week": f"{slot.hours_per_week:f}",
    }
    if formdata is None:
        return ContractForm(formdata=None, prefix=f"c{slot.key}", data=defaults)
    return ContractForm(prefix=f"c{slot.key}")


def _found():
    found = award_after.officer_award(current_user, request.view_args["tender_id"])
    if found is None:
        abort(404)
    tender, award = found
    award_after.refresh(award)
    return tender, award


def _page(tender, award, *, posted=None, error: str | None = None, status: int = 200):
    """The page; `posted` is (kind, form) of the form that failed, shown with its errors."""
    kind, failed = posted or (None, None)
    slots = award_after.slots(award)
    results = award_after.results_of(award)
    lots = []
    for lot_result in sorted(results.lots if results else (), key=lambda item: item.number):
        lot_slots = [slot for slot in slots if slot.lot.id == lot_result.lot_id]
        lots.append((lot_result, lot_slots))
    forms = {
        slot.key: failed if kind == slot.key else _contract_form(slot)
        for slot in slots
        if slot.contract is None
    }
    challenge_form = (
        failed if kind == "challenge" else ChallengeForm(formdata=None, prefix="challenge")
    )
    lift_form = failed if kind == "lift" else LiftForm(formdata=None, prefix="lift")
    views = current_app.view_functions
    context = {
        "tender": tender,
        "award": award,
        "status_label": AWARD_LABELS.get(award.status, award.status),
        "lots": lots,
        "forms": forms,
        "challenge_form": challenge_form,
        "lift_form": lift_form,
        "can_challenge": award.status in CHALLENGE_STATES,
        "blocked": award_after.contracts_blocked(award),
        "standstill_running": award_after.standstill_running(award),
        "error": error,
        "weekly_value": award_after.weekly_value,
        "public_href": url_for("public.award", reference=tender.reference)
        if "public.award" in views and award.status in award_after.PUBLIC_STATES
        else None,
        "back_href": url_for("officer.award", tender_id=tender.id)
        if "officer.award" in views
        else f"/officer/tenders/{tender.id}",
    }
    if failed is not None:
        context["form"] = failed  # base.html shows its error summary
    return render_template("officer/award_contracts/page.html", **context), status


def _field_error(form, error: AwardAfterError, default: str) -> None:
    target = getattr(form, error.field or default, None) or getattr(form, default)
    target.errors = [*target.errors, str(error)]


@bp.route("/tenders/<int:tender_id>/award/contracts", methods=["GET", "POST"])
def award_contracts(tender_id: int):
    tender, award = _found()
    if request.method == "GET":
        return _page(tender, award)
    kind = request.form.get("form", "")
    if kind == "challenge":
        form = ChallengeForm(prefix="challenge")
        step = lambda: award_after.record_challenge(tender.id, current_user, form.details.data)  # noqa: E731
        default, done = "details", "The challenge is recorded. The award is on hold."
    elif kind == "lift":
        form = LiftForm(prefix="lift")
        step = lambda: award_after.lift_challenge(tender.id, current_user, form.reason.data)  # noqa: E731
        default, done = "reason", "The challenge is lifted."
    else:
        slot = next((s for s in award_after.slots(award) if s.key == kind), None)
        if slot is None or slot.contract is not None:
            message = (
                f"The contract {slot.contract.reference} is already recorded."
                if slot is not None
                else "That provider did not win that lot, so it cannot have a contract."
            )
            return _page(tender, award, error=message, status=400)
        form = _contract_form(slot, request.form)
        step = lambda: award_after.record_contract(  # noqa: E731
            tender.id,
            current_user,
            lot_id=slot.lot.id,
            organisation_id=slot.organisation_id,
            start_on=form.start_on.data,
            end_on=form.end_on.data,
            hourly_rate=form.hourly_rate.data,
            hours_per_week=form.hours_per_week.data,
            reference=form.reference.data,
        )
        default = "reference"
        done = f"The contract with {slot.organisation_name} for lot {slot.lot.number} is recorded."
    if form.validate_on_submit():
        try:
            step()
        except AwardAfterError as error:
            if error.field is None:
                return _page(tender, award, error=str(error), status=400)
            _field_error(form, error, default)
        else:
            if award.status == "concluded":
                done += " Every contract is recorded: the award is concluded."
            flash(done)
            return redirect(url_for("officer.award_contracts", tender_id=tender.id))
    return _page(tender, award, posted=(kind, form), status=400)
