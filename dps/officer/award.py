"""Officer routes for the award: propose, approve (a second officer) or withdraw it, then watch
the letters being made (a progress bar that refreshes itself without JavaScript) and retry any
that failed."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from dps.forms import BaseForm
from dps.officer import tender_opening
from dps.officer.routes import bp
from dps.services import awards
from dps.services.award_letters import snapshot
from dps.services.opening import officer_tender
from dps.state.award import AWARD_LABELS
from dps.state.calendar import standstill_end_description
from dps.state.tender import TENDER_LABELS

REFRESH_SECONDS = 3


class ActionForm(BaseForm):
    """Propose, approve and retry buttons: a CSRF token and nothing else."""


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        "Reason for withdrawing the proposal",
        description="It is kept in the audit log.",
        validators=[
            InputRequired(message="Enter the reason for withdrawing the proposal"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )


def _tender_or_404(tender_id: int):
    tender = officer_tender(current_user, tender_id)
    if tender is None:
        abort(404)
    return tender


def _endpoint(name: str, **values) -> str | None:
    return url_for(name, **values) if name in current_app.view_functions else None


def _live_results(tender):
    """The results as they stand (before a proposal), or None when they cannot be shown."""
    if tender.status != "in_evaluation":
        return None
    try:
        return awards.results_for(tender.id)
    except ImportError:
        return None


def _page(tender, form=None, error: str | None = None, status: int = 200):
    award = awards.award_for(tender.id)
    live = award is None or award.status == "withdrawn"
    results = _live_results(tender) if live else snapshot(award)
    progress = awards.progress(award) if award is not None else None
    sent = award is not None and award.status not in ("proposed", "withdrawn")
    return render_template(
        "officer/award/award.html",
        tender=tender,
        award=award,
        results=results,
        live=live,
        sent=sent,
        progress=progress,
        refreshing=bool(sent and progress and progress.running),
        refresh_seconds=REFRESH_SECONDS,
        failed=awards.failed_letters(award) if sent else [],
        standstill=(
            standstill_end_description(award.standstill_ends_at)
            if award is not None and award.standstill_ends_at
            else None
        ),
        award_label=AWARD_LABELS.get(award.status, award.status) if award else None,
        status_label=TENDER_LABELS.get(tender.status, tender.status),
        action_form=ActionForm(),
        form=form or WithdrawForm(formdata=None),
        error=error,
        tender_path=tender_opening.tender_path(tender.id),
        results_url=_endpoint("officer.evaluation_results", tender_id=tender.id),
        contracts_url=_endpoint("officer.award_contracts", tender_id=tender.id),
    ), status


@bp.route("/tenders/<int:tender_id>/award", methods=["GET", "POST"])
def award(tender_id: int):
    tender = _tender_or_404(tender_id)
    if request.method == "GET":
        return _page(tender)
    action = request.form.get("action", "")
    steps = {
        "propose": (
            awards.propose,
            "You have proposed the award. A different officer must now approve it.",
        ),
        "approve": (awards.approve, "You have approved the award. The letters are being made."),
    }
    if action == "withdraw":
        form = WithdrawForm()
        if not form.validate_on_submit():
            return _page(tender, form=form, status=400)
        step, done = (
            lambda tid, actor: awards.withdraw(tid, actor, form.reason.data),
            "You have withdrawn the proposal.",
        )
    elif action in steps:
        if not ActionForm().validate_on_submit():
            abort(400)
        step, done = steps[action]
        form = None
    else:
        abort(400)
    try:
        step(tender.id, current_user)
    except awards.NotFound:
        abort(404)
    except awards.AwardError as problem:
        return _page(tender, form=form, error=str(problem), status=400)
    flash(done)
    return redirect(url_for("officer.award", tender_id=tender.id))


@bp.post("/tenders/<int:tender_id>/award/letters/<int:letter_id>/retry")
def award_letter_retry(tender_id: int, letter_id: int):
    tender = _tender_or_404(tender_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        awards.retry_letter(tender.id, letter_id, current_user)
    except awards.NotFound:
        abort(404)
    except awards.AwardError as problem:
        return _page(tender, error=str(problem), status=400)
    flash("The letter is being made again.")
    return redirect(url_for("officer.award", tender_id=tender.id))
