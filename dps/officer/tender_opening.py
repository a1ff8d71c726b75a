"""Officer routes: clarification questions, deadline changes and opening the sealed bids."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from dps.fields import DateField
from dps.fields import parse_time as read_time
from dps.forms import BaseForm, submit
from dps.officer.routes import bp
from dps.services import opening
from dps.services import tender_clarifications as clarifications
from dps.services.sealing import SealedError
from dps.state.clock import LONDON, to_london
from dps.state.tender import TENDER_LABELS

# Forms ----------------------------------------------------------------------------------------


class AnswerForm(BaseForm):
    audience = RadioField(
        "Who should see the answer?",
        choices=[
            ("all", "Every invited provider (published without saying who asked)"),
            ("private", "Only the provider who asked"),
        ],
        validators=[InputRequired(message="Select who should see the answer")],
        widget=GovRadioInput(),
    )
    published_question = TextAreaField(
        "The question as every provider will see it",
        description="Reword it if anything in it could identify the provider who asked. "
        "Only used when you answer every provider.",
        validators=[Length(max=clarifications.MAX_QUESTION, message="The question is too long")],
        widget=GovTextArea(),
    )
    answer = TextAreaField(
        "Your answer",
        validators=[
            InputRequired(message="Enter the answer"),
            Length(max=clarifications.MAX_ANSWER, message="The answer is too long"),
        ],
        widget=GovTextArea(),
    )
    private_reason = TextAreaField(
        "Reason for answering only the provider who asked",
        description="Needed only for a private answer. It is kept in the audit log.",
        validators=[Length(max=clarifications.MAX_REASON, message="The reason is too long")],
        widget=GovTextArea(),
    )
    submit = submit("Send the answer")


def parse_time(text: str) -> time:
    """ "17:00", "5pm", "5:30pm" or "midday"; midnight is refused as ambiguous."""
    parsed = read_time(text, midnight=False)
    if parsed is None:
        raise ValueError(text)
    return parsed


class UkTime:
    def __call__(self, form, field):
        try:
            parse_time(field.data)
        except ValueError:
            raise ValidationError(
                f"Enter {field.label.text.lower()} like 5pm or 17:00 (for midnight, use 11:59pm)"
            ) from None


class DeadlinesForm(BaseForm):
    closing_date = DateField("Closing date", what="Closing date", required="Enter the closing date")
    closing_time = StringField(
        "Closing time",
        description="UK time, for example 5pm or 17:00",
        validators=[InputRequired(message="Enter the closing time"), Length(max=20), UkTime()],
        widget=GovTextInput(),
    )
    clarification_date = DateField(
        "Clarification deadline date", what="Clarification deadline date"
    )
    clarification_time = StringField(
        "Clarification deadline time",
        description="UK time, for example 5pm or 17:00",
        validators=[Optional(), Length(max=20), UkTime()],
        widget=GovTextInput(),
    )
    reason = TextAreaField(
        "Reason for the change",
        description="Every invited provider will be told about the change and this reason.",
        validators=[
            InputRequired(message="Give the reason for the change"),
            Length(max=clarifications.MAX_REASON, message="The reason is too long"),
        ],
        widget=GovTextArea(),
    )
    submit = submit("Change the deadlines")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        has_date = bool(
            self.clarification_date.raw_data and "".join(self.clarification_date.raw_data).strip()
        )
        has_time = bool((self.clarification_time.data or "").strip())
        if has_date != has_time:
            self.clarification_time.errors = [
                *self.clarification_time.errors,
                "Enter both the date and the time of the clarification deadline",
            ]
            return False
        return valid


class ActionForm(BaseForm):
    """The opening buttons: a CSRF token and nothing else."""


def _instant(day: date, text: str) -> datetime:
    return datetime.combine(day, parse_time(text), tzinfo=LONDON).astimezone(UTC)


def _changed(entered: datetime | None, current: datetime | None) -> datetime | None:
    """None when the officer left the time as it was (the form shows whole minutes)."""
    if entered is None or current is None:
        return entered
    return None if entered == current.replace(second=0, microsecond=0) else entered


def _initial(moment: datetime | None) -> tuple[date | None, str]:
    if moment is None:
        return None, ""
    local = to_london(moment)
    return local.date(), local.strftime("%H:%M")


# Helpers --------------------------------------------------------------------------------------


def _tender_or_404(tender_id: int):
    tender = opening.officer_tender(current_user, tender_id)
    if tender is None:
        abort(404)
    return tender


def _field_error(form, error: clarifications.ClarificationError, default: str) -> None:
    field = {
        "closing": "closing_date",
        "clarification": "clarification_date",
    }.get(error.field, error.field)
    target = getattr(form, field or default, None) or getattr(form, default)
    target.errors = [*target.errors, str(error)]


def tender_path(tender_id: int) -> str:
    """The tender's own page (built by the tender-building pages)."""
    return f"/officer/tenders/{tender_id}"


# Clarifications -----------------------------------------------------------------------------


