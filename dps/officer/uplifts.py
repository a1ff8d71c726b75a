"""Officer pages for the annual uplift: create a round from new figures, review every live
contract's new rate line by line with the budget effect, approve it; a contract's rate history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import Optional

from dps.fields import DateField, text_field
from dps.forms import BaseForm, submit
from dps.officer.routes import bp
from dps.services import uplifts
from dps.services.uplift_basis import SOURCES
from dps.services.uplifts import FIGURES, STATUS_LABELS, UpliftError
from evaluation.money import plain

MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id is simply not found
TEMPLATES = "officer/uplifts/"


def _figure_field(figure) -> StringField:
    return StringField(
        figure.label, description=figure.hint, validators=[Optional()], widget=GovTextInput()
    )


class UpliftForm(BaseForm):
    title = text_field(
        "Title",
        required="Enter a title for the uplift",
        max_length=uplifts.MAX_TITLE,
        too_long=f"The title must be {uplifts.MAX_TITLE} characters or fewer",
        description="For example, April 2027 uplift for the National Living Wage",
    )
    effective_on = DateField(
        "Date the new rates take effect",
        what="The effective date",
        required="Enter the date the new rates take effect",
        description="Contracts that end after this date are uplifted. For example, 1 4 2027",
    )
    nlw = _figure_field(FIGURES[0])
    employer_ni_rate = _figure_field(FIGURES[1])
    ni_threshold = _figure_field(FIGURES[2])
    pension_rate = _figure_field(FIGURES[3])
    pension_threshold = _figure_field(FIGURES[4])
    submit = submit("Work out the new rates")


class ApproveForm(BaseForm):
    submit = submit("Approve the new rates")


def explanation_html(text: str) -> Markup:
    """The engine's words kept with a history row, one sentence a line."""
    return Markup('<p class="govuk-body" style="white-space: pre-line">{}</p>').format(text)


def _round(uplift_id: int):
    found = uplifts.own_round(current_user, uplift_id) if uplift_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


@bp.route("/uplifts")
def uplift_rounds():
    return render_template(
        TEMPLATES + "index.html", rounds=uplifts.rounds(current_user), labels=STATUS_LABELS
    )


@bp.route("/uplifts/new", methods=["GET", "POST"])
def uplift_new():
    form = UpliftForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                round_ = uplifts.create_round(
                    current_user,
                    form.title.data,
                    form.effective_on.data,
                    {f.name: getattr(form, f.name).data for f in FIGURES},
                )
            except UpliftError as error:
                for name, message in error.errors.items():
                    getattr(form, name).errors = [*getattr(form, name).errors, message]
            else:
                flash("Check the new rates below, then approve them.")
                return redirect(url_for("officer.uplift_round", uplift_id=round_.id))
        return render_template(TEMPLATES + "new.html", form=form, figures=FIGURES), 400
    return render_template(TEMPLATES + "new.html", form=form, figures=FIGURES)


def _show(round_, error: str | None = None, status: int = 200):
    draft = round_.status == "draft"
    recorded = [] if draft else uplifts.recorded_changes(round_)
    return render_template(
        TEMPLATES + "show.html",
        round=round_,
        label=STATUS_LABELS.get(round_.status, round_.status),
        figures=uplifts.figure_words(round_),
        preview=uplifts.preview(round_, current_user) if draft else None,
        recorded=recorded,
        recorded_budget=uplifts.recorded_budget(recorded),
        approve_form=ApproveForm(formdata=None),
        sources=SOURCES,
        error=error,
        explanation_html=explanation_html,
        plain=plain,
    ), status


@bp.route("/uplifts/<int:uplift_id>")
def uplift_round(uplift_id: int):
    return _show(_round(uplift_id))


@bp.route("/uplifts/<int:uplift_id>/approve", methods=["POST"])
def uplift_approve(uplift_id: int):
    round_ = _round(uplift_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _show(round_, "The form had expired. Try again.", 400)
    try:
        uplifts.approve(current_user, round_.id)
    except UpliftError as error:
        return _show(round_, str(error), 400)
    except LookupError:
        abort(404)
    flash("The new rates are approved and recorded. Each provider is being told its new rates.")
    return redirect(url_for("officer.uplift_round", uplift_id=round_.id))


@bp.route("/contracts/<int:contract_id>/rates")
def contract_rates(contract_id: int):
    contract = uplifts.own_contract(current_user, contract_id) if contract_id <= MAX_ID else None
    if contract is None:
        abort(404)
    return render_template(
        TEMPLATES + "contract.html",
        contract=contract,
        history=uplifts.history(contract.id),
        explanation_html=explanation_html,
        plain=plain,
    )