@bp.route("/tenders/<int:tender_id>/clarifications")
def clarifications_list(tender_id: int):
    tender = _tender_or_404(tender_id)
    questions = clarifications.questions_for_officer(tender.id)
    return render_template(
        "officer/tender_opening/questions.html",
        tender=tender,
        waiting=[q for q in questions if q.clarification.answered_at is None],
        answered=[q for q in questions if q.clarification.answered_at is not None],
        deadline=clarifications.question_deadline(tender),
        questions_open=clarifications.questions_open(tender),
        invitees=clarifications.invitee_count(tender.id),
        tender_path=tender_path(tender.id),
    )


@bp.route("/tenders/<int:tender_id>/clarifications/<int:clarification_id>", methods=["GET", "POST"])
def clarification_answer(tender_id: int, clarification_id: int):
    clarification = clarifications.clarification_for_officer(
        current_user, tender_id, clarification_id
    )
    if clarification is None:
        abort(404)
    tender = _tender_or_404(tender_id)
    if clarification.answered_at is not None:
        return redirect(url_for("officer.clarifications_list", tender_id=tender_id))
    if request.method == "POST":
        form = AnswerForm()
    else:
        form = AnswerForm(
            data={"published_question": clarifications.default_wording(clarification)}
        )
    if form.validate_on_submit():
        to_all = form.audience.data == "all"
        try:
            clarifications.answer(
                clarification.id,
                current_user,
                form.answer.data,
                to_all=to_all,
                published_question=form.published_question.data,
                private_reason=form.private_reason.data,
            )
        except clarifications.ClarificationError as error:
            _field_error(form, error, "answer")
        else:
            if to_all:
                flash(
                    "Your answer has been published to every invited provider "
                    f"({clarifications.invitee_count(tender.id)}), without saying who asked."
                )
            else:
                flash("Your answer has been sent only to the provider who asked.")
            return redirect(url_for("officer.clarifications_list", tender_id=tender_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "officer/tender_opening/answer.html",
        tender=tender,
        clarification=clarification,
        asker=clarifications.asker_name(clarification),
        form=form,
    ), status


# Deadlines ------------------------------------------------------------------------------------


@bp.route("/tenders/<int:tender_id>/deadlines", methods=["GET", "POST"])
def tender_deadlines(tender_id: int):
    tender = _tender_or_404(tender_id)
    if request.method == "POST":
        form = DeadlinesForm()
    else:
        closing_date, closing_time = _initial(tender.closing_at)
        clarification_date, clarification_time = _initial(tender.clarification_deadline)
        form = DeadlinesForm(
            data={
                "closing_date": closing_date,
                "closing_time": closing_time,
                "clarification_date": clarification_date,
                "clarification_time": clarification_time,
            }
        )
    if form.validate_on_submit():
        closing_at = _instant(form.closing_date.data, form.closing_time.data)
        clarification_at = (
            _instant(form.clarification_date.data, form.clarification_time.data)
            if form.clarification_date.data
            else None
        )
        try:
            clarifications.change_deadlines(
                tender.id,
                current_user,
                closing_at=_changed(closing_at, tender.closing_at),
                clarification_deadline=_changed(clarification_at, tender.clarification_deadline),
                reason=form.reason.data,
            )
        except clarifications.ClarificationError as error:
            _field_error(form, error, "closing_date")
        else:
            flash("The deadlines have changed. Every invited provider is being told.")
            return redirect(url_for("officer.clarifications_list", tender_id=tender_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "officer/tender_opening/deadlines.html",
        tender=tender,
        form=form,
        earliest=clarifications.earliest_closing(tender),
        invitees=clarifications.invitee_count(tender.id),
        status_label=TENDER_LABELS[tender.status],
        tender_path=tender_path(tender.id),
    ), status


# Opening --------------------------------------------------------------------------------------


def _opening_page(tender, error: str | None = None, status: int = 200):
    state = opening.opening_state(tender)
    bids, sealed_error = [], None
    if tender.opened_at is not None:
        try:
            bids = opening.read_bids(tender.id, current_user)
        except SealedError as refused:
            sealed_error = str(refused)
    lots = [(row, [bid for bid in bids if bid.lot_id == row.lot_id]) for row in state.counts]
    return render_template(
        "officer/tender_opening/opening.html",
        tender=tender,
        state=state,
        lots=lots,
        error=error or sealed_error,
        action_form=ActionForm(),
        status_label=TENDER_LABELS[tender.status],
        tender_path=tender_path(tender.id),
    ), status


@bp.route("/tenders/<int:tender_id>/opening")
def tender_opening(tender_id: int):
    return _opening_page(_tender_or_404(tender_id))


def _opening_step(tender_id: int, step, done: str):
    tender = _tender_or_404(tender_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        step(tender.id, current_user)
    except opening.OpeningError as error:
        return _opening_page(tender, str(error), 400)
    flash(done)
    return redirect(url_for("officer.tender_opening", tender_id=tender_id))


@bp.post("/tenders/<int:tender_id>/opening/request")
def opening_request(tender_id: int):
    tender = _tender_or_404(tender_id)
    done = (
        "You have asked to open the bids. A different officer must now confirm the opening."
        if tender.opening_needs_two_officers
        else "The bids are open."
    )
    return _opening_step(tender_id, opening.request_opening, done)


@bp.post("/tenders/<int:tender_id>/opening/confirm")
def opening_confirm(tender_id: int):
    return _opening_step(tender_id, opening.confirm_opening, "The bids are open.")
